import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { NatsServerError, startNatsServer } from "../../infra/index.ts";

/** True while the process runs; a zombie waiting to be reaped counts as gone. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

function runDirOf(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return dirname(args[args.indexOf("-c") + 1]!);
}

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nzk-test-process-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("startNatsServer", () => {
  test("serves clients once started, logs only through the logger, and cleans up on stop", async () => {
    const lines: string[] = [];
    const storeDir = join(dir, 'store with "quotes" and spaces');
    const server = await startNatsServer({ storeDir, logger: (line) => lines.push(line) });
    const runDir = runDirOf(server.pid);
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(server.wsUrl).toBeUndefined();
    expect(lines.some((line) => line.includes("Server is ready"))).toBe(true);

    const nc = await connect({ servers: server.url });
    expect(await nc.rtt()).toBeGreaterThanOrEqual(0);
    await nc.close();
    expect(existsSync(join(storeDir, "jetstream"))).toBe(true);

    const exit = await server.stop();
    // It shut down on the SIGTERM (exit code 0 from 2.11 on, 1 before), not by the fallback SIGKILL.
    expect(exit.signal).toBeNull();
    expect(running(server.pid)).toBe(false);
    expect(existsSync(runDir)).toBe(false);
  });

  test("takes messages up to maxPayload and tells clients its limit", async () => {
    const maxPayload = 8 * 1024 * 1024;
    const server = await startNatsServer({ storeDir: join(dir, "store"), maxPayload });
    const nc = await connect({ servers: server.url });
    try {
      expect(nc.info?.max_payload).toBe(maxPayload);
      const sub = nc.subscribe("big", { max: 1 });
      nc.publish("big", new Uint8Array(maxPayload - 1024));
      for await (const msg of sub) expect(msg.data.length).toBe(maxPayload - 1024);
      expect(() => nc.publish("big", new Uint8Array(maxPayload + 1))).toThrow(/payload/i);
    } finally {
      await nc.close();
      await server.stop();
    }
  });

  test("stops a paused server", async () => {
    const server = await startNatsServer({ storeDir: join(dir, "store"), stopTimeoutMs: 60_000 });
    server.kill("SIGSTOP");
    const exit = await server.stop();
    // Without the SIGCONT that stop() sends, only the SIGKILL after 60 s would end it.
    expect(exit.signal).not.toBe("SIGKILL");
    expect(running(server.pid)).toBe(false);
  });

  test("reports a port that is taken as addressInUse, with the server's own words", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const error = await startNatsServer({ storeDir: join(dir, "store"), port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NatsServerError);
      expect((error as NatsServerError).addressInUse).toBe(true);
      expect((error as NatsServerError).message).toMatch(/address already in use/i);
    } finally {
      squatter.close();
    }
  });

  test("does not outlive a process that is killed without stopping it", async () => {
    const index = fileURLToPath(new URL("../../infra/index.ts", import.meta.url));
    const program = `
      import { startNatsServer } from ${JSON.stringify(index)};
      const server = await startNatsServer({ storeDir: ${JSON.stringify(join(dir, "store"))} });
      console.log(server.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(createInterface({ input: parent.stdout }), "line")) as [string];
    const pid = Number(line);
    expect(running(pid)).toBe(true);
    const runDir = runDirOf(pid);

    parent.kill("SIGKILL");
    const gone = await until(() => !running(pid), 10_000);
    if (!gone) process.kill(pid, "SIGKILL");
    await rm(runDir, { recursive: true, force: true });
    expect(gone).toBe(true);
  });
});
