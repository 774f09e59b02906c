import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import type { Member } from "../../member/member.ts";
import { natsServer } from "../fixtures/nats.ts";
import { spawnMember } from "./child.ts";
import { bytes, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };

describe("no false failover", () => {
  it("keeps the leader under full write load and through a stall of every member's event loop", async () => {
    await using nats = await natsServer();
    const members: Member[] = [];
    try {
      for (const id of ["m1", "m2", "m3"]) members.push(await startMember(nats.url, id));
      await until("one leads", () => members.some((m) => m.state === "LEADING"));
      const leader = members.find((m) => m.state === "LEADING")!;
      const epoch = leader.epoch;

      let written = 0;
      const load = members.flatMap((m, k) =>
        Array.from({ length: 22 }, async (_, w) => {
          for (let i = 0; i < 60; i++) {
            const out = await m.write(anyone, {
              op: "create",
              path: `/l${k}-${w}-${i}`,
              data: bytes("x".repeat(100)),
              acl: OPEN_ACL_UNSAFE,
              mode: "persistent",
            });
            expect(isZkError(out) ? out : out.error).toBeUndefined();
            written++;
          }
        }),
      );
      await until("half the load is written", () => written >= 2000, 60_000);
      // A second of a blocked event loop, as a long GC pause or a large snapshot would block it.
      const blockedUntil = performance.now() + 1000;
      while (performance.now() < blockedUntil) {
        /* busy */
      }
      await Promise.all(load);
      expect(written).toBe(3 * 22 * 60);
      for (const m of members) expect(m.epoch).toBe(epoch);
      expect(members.filter((m) => m.state === "LEADING")).toEqual([leader]);
    } finally {
      for (const m of members) await m.close();
    }
  }, 120_000);

  it("keeps the leader when a follower's process is paused and resumed", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const leader = await startMember(nats.url, "m1");
    try {
      await until("m1 leads", () => leader.state === "LEADING");
      await using follower = await spawnMember(nats.url, "m2");
      const epoch = leader.epoch;
      follower.proc.kill("SIGSTOP");
      // The pause is the fault being injected, not a wait for something to happen.
      await new Promise((r) => setTimeout(r, 1200));
      follower.proc.kill("SIGCONT");
      for (let i = 0; i < 20; i++) {
        const out = await leader.write(anyone, {
          op: "create",
          path: `/after-${i}`,
          data: bytes(""),
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        });
        expect(isZkError(out)).toBe(false);
      }
      let probe = await follower.probe(nc);
      while (probe.lastZxid !== leader.replica.lastZxid) probe = await follower.probe(nc);
      expect(probe.state).toBe("FOLLOWING");
      expect(leader.state).toBe("LEADING");
      expect(leader.epoch).toBe(epoch);
      expect(follower.lines.filter((l) => l.msg === "claimed")).toEqual([]);
    } finally {
      await leader.close();
    }
  });
});
