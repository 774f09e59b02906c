import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePorts } from "../../infra/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { alive } from "../fixtures/process-alive.ts";
import { until } from "./harness.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Started {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it, with only the given environment on top of this one (NATS_URL removed). */
function npmStart(env: Record<string, string>): Started {
  const { NATS_URL: _unset, ...base } = process.env;
  const proc = spawn("npm", ["start", "--silent"], {
    cwd: root,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on("line", (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, lines, exited };
}

/** Interrupts the member process (whose pid it logs); npm exits once its script has. */
async function interrupt(s: Started): Promise<void> {
  const serving = s.lines.find((l) => l.msg === "nzk serving")!;
  process.kill(serving.pid as number, "SIGINT");
  expect(await s.exited).toBe(0);
  expect(s.lines.some((l) => l.msg === "stopping")).toBe(true);
}

async function waitFor(s: Started, msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const hit = s.lines.find((l) => l.msg === msg);
    if (hit !== undefined) return hit;
    if (s.proc.exitCode !== null || performance.now() > deadline) {
      throw new Error(`no "${msg}" line; got ${JSON.stringify(s.lines)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A ZooKeeper four-letter word on the ZooKeeper port, answered as ZooKeeper does: text, then close. */
async function fourLetterWord(port: number, word: string): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.write(word);
  await new Promise((resolve) => socket.on("close", resolve));
  return Buffer.concat(chunks).toString();
}

const MiB = 1024 * 1024;

/** Bytes that are not UTF-8 (so they travel as base64) and differ along their length. */
function pattern(n: number): Buffer {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = ((i * 31 + (i >>> 8)) & 0xff) | 0x80;
  return bytes;
}

function createZnode(httpPort: number, path: string, data: Buffer): Promise<Response> {
  return fetch(`http://127.0.0.1:${httpPort}/v1/znodes${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: data.toString("base64"), encoding: "base64" }),
  });
}

async function readZnode(httpPort: number, path: string): Promise<Buffer> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/znodes${path}?encoding=base64`);
  expect(res.status).toBe(200);
  return Buffer.from(((await res.json()) as { data: string }).data, "base64");
}

describe("npm start", () => {
  it("comes up with nothing set, serves the HTTP API and the ZooKeeper port, and keeps its log across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "nzk-start-"));
    try {
      const [httpPort, zkPort] = (await freePorts(2)) as [number, number];
      const env = { NZK_DATA_DIR: dataDir, NZK_HTTP_PORT: String(httpPort), NZK_ZK_PORT: String(zkPort) };
      const first = npmStart(env);
      expect((await waitFor(first, "embedded nats-server started")).maxPayload).toBe(8 * MiB);
      await waitFor(first, "nzk serving");
      expect(first.lines.some((l) => l.level === "warn")).toBe(false);
      const ruok = await fetch(`http://127.0.0.1:${httpPort}/commands/ruok`);
      expect(ruok.status).toBe(200);
      expect(await ruok.json()).toEqual({ command: "ruok", error: null });
      expect(await fourLetterWord(zkPort, "ruok")).toBe("imok");
      // ZooKeeper's full 1 MiB (jute.maxbuffer) fits the embedded server's max_payload
      const data = pattern(MiB);
      const created = await createZnode(httpPort, "/big", data);
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ path: "/big", stat: { dataLength: MiB, version: 0 } });
      expect((await readZnode(httpPort, "/big")).equals(data)).toBe(true);
      const tooBig = await createZnode(httpPort, "/too-big", pattern(MiB + 1));
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toMatchObject({ error: { code: "MarshallingError", zkCode: -5 } });
      const status = (await (await fetch(`http://127.0.0.1:${httpPort}/v1/status`)).json()) as {
        mode: string;
        epoch: number;
        log: { lastSeq: number };
      };
      expect(status.mode).toBe("leading");
      await interrupt(first);

      const second = npmStart(env);
      try {
        expect((await waitFor(second, "recovered")).seq).toBe(status.log.lastSeq);
        const leading = await waitFor(second, "leading");
        expect(leading.epoch).toBeGreaterThan(status.epoch);
        expect(leading.seq).toBe(status.log.lastSeq + 1);
        await waitFor(second, "nzk serving");
        expect((await readZnode(httpPort, "/big")).equals(data)).toBe(true);
      } finally {
        await interrupt(second);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 120_000);

  it("answers only ruok and /v1/status until recovered, and warns that an external max_payload limits znodes", async () => {
    await using nats = await natsServer();
    const dataDir = await mkdtemp(join(tmpdir(), "nzk-start-"));
    const [httpPort] = (await freePorts(1)) as [number];
    const base = `http://127.0.0.1:${httpPort}`;
    // A paused server holds the member before recovery for as long as the test looks.
    nats.pause();
    const run = npmStart({
      NATS_URL: nats.url,
      NZK_DATA_DIR: dataDir,
      NZK_HTTP_PORT: String(httpPort),
      NZK_ZK_PORT: "0",
    });
    try {
      await waitFor(run, "http listening");
      const ruok = await fetch(`${base}/commands/ruok`);
      expect(ruok.status).toBe(503);
      expect(await ruok.json()).toEqual({ command: "ruok", error: "not serving: recovering" });
      const status = await fetch(`${base}/v1/status`);
      expect(status.status).toBe(503);
      expect(await status.json()).toMatchObject({ ready: false });
      const read = await fetch(`${base}/v1/znodes/`);
      expect(read.status).toBe(503);
      expect(await read.json()).toMatchObject({ error: { code: "ConnectionLoss", zkCode: -4 } });
      nats.resume();

      await waitFor(run, "nzk serving");
      const warning = run.lines.find((l) => l.level === "warn")!;
      expect(warning).toMatchObject({
        maxPayload: 1_048_576,
        maxDataBytes: MiB,
        znodeLimit: 737_280,
        raiseMaxPayloadTo: 8 * MiB,
      });
      expect(warning.msg).toMatch(/max_payload: 8388608/);
      expect((await fetch(`${base}/commands/ruok`)).status).toBe(200);
      const data = pattern(737_280);
      expect((await createZnode(httpPort, "/fits", data)).status).toBe(201);
      expect((await readZnode(httpPort, "/fits")).equals(data)).toBe(true);
      expect((await createZnode(httpPort, "/full-size", pattern(MiB))).status).toBe(413);
    } finally {
      nats.resume();
      if (run.lines.some((l) => l.msg === "nzk serving")) await interrupt(run);
      else run.proc.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 120_000);

  it("ends with a message naming the setting when its port is taken, and leaves no nats-server behind", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const taken = String((holder.address() as { port: number }).port);
    const [free] = (await freePorts(1)) as [number];
    try {
      for (const [setting, ports] of [
        ["NZK_HTTP_PORT", { NZK_HTTP_PORT: taken, NZK_ZK_PORT: "0" }],
        ["NZK_ZK_PORT", { NZK_HTTP_PORT: String(free), NZK_ZK_PORT: taken }],
      ] as const) {
        const dataDir = await mkdtemp(join(tmpdir(), "nzk-taken-"));
        try {
          const run = npmStart({ NZK_DATA_DIR: dataDir, ...ports });
          expect(await run.exited, setting).toBe(1);
          const error = run.lines.find((l) => l.level === "error");
          expect(error?.msg, setting).toMatch(
            new RegExp(`127\\.0\\.0\\.1:${taken} is in use.*set ${setting}`),
          );
          const nats = run.lines.find((l) => l.msg === "embedded nats-server started");
          // the ZooKeeper port is opened after the member started, so its server had started too
          if (setting === "NZK_ZK_PORT") expect(nats).toBeDefined();
          if (nats !== undefined)
            await until(`nats-server ${nats.pid} gone`, () => !alive(nats.pid as number));
        } finally {
          await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
        }
      }
    } finally {
      holder.close();
    }
  }, 120_000);

  it("says what to do when the NATS it is given cannot be reached", async () => {
    const [natsPort, httpPort] = (await freePorts(2)) as [number, number];
    const url = `nats://127.0.0.1:${natsPort}`;
    const run = npmStart({ NATS_URL: url, NZK_HTTP_PORT: String(httpPort), NZK_ZK_PORT: "0" });
    expect(await run.exited).toBe(1);
    expect(run.lines.find((l) => l.level === "error")).toMatchObject({
      msg: "start failed",
      error: expect.stringMatching(new RegExp(`^cannot reach NATS at ${url} .*check NATS_URL`)),
    });
  }, 60_000);

  it("refuses a bad setting with a message naming it, and writes nothing", async () => {
    const dataDir = join(tmpdir(), `nzk-bad-${process.pid}-${Date.now()}`);
    const run = npmStart({ NZK_DATA_DIR: dataDir, NZK_HTTP_PORT: "eighty" });
    expect(await run.exited).toBe(2);
    expect(JSON.stringify(run.lines)).toMatch(/NZK_HTTP_PORT/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
