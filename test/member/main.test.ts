import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePorts } from "../../infra/index.ts";

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

describe("npm start", () => {
  it("comes up with nothing set, answers ruok once serving, and keeps its log across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "nzk-start-"));
    try {
      const [httpPort] = await freePorts(1);
      const env = { NZK_DATA_DIR: dataDir, NZK_HTTP_PORT: String(httpPort), NZK_ZK_PORT: "0" };
      const first = npmStart(env);
      await waitFor(first, "leading");
      const ruok = await fetch(`http://127.0.0.1:${httpPort}/commands/ruok`);
      expect(ruok.status).toBe(200);
      expect(await ruok.json()).toEqual({ command: "ruok", error: null });
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
      } finally {
        await interrupt(second);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 120_000);

  it("refuses a bad setting with a message naming it, and writes nothing", async () => {
    const dataDir = join(tmpdir(), `nzk-bad-${process.pid}-${Date.now()}`);
    const run = npmStart({ NZK_DATA_DIR: dataDir, NZK_HTTP_PORT: "eighty" });
    expect(await run.exited).toBe(2);
    expect(JSON.stringify(run.lines)).toMatch(/NZK_HTTP_PORT/);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
