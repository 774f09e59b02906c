/**
 * Members behind a purge. Snapshots are taken every N txns and the log is purged below the oldest one
 * kept (ZooKeeper's autopurge), so a member that was away long enough finds the entries it needs gone:
 * it must reload the newest snapshot and replay the tail from there, as a ZooKeeper learner gets a SNAP
 * instead of a DIFF when the leader's committed log no longer reaches back to its zxid.
 */
import { createHash } from "node:crypto";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { serializeSnapshot } from "../../core/index.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { MemberApi } from "../../member/api.ts";
import { logFirst, logTip } from "../../member/log.ts";
import type { Member } from "../../member/member.ts";
import { SnapshotStore } from "../../member/snapshots.ts";
import { natsServer } from "../fixtures/nats.ts";
import { type ChildMember, spawnMember } from "./child.ts";
import { bytes, LogBook, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const snapshotPolicy = { snapshotEveryTxns: 200, snapshotsKept: 1 };
const childEnv = { NZK_SNAPSHOT_EVERY_TXNS: "200", NZK_SNAPSHOTS_KEPT: "1" };
/**
 * A member's log tail pulls up to this many entries ahead (LogTail's consume batch): the server may
 * already have pushed that many into a paused member's socket, so the purge must pass them all.
 */
const PULL_AHEAD = 1000;

const treeHash = (m: Member): string =>
  createHash("sha256").update(serializeSnapshot(m.replica.tree)).digest("hex");

/** Writes one at a time, so each is a log message of its own: creates, and changes of older nodes. */
async function write(member: Member, i: number): Promise<void> {
  const req =
    i % 5 === 4
      ? ({ op: "setData", path: `/p/${i - 4}`, data: bytes(`changed ${i}`), version: -1 } as const)
      : ({
          op: "create",
          path: `/p/${i}`,
          data: bytes(`${i}`),
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        } as const);
  const out = await member.write(anyone, req);
  expect(isZkError(out) ? out : out.error).toBeUndefined();
}

/** Probes a member process until it has applied zxid; its state and tree hash then. */
async function caughtUp(child: ChildMember, nc: Parameters<ChildMember["probe"]>[0], zxid: number) {
  let probe = await child.probe(nc);
  for (let i = 0; i < 1000 && probe.lastZxid < zxid; i++) {
    await new Promise((r) => setTimeout(r, 20));
    probe = await child.probe(nc);
  }
  return probe;
}

async function purgedPast(jsm: JetStreamManager, seq: number): Promise<boolean> {
  return (await logFirst(jsm, "NZK_LOG")) > seq;
}

describe("a member behind a purge", () => {
  it("a paused follower whose log position was purged reloads the newest snapshot, replays the tail, and serves the same tree; a member joining later starts from the snapshot", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const book = new LogBook();
    const members: Member[] = [];
    try {
      members.push(await startMember(nats.url, "m1", snapshotPolicy));
      await until("m1 leads", () => members[0]!.state === "LEADING");
      const leader = members[0]!;
      await using behind = await spawnMember(nats.url, "m2", childEnv);
      // The follower that takes the snapshots while m2 is away.
      members.push(await startMember(nats.url, "m3", snapshotPolicy));
      noError(
        await leader.write(anyone, {
          op: "create",
          path: "/p",
          data: bytes(""),
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        }),
      );
      let i = 0;
      for (; i < 50; i++) await write(leader, i);
      const before = await caughtUp(behind, nc, leader.replica.lastZxid);
      expect(before.state).toBe("FOLLOWING");
      expect(before.seq).toBe(await logTip(jsm, "NZK_LOG"));

      behind.proc.kill("SIGSTOP");
      // Far enough that nothing m2 had pulled, or could have been pushed, is still in the log.
      while (!(await purgedPast(jsm, before.seq + PULL_AHEAD + 1)) && i < 20_000) {
        for (const end = i + 100; i < end; i++) await write(leader, i);
      }
      expect(await purgedPast(jsm, before.seq + PULL_AHEAD + 1)).toBe(true);

      // Writes go on while m2 recovers, so snapshots and purges may overtake it again.
      let writing = true;
      const more = (async () => {
        while (writing) await write(leader, i++);
      })();
      behind.proc.kill("SIGCONT");
      const gap = await behind.logged((l) => l.msg === "log tail failed" && /log gap/.test(String(l.error)));
      const [, , purgedTo] = /log gap: expected (\d+), got (\d+)/.exec(String(gap.error))!;
      const loaded = await behind.logged((l) => l.msg === "loaded snapshot");
      // A snapshot whose tail is still in the log: taken at or after the entry before the gap's end.
      expect(Number(loaded.seq)).toBeGreaterThanOrEqual(Number(purgedTo) - 1);
      writing = false;
      await more;
      const after = await caughtUp(behind, nc, leader.replica.lastZxid);
      expect(after.state).toBe("FOLLOWING");
      expect(after.lastZxid).toBe(leader.replica.lastZxid);
      expect(after.tree).toBe(treeHash(leader));
      // Its tail goes on from the snapshot: later writes reach it too.
      for (const end = i + 20; i < end; i++) await write(leader, i);
      const later = await caughtUp(behind, nc, leader.replica.lastZxid);
      expect(later.tree).toBe(treeHash(leader));

      // A member joining now cannot replay from the start: it loads the newest snapshot.
      const first = await logFirst(jsm, "NZK_LOG");
      expect(first).toBeGreaterThan(1);
      const joined = await startMember(
        nats.url,
        "o4",
        { ...snapshotPolicy, role: "observer" },
        book.for("o4"),
      );
      members.push(joined);
      const recovered = book.first("o4", "recovered")!;
      const snapshots = await (await SnapshotStore.open(nc, "nzk-snapshots", 1, "NZK_LOG")).list();
      expect(snapshots.map((s) => s.name)).toContain(recovered.fields.snapshot);
      const used = snapshots.find((s) => s.name === recovered.fields.snapshot)!;
      expect(used.seq).toBeGreaterThanOrEqual(first - 1);
      const api = new MemberApi(joined);
      // /p/0 was created long before the oldest entry left in the log, /p/0's change too.
      expect(await api.get({}, "/p/0", { sync: true })).toMatchObject({ data: "changed 4" });
      expect(treeHash(joined)).toBe(treeHash(leader));
    } finally {
      for (const m of members) await m.close();
    }
  });
});

function noError(out: unknown): void {
  expect(isZkError(out) ? out : (out as { error?: unknown }).error).toBeUndefined();
}
