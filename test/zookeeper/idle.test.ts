/**
 * 10,000 idle sessions on one member: every handshake answered, no timer per connection (session
 * expiry lives in the member's buckets), and the member still serves. Memory per connection is
 * printed for the record, not asserted.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { zkMember } from "./fixture.ts";
import { RawClient } from "./raw-client.ts";

const script = fileURLToPath(new URL("./idle-clients.ts", import.meta.url));
const COUNT = 10_000;

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("many idle connections", () => {
  it(`holds ${COUNT} idle sessions with no timer per connection`, { timeout: 180_000 }, async () => {
    await using zk = await zkMember({ config: { maxSessionTimeoutMs: 60_000 } });
    const timersBefore = timers();
    const heapBefore = process.memoryUsage().heapUsed;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", script, String(zk.server.port), String(COUNT)],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`idle-clients exited with ${code}`)));
      });
      expect(ready).toBe(`ready ${COUNT}`);
      const open = [...zk.server.connections].filter((c) => c.state === "open");
      expect(open.length).toBe(COUNT);
      expect(new Set(open.map((c) => c.sessionId)).size).toBe(COUNT);
      expect(timers() - timersBefore).toBeLessThan(10);
      const perConnection = (process.memoryUsage().heapUsed - heapBefore) / COUNT;
      console.log(
        `${COUNT} idle sessions: ~${Math.round(perConnection)} bytes of heap per connection (sessions included)`,
      );
      const fresh = await RawClient.session(zk.server.port);
      expect(
        (
          await fresh.request(3, (w) => {
            w.writeString("/");
            w.writeBool(false);
          })
        ).err,
      ).toBe(0);
      fresh.close();
    } finally {
      child.stdin!.end();
      child.kill();
    }
  });
});
