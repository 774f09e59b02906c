/**
 * Sessions across a leader change. ZooKeeper's new leader builds its SessionTracker when it starts
 * serving (Leader.lead → startZkServer → ZooKeeperServer.startup → createSessionTracker), and
 * SessionTrackerImpl's constructor tracks every session of its database afresh: each expires at
 * ExpiryQueue.roundToNextInterval(start + its timeout), whatever its last keepalive was under the old
 * leader. And a session's requests are executed in the order its client sent them (FIFO client order),
 * which a member keeps for everything sent through it, also while the leadership changes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { epochOf } from "../../core/zxid.ts";
import type { Member } from "../../member/member.ts";
import { SessionTracker } from "../../member/session-tracker.ts";
import { natsServer } from "../fixtures/nats.ts";
import { spawnMember } from "./child.ts";
import { bytes, LogBook, snapshotOf, startMember, until } from "./harness.ts";

const TICK = 50;
const TIMEOUT = 2000;
/** A maximum far above TIMEOUT, so a leader that gave sessions the wrong timeout would show. */
const sessionSettings = { tickMs: TICK, minSessionTimeoutMs: 200, maxSessionTimeoutMs: 10_000 };
const childEnv = {
  NZK_TICK_MS: String(TICK),
  NZK_MIN_SESSION_TIMEOUT_MS: "200",
  NZK_MAX_SESSION_TIMEOUT_MS: "10000",
};

const noError = (out: unknown): void => {
  const err = isZkError(out) ? out : (out as { error?: unknown }).error;
  expect(err).toBeUndefined();
};

async function createNode(member: Member, sessionId: number, path: string, ephemeral: boolean) {
  noError(
    await member.write(
      { sessionId, auth: [] },
      {
        op: "create",
        path,
        data: bytes(""),
        acl: OPEN_ACL_UNSAFE,
        mode: ephemeral ? "ephemeral" : "persistent",
      },
    ),
  );
}

async function newSession(member: Member): Promise<number> {
  const s = await member.createSession(TIMEOUT);
  if (isZkError(s)) throw new Error(s.message);
  expect(s.timeoutMs).toBe(TIMEOUT);
  return s.sessionId;
}

const leaderOf = (members: readonly Member[]): Member | undefined =>
  members.find((m) => m.state === "LEADING");

describe("the session tracker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives every session it starts with a full timeout from its own start, expiring in whole ticks", () => {
    vi.useFakeTimers();
    let now = 10_030;
    const expired: { id: number; at: number }[] = [];
    const tracker = new SessionTracker(
      100,
      (id) => expired.push({ id, at: now }),
      () => now,
    );
    // As SessionTrackerImpl's constructor does for the sessions of a new leader's database.
    tracker.add(1, 1000);
    tracker.add(2, 2500);
    const advance = (ms: number): void => {
      for (let i = 0; i < ms; i++) {
        now += 1;
        vi.advanceTimersByTime(1);
      }
    };
    // roundToNextInterval(10_030 + 1000) = 11_100: never before start + timeout, at most one tick later.
    advance(11_099 - now);
    expect(expired).toEqual([]);
    advance(2);
    expect(expired).toEqual([{ id: 1, at: 11_101 }]);
    expect(tracker.touch(1)).toBe(false);
    // A touch moves session 2 to the bucket of touch time + timeout.
    expect(tracker.touch(2)).toBe(true);
    advance(12_600 - now);
    expect(expired).toHaveLength(1);
    advance(13_701 - now);
    expect(expired).toEqual([
      { id: 1, at: 11_101 },
      { id: 2, at: 13_701 },
    ]);
    tracker.close();
  });
});

describe("sessions across a leader change", () => {
  it("after kill -9 of the leader: a fresh timeout at the new leader, keepalives through a follower during the election, expiry at one zxid everywhere", async () => {
    await using nats = await natsServer();
    await using old = await spawnMember(nats.url, "m1", childEnv);
    await old.logged((l) => l.msg === "leading");
    const book = new LogBook();
    const members: Member[] = [];
    for (const id of ["m2", "m3"])
      members.push(await startMember(nats.url, id, sessionSettings, book.for(id)));
    // An observer never leads, so keepalives through it always travel to someone else.
    const observer = await startMember(
      nats.url,
      "o4",
      { ...sessionSettings, role: "observer" },
      book.for("o4"),
    );
    members.push(observer);
    let keepalive: NodeJS.Timeout | undefined;
    try {
      const silent = await newSession(observer);
      const silentSince = performance.now();
      const kept = await newSession(observer);
      await createNode(observer, 0, "/silent", false);
      await createNode(observer, 0, "/kept", false);
      await createNode(observer, silent, "/silent/e", true);
      await createNode(observer, kept, "/kept/e", true);
      // The kept session's client uses it through the observer all along; touches ride on its pings.
      keepalive = setInterval(() => observer.touched(kept), TICK);
      // By the old leader's clock the silent session would expire 0.4 timeout after the kill.
      await until("the silent session has been silent for 0.6 of its timeout", () => {
        return performance.now() - silentSince >= 0.6 * TIMEOUT;
      });
      const exited = new Promise((r) => old.proc.once("exit", r));
      old.proc.kill("SIGKILL");
      await exited;
      expect(leaderOf(members)).toBeUndefined();
      // An explicit keepalive sent during the election is answered once the new leader serves.
      const duringElection = observer.touch(kept);
      await until("another member leads", () => leaderOf(members) !== undefined);
      expect(await duringElection).toBe(true);
      const leader = leaderOf(members)!;
      const claimed = book.first(leader.config.memberId, "claimed")!;
      const leading = book.first(leader.config.memberId, "leading")!;

      await until(
        "the silent session's ephemeral is gone on every member",
        () => members.every((m) => !m.replica.tree.has("/silent/e")),
        3 * TIMEOUT + 10_000,
      );
      const goneAt = performance.now();
      console.info(
        `the new leader led ${Math.round(leading.at - claimed.at)} ms after its claim; the silent session expired ${Math.round(goneAt - leading.at)} ms after it led (timeout ${TIMEOUT} ms, tick ${TICK} ms)`,
      );
      // Not before a full timeout from when the new leader began tracking (after its claim)...
      expect(goneAt).toBeGreaterThanOrEqual(claimed.at + TIMEOUT);
      // ...and well before a second one: the session's own timeout, not another, counts.
      expect(goneAt).toBeLessThan(leading.at + 2 * TIMEOUT + TICK);

      for (const m of members) expect(isZkError(await m.sync())).toBe(false);
      const zxids = members.map((m) => m.replica.tree.stat("/silent")!.pzxid);
      expect(new Set(zxids).size).toBe(1);
      expect(epochOf(zxids[0]!)).toBe(leader.epoch);
      for (const m of members) {
        expect(m.replica.tree.session(silent)).toBeUndefined();
        expect(m.replica.tree.has("/kept/e"), `the kept session's ephemeral on ${m.config.memberId}`).toBe(
          true,
        );
      }
      expect(new Set(members.map(snapshotOf)).size).toBe(1);
      expect(await observer.touch(kept)).toBe(true);
    } finally {
      clearInterval(keepalive);
      for (const m of members) await m.close();
    }
  });

  it("a paused leader's own expiries, once it resumes, never take effect", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await using old = await spawnMember(nats.url, "m1", childEnv);
    await old.logged((l) => l.msg === "leading");
    const members: Member[] = [];
    for (const id of ["m2", "m3"]) members.push(await startMember(nats.url, id, sessionSettings));
    const via = members[0]!;
    let keepalive: NodeJS.Timeout | undefined;
    try {
      const session = await newSession(via);
      await createNode(via, session, "/alive", true);
      keepalive = setInterval(() => {
        for (const m of members) m.touched(session);
      }, TICK);
      old.proc.kill("SIGSTOP");
      const pausedAt = performance.now();
      await until("another member leads", () => leaderOf(members) !== undefined);
      // Long enough that the paused leader, by its own clock, finds the session overdue on waking.
      await until("the old leader missed a whole timeout", () => {
        return performance.now() - pausedAt > TIMEOUT + 2 * TICK;
      });
      old.proc.kill("SIGCONT");
      await old.logged((l) => l.msg === "stepped down");
      const leader = leaderOf(members)!;
      let probe = await old.probe(nc);
      for (let i = 0; i < 500 && probe.lastZxid !== leader.replica.lastZxid; i++) probe = await old.probe(nc);
      expect(probe.state).toBe("FOLLOWING");
      for (const m of members) {
        await m.sync();
        expect(m.replica.tree.has("/alive")).toBe(true);
        expect(m.replica.tree.session(session)).toBeDefined();
      }
      expect(probe.lastZxid).toBe(leader.replica.lastZxid);
    } finally {
      clearInterval(keepalive);
      for (const m of members) await m.close();
    }
  });
});

/**
 * One session's writes fired through a member one after another, each without waiting for the
 * previous reply, as a ZooKeeper client pipelines requests on its connection.
 */
function pipeline(member: Member, sessionId: number, path: string) {
  const outcomes: { index: number; zxid?: number; error?: string }[] = [];
  const pending: Promise<void>[] = [];
  let next = 0;
  return {
    outcomes,
    fire(count: number): void {
      for (let k = 0; k < count; k++) {
        const index = next++;
        pending.push(
          member
            .write({ sessionId, auth: [] }, { op: "setData", path, data: bytes(String(index)), version: -1 })
            .then((out) => {
              if (isZkError(out)) outcomes.push({ index, error: out.code });
              else if (out.error !== undefined) outcomes.push({ index, error: out.error.code });
              else outcomes.push({ index, zxid: out.applied.zxid });
            }),
        );
      }
    },
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
    /** Indexes of committed writes listed in zxid order: FIFO means ascending. */
    committedInZxidOrder(): number[] {
      return outcomes
        .filter((o) => o.zxid !== undefined)
        .sort((a, b) => a.zxid! - b.zxid!)
        .map((o) => o.index);
    },
  };
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

describe("per-session order", () => {
  it("a session's writes sent through one member are applied in the order sent, through the leader, a follower, and across a leader change", async () => {
    await using nats = await natsServer();
    await using old = await spawnMember(nats.url, "m1", childEnv);
    await old.logged((l) => l.msg === "leading");
    const members: Member[] = [];
    for (const id of ["m2", "m3"]) members.push(await startMember(nats.url, id, sessionSettings));
    let pacing = true;
    try {
      const pipes: { member: Member; pipe: ReturnType<typeof pipeline> }[] = [];
      for (const m of members) {
        const session = await newSession(m);
        const path = `/fifo-${m.config.memberId}`;
        await createNode(m, 0, path, false);
        pipes.push({ member: m, pipe: pipeline(m, session, path) });
      }
      // A burst through a follower, all in one turn of the event loop.
      for (const { pipe } of pipes) pipe.fire(200);
      for (const { pipe } of pipes) {
        await pipe.settled();
        expect(pipe.outcomes.filter((o) => o.error !== undefined)).toEqual([]);
        expect(pipe.committedInZxidOrder()).toEqual(ascending(pipe.committedInZxidOrder()));
      }

      // Then a steady stream through both members while the leader dies; one of them takes over.
      const paced = (async () => {
        while (pacing) {
          for (const { pipe } of pipes) pipe.fire(1);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const oldEpoch = members[0]!.epoch;
      await until("writes flow", () => pipes.every(({ pipe }) => pipe.outcomes.length >= 250));
      old.proc.kill("SIGKILL");
      await until("another member leads", () => leaderOf(members) !== undefined);
      const newEpoch = leaderOf(members)!.epoch;
      expect(newEpoch).toBeGreaterThan(oldEpoch);
      await until("writes flow under the new leader", () =>
        pipes.every(
          ({ pipe }) =>
            pipe.outcomes.filter((o) => o.zxid !== undefined && epochOf(o.zxid) === newEpoch).length >= 100,
        ),
      );
      pacing = false;
      await paced;
      for (const { member, pipe } of pipes) {
        await pipe.settled();
        const order = pipe.committedInZxidOrder();
        expect(order, `the order of ${member.config.memberId}'s session's writes`).toEqual(ascending(order));
        // The last committed write is the value every member holds.
        await member.sync();
        const last = pipe.outcomes.filter((o) => o.zxid !== undefined).sort((a, b) => b.zxid! - a.zxid!)[0]!;
        const data = member.replica.tree.data(`/fifo-${member.config.memberId}`);
        expect(new TextDecoder().decode(data)).toBe(String(last.index));
      }
    } finally {
      pacing = false;
      for (const m of members) await m.close();
    }
  });
});
