import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { counterOf, epochOf, MAX_COUNTER } from "../../core/zxid.ts";
import { Leader } from "../../member/leader.ts";
import { decodeEntry, ensureLogStream } from "../../member/log.ts";
import { Replica } from "../../member/replica.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes } from "./harness.ts";

const settings = {
  memberId: "l",
  subject: "nzk.log",
  appendTimeoutMs: 5000,
  group: { maxInFlight: 4, maxBytes: 1 << 20, maxTxns: 1000 },
  core: { maxDataBytes: 1 << 20 },
};

describe("the leader's broadcast", () => {
  it("moves to the next epoch when the zxid counter runs out, without an election or a failed write", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, { stream: "NZK_LOG", subject: "nzk.log", replicas: 1, maxMsgBytes: 1 << 20 });
    const replica = new Replica();
    const epochsAsked: number[] = [];
    const leader = new Leader(
      nc,
      replica,
      { ...settings, firstCounter: MAX_COUNTER - 3 },
      1,
      async (current) => {
        epochsAsked.push(current);
        return current + 1;
      },
      (err) => {
        throw err;
      },
    );
    expect(await leader.fence()).toBe(true);
    const outs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        leader.submit(
          { sessionId: 0, auth: [] },
          { op: "create", path: `/n${i}`, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "persistent" },
        ),
      ),
    );
    const zxids = outs.map((o) => {
      if (isZkError(o)) throw new Error(o.message);
      return o.applied.zxid;
    });
    expect(epochsAsked).toEqual([1]);
    expect(leader.lost).toBe(false);
    expect(zxids.slice(0, 3).map(epochOf)).toEqual([1, 1, 1]);
    expect(counterOf(zxids[2]!)).toBe(MAX_COUNTER);
    expect(zxids.slice(3).map(epochOf)).toEqual(Array(7).fill(2));
    expect(counterOf(zxids[3]!)).toBe(1);
    expect([...zxids].sort((a, b) => a - b)).toEqual(zxids);

    const jsm = await jetstreamManager(nc);
    const kinds: string[] = [];
    const last = (await jsm.streams.info("NZK_LOG")).state.last_seq;
    for (let seq = 1; seq <= last; seq++) {
      const m = (await jsm.streams.getMessage("NZK_LOG", { seq }))!;
      const e = decodeEntry(seq, m.header, m.data)!;
      kinds.push(e.kind === "epoch" ? `epoch ${e.epoch}` : "txns");
    }
    expect(kinds.filter((k) => k.startsWith("epoch"))).toEqual(["epoch 1", "epoch 2"]);
    expect(replica.epoch).toBe(2);
    expect(replica.lastZxid).toBe(zxids[9]);
  });

  it("answers ConnectionLoss for everything pending once an append is refused, and applies nothing unlogged", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, { stream: "NZK_LOG", subject: "nzk.log", replicas: 1, maxMsgBytes: 1 << 20 });
    const replica = new Replica();
    let lost: Error | undefined;
    const leader = new Leader(
      nc,
      replica,
      settings,
      1,
      async () => undefined,
      (err) => {
        lost = err;
      },
    );
    expect(await leader.fence()).toBe(true);
    // Another leader fences the log behind this one's back.
    const usurper = new Leader(
      nc,
      new Replica(undefined, 1, 1),
      { ...settings, memberId: "u" },
      2,
      async () => undefined,
      () => {},
    );
    expect(await usurper.fence()).toBe(true);
    const out = await leader.submit(
      { sessionId: 0, auth: [] },
      { op: "create", path: "/late", data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "persistent" },
    );
    expect(out).toMatchObject({ code: "ConnectionLoss" });
    expect(lost).toBeDefined();
    expect(replica.tree.has("/late")).toBe(false);
    expect(replica.seq).toBe(1);
  });

  it("refuses a write too large for one log message without losing the leadership", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, { stream: "NZK_LOG", subject: "nzk.log", replicas: 1, maxMsgBytes: 1 << 20 });
    const replica = new Replica();
    const small = { ...settings, group: { ...settings.group, maxBytes: 64 * 1024 } };
    const leader = new Leader(
      nc,
      replica,
      small,
      1,
      async () => undefined,
      (err) => {
        throw err;
      },
    );
    expect(await leader.fence()).toBe(true);
    const caller = { sessionId: 0, auth: [] };
    const big = await leader.submit(caller, {
      op: "create",
      path: "/big",
      data: new Uint8Array(100 * 1024),
      acl: OPEN_ACL_UNSAFE,
      mode: "persistent",
    });
    expect(big).toMatchObject({ code: "MarshallingError", zkCode: -5, path: "/big" });
    const next = await leader.submit(caller, {
      op: "create",
      path: "/small",
      data: bytes("ok"),
      acl: OPEN_ACL_UNSAFE,
      mode: "persistent",
    });
    expect(isZkError(next)).toBe(false);
    expect(leader.lost).toBe(false);
    expect(replica.tree.has("/small")).toBe(true);
  });
});
