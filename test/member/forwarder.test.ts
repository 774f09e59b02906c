import type { NatsConnection } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../../core/records.ts";
import { makeZxid } from "../../core/zxid.ts";
import {
  decodeForward,
  decodeWriteReply,
  encodeForward,
  encodeWriteReply,
} from "../../member/forward-codec.ts";
import { Forwarder, type ForwardResult } from "../../member/forwarder.ts";
import { Leader } from "../../member/leader.ts";
import { ensureLogStream, LogTail } from "../../member/log.ts";
import { memberSubject } from "../../member/member-links.ts";
import { Replica } from "../../member/replica.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, LogBook, startMember, until } from "./harness.ts";

const settings = {
  memberId: "l1",
  subject: "nzk.log",
  appendTimeoutMs: 5000,
  group: { maxInFlight: 4, maxBytes: 64 * 1024, maxTxns: 1000 },
  core: { maxDataBytes: 1 << 20 },
};
const anyone = { sessionId: 0, auth: [] };
const create = (path: string, data = ""): WriteRequest => ({
  op: "create",
  path,
  data: bytes(data),
  acl: OPEN_ACL_UNSAFE,
  mode: "persistent",
});

/** A fenced leader of epoch 1 at the start of an empty log; lost resolves when its leadership ends. */
async function leaderOfEpoch1(nc: NatsConnection) {
  await ensureLogStream(nc, { stream: "NZK_LOG", subject: "nzk.log", replicas: 1, maxMsgBytes: 1 << 20 });
  const replica = new Replica();
  let onLost: (err: Error) => void = () => {};
  const lost = new Promise<Error>((resolve) => {
    onLost = resolve;
  });
  const leader = new Leader(
    nc,
    replica,
    settings,
    1,
    async () => undefined,
    (err) => onLost(err),
  );
  expect(await leader.fence()).toBe(true);
  return { leader, replica, lost };
}

/** Serves the leader's forwarded writes as a member does: proposals, answered at once. */
function serveForwards(nc: NatsConnection, leader: Leader) {
  return nc.subscribe(memberSubject("nzk.api", settings.memberId, "write"), {
    callback: (_err, msg) => {
      const fwd = decodeForward(msg.data);
      if (isZkError(fwd)) throw new Error(fwd.message);
      void Promise.all(fwd.writes.map((w) => leader.propose(w.caller, w.req))).then((proposals) =>
        msg.respond(encodeWriteReply({ proposals })),
      );
    },
  });
}

/** A follower: a replica fed by the log tail, and its forwarder. */
function follower(nc: NatsConnection) {
  const replica = new Replica();
  const forwarder = new Forwarder(nc, { apiPrefix: "nzk.api", memberId: "f", timeoutMs: 5000 }, replica);
  replica.onApplied = (applied) => forwarder.applied(applied);
  const tail = new LogTail(
    nc,
    "NZK_LOG",
    1,
    (entry) => replica.applyEntry(entry),
    () => {},
  );
  return { replica, forwarder, tail };
}

const L1 = { memberId: "l1", epoch: 1 };

function committedZxid(result: ForwardResult): number {
  if (result === "retry" || result === "replaced" || result instanceof Error || "error" in result) {
    throw new Error(`not committed: ${JSON.stringify(result)}`);
  }
  expect(result.committed.error).toBeUndefined();
  return result.committed.applied.zxid;
}

describe("forwarded writes", () => {
  it("are proposed at once: the leader names each write's zxid before its append is acknowledged", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const { leader, replica } = await leaderOfEpoch1(nc);
    const proposal = await leader.propose(anyone, create("/a"));
    expect(proposal).toEqual({ zxid: makeZxid(1, 1) });
    expect(replica.tree.has("/a")).toBe(false);
    // A failed request is proposed too, with the error prep found, and commits as an error txn.
    expect(await leader.propose(anyone, create("/a"))).toMatchObject({
      zxid: makeZxid(1, 2),
      failed: { code: "NodeExists", path: "/a" },
    });
    expect(await leader.propose(anyone, create("/big", "x".repeat(100 * 1024)))).toMatchObject({
      refused: { code: "MarshallingError" },
    });
    await replica.waitZxid(makeZxid(1, 2));
    expect(replica.tree.has("/a")).toBe(true);
    expect(leader.stats).toMatchObject({ txns: 2 });
  });

  it("are answered by the follower once it applied them itself, in the order they were made", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const { leader } = await leaderOfEpoch1(nc);
    serveForwards(nc, leader);
    const f = follower(nc);
    try {
      const first = f.forwarder.send(L1, anyone, create("/n", "0"));
      const firstTurn = Array.from({ length: 30 }, (_, i) =>
        f.forwarder.send(L1, anyone, { op: "setData", path: "/n", data: bytes(`${i + 1}`), version: -1 }),
      );
      // The next turn's writes leave as another batch, after the first.
      await new Promise((r) => setImmediate(r));
      const secondTurn = Array.from({ length: 30 }, (_, i) =>
        f.forwarder.send(L1, anyone, { op: "setData", path: "/n", data: bytes(`${i + 31}`), version: -1 }),
      );
      const created = await first;
      expect(f.replica.tree.has("/n")).toBe(true);
      const zxids = [committedZxid(created)];
      for (const out of [...firstTurn, ...secondTurn]) {
        const result = await out;
        zxids.push(committedZxid(result));
        // The follower's own apply answered: its tree already holds the write.
        expect(f.replica.lastZxid).toBeGreaterThanOrEqual(zxids.at(-1)!);
      }
      expect(zxids).toEqual([...zxids].sort((a, b) => a - b));
      expect(new Set(zxids).size).toBe(61);
      expect(new TextDecoder().decode(f.replica.tree.data("/n"))).toBe("60");
    } finally {
      f.tail.stop();
      f.forwarder.close();
    }
  });

  it("fail with ConnectionLoss when their leader is deposed after proposing them, and are never applied", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const { leader, lost } = await leaderOfEpoch1(nc);
    serveForwards(nc, leader);
    const f = follower(nc);
    try {
      committedZxid(await f.forwarder.send(L1, anyone, create("/before")));
      // Another leader fences the log behind l1's back.
      const usurper = new Leader(
        nc,
        new Replica(undefined, f.replica.seq, 1),
        { ...settings, memberId: "l2" },
        2,
        async () => undefined,
        () => {},
      );
      expect(await usurper.fence()).toBe(true);
      const late = f.forwarder.send(L1, anyone, create("/late"));
      // l1 proposes /late (it does not know it is deposed), then its append is refused.
      expect((await lost).message).toMatch(/append/);
      const next = await usurper.submit(anyone, create("/after"));
      expect(isZkError(next)).toBe(false);
      expect(await late).toMatchObject({ error: { code: "ConnectionLoss" } });
      await f.replica.waitZxid(makeZxid(2, 1));
      expect(f.replica.tree.has("/late")).toBe(false);
      expect(f.replica.tree.has("/after")).toBe(true);
    } finally {
      f.tail.stop();
      f.forwarder.close();
    }
  });

  it("sent to a leadership the election has replaced are answered at once, queued or out", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    // A leader that never answers: only leaderIs can end these writes before their timeout.
    nc.subscribe(memberSubject("nzk.api", "l1", "write"), { callback: () => {} });
    await nc.flush();
    const f = follower(nc);
    try {
      const out = f.forwarder.send(L1, anyone, create("/out"));
      await new Promise((r) => setImmediate(r));
      const queued = f.forwarder.send(L1, anyone, create("/queued"));
      // l1 claimed again with a newer epoch: writes sent to that leadership are kept.
      const kept = f.forwarder.send({ memberId: "l1", epoch: 2 }, anyone, create("/kept"));
      f.forwarder.leaderIs(2);
      expect(await out).toBe("replaced");
      expect(await queued).toBe("replaced");
      const pending = Symbol("pending");
      await new Promise((r) => setImmediate(r));
      expect(await Promise.race([kept, Promise.resolve(pending)])).toBe(pending);
      f.forwarder.leaderIs(undefined);
      expect(await kept).toBe("replaced");
    } finally {
      f.tail.stop();
      f.forwarder.close();
    }
  });

  it("whose answer is unreadable fail at once, as writes of unknown outcome, not at the timeout", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    nc.subscribe(memberSubject("nzk.api", "l1", "write"), {
      callback: (_err, msg) => {
        msg.respond(new Uint8Array([9, 9, 9]));
      },
    });
    const f = follower(nc);
    try {
      const results = await Promise.all([
        f.forwarder.send(L1, anyone, create("/a")),
        f.forwarder.send(L1, anyone, create("/b")),
      ]);
      for (const result of results) {
        expect(result).toBeInstanceOf(Error);
        expect((result as Error).message).toMatch(/unreadable.*unknown format 9/);
      }
    } finally {
      f.tail.stop();
      f.forwarder.close();
    }
  });

  it("that are malformed are not answered: the leader logs a warning and goes on serving", async () => {
    await using nats = await natsServer();
    const book = new LogBook();
    const member = await startMember(nats.url, "m1", {}, book.for("m1"));
    try {
      await until("m1 leads", () => member.state === "LEADING");
      const subject = memberSubject(member.config.apiPrefix, "m1", "write");
      const nc = await nats.connect();
      const answers: string[] = [];
      const answered = new Promise<Uint8Array>((resolve) => {
        nc.subscribe("test.answers.*", {
          callback: (_err, msg) => {
            answers.push(msg.subject);
            resolve(msg.data);
          },
        });
      });
      await nc.flush();
      nc.publish(subject, new Uint8Array([1, 0, 0, 0, 1, 0]), { reply: "test.answers.bad" });
      nc.publish(subject, encodeForward({ writes: [{ caller: anyone, req: create("/ok") }] }), {
        reply: "test.answers.good",
      });
      // The member answers in the order it reads, so an answer to the bad one would come first.
      expect(decodeWriteReply(await answered)).toMatchObject({ proposals: [{ zxid: expect.any(Number) }] });
      expect(answers).toEqual(["test.answers.good"]);
      expect(book.first("m1", "malformed forward ignored")?.fields).toMatchObject({
        level: "warn",
        subject,
        error: expect.stringMatching(/truncated/),
      });
    } finally {
      await member.close();
    }
  });

  it("that reach no leader are to be retried", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const f = follower(nc);
    try {
      expect(await f.forwarder.send({ memberId: "nobody", epoch: 1 }, anyone, create("/x"))).toBe("retry");
    } finally {
      f.tail.stop();
      f.forwarder.close();
    }
  });
});
