import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { DataTree } from "../../core/index.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { toHex } from "../../core/zxid.ts";
import { ensureLogStream, LogWriter } from "../../member/log.ts";
import type { Member } from "../../member/member.ts";
import { SnapshotStore } from "../../member/snapshots.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, snapshotOf, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const policy = { snapshotEveryTxns: 50, snapshotsKept: 1 };

describe("snapshots", () => {
  it("are taken by a follower, purge the log behind them, and a member restarted from one equals the others", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const members: Member[] = [];
    try {
      for (const id of ["m1", "m2"]) members.push(await startMember(nats.url, id, policy));
      await until("one leads", () => members.some((m) => m.state === "LEADING"));
      for (let batch = 0; batch < 6; batch++) {
        const outs = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            members[1]!.write(anyone, {
              op: "create",
              path: `/s${batch}-${i}`,
              data: bytes(`${batch}/${i}`),
              acl: OPEN_ACL_UNSAFE,
              mode: "persistent",
            }),
          ),
        );
        for (const o of outs) expect(isZkError(o) ? o : o.error).toBeUndefined();
      }
      const store = await SnapshotStore.open(nc, "nzk-snapshots", 1, "NZK_LOG");
      const jsm = await jetstreamManager(nc);
      let refs = await store.list();
      while (refs.length === 0 || (await jsm.streams.info("NZK_LOG")).state.first_seq <= 1)
        refs = await store.list();
      expect(refs).toHaveLength(1);
      const first = (await jsm.streams.info("NZK_LOG")).state.first_seq;
      // The snapshot's own entry stays: a leader idle at the tip still finds its last append there.
      expect(first).toBe(refs[0]!.seq);

      const restarted = await startMember(nats.url, "m3", policy);
      members.push(restarted);
      await restarted.sync();
      for (const m of members) await m.sync();
      const zxid = members[0]!.replica.lastZxid;
      await until("all applied", () => members.every((m) => m.replica.lastZxid === zxid));
      expect(new Set(members.map(snapshotOf)).size).toBe(1);
      expect(restarted.replica.tree.has("/s5-39")).toBe(true);
    } finally {
      for (const m of members) await m.close();
    }
  });

  it("hold exactly the state at the sequence they are named by, though writes go on while they are taken", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const members: Member[] = [];
    let writing = true;
    try {
      for (const id of ["m1", "m2"]) {
        members.push(await startMember(nats.url, id, { snapshotEveryTxns: 300, snapshotsKept: 20 }));
      }
      await until("one leads", () => members.some((m) => m.state === "LEADING"));
      const follower = members.find((m) => m.state !== "LEADING")!;
      const paths = Array.from({ length: 32 }, (_, i) => `/v${i}`);
      for (const path of paths) {
        await follower.write(anyone, {
          op: "create",
          path,
          data: bytes(""),
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        });
      }
      // setData bumps a version each time: an entry applied twice on top of a snapshot would show.
      const load = Promise.all(
        paths.map(async (path, i) => {
          for (let n = 0; writing && n < 5_000; n++) {
            const out = await follower.write(anyone, {
              op: "setData",
              path,
              data: bytes(`${i}.${n}`),
              version: -1,
            });
            expect(isZkError(out) ? out : out.error).toBeUndefined();
          }
        }),
      );
      const store = await SnapshotStore.open(nc, "nzk-snapshots", 1, "NZK_LOG");
      const deadline = performance.now() + 30_000;
      while ((await store.list()).length < 4 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      writing = false;
      await load;
      const refs = await store.list();
      expect(refs.length).toBeGreaterThanOrEqual(4);
      const jsm = await jetstreamManager(nc);
      for (const ref of refs) {
        // the last zxid of the log entry the snapshot is named by is the last zxid it holds
        const entry = await jsm.streams.getMessage("NZK_LOG", { seq: ref.seq });
        expect(entry?.header.get("Nzk-Zxid"), ref.name).toBe(toHex(ref.zxid));
      }
      const restarted = await startMember(nats.url, "m3", { snapshotEveryTxns: 1_000_000 });
      members.push(restarted);
      for (const m of members) await m.sync();
      const zxid = members[0]!.replica.lastZxid;
      await until("all applied", () => members.every((m) => m.replica.lastZxid === zxid));
      expect(new Set(members.map(snapshotOf)).size).toBe(1);
    } finally {
      writing = false;
      for (const m of members) await m.close();
    }
  }, 60_000);

  it("taken at the leader's last append, leave that append in the log, so the leader's next append is accepted", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, {
      stream: "NZK_LOG",
      subject: "nzk.log",
      replicas: 1,
      maxMsgBytes: 1024 * 1024,
    });
    const store = await SnapshotStore.open(nc, "nzk-snapshots", 1, "NZK_LOG");
    const leader = new LogWriter(nc, "nzk.log", 0, 1, 5000);
    await leader.append({ kind: "epoch", epoch: 1, leader: "a" });
    const tip = await leader.append({ kind: "txns", lastZxid: 2 ** 32 + 1, data: bytes("x") });
    // An idle leader: a snapshot at the tip, with only itself kept, so the purge reaches the tip.
    await store.save(new DataTree(), tip, 1, 1);
    expect(await leader.append({ kind: "txns", lastZxid: 2 ** 32 + 2, data: bytes("y") })).toBe(tip + 1);
  });
  it("a joining member says which snapshot it loads and which log entries it replays, before it has", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const first = await startMember(nats.url, "m1", { snapshotEveryTxns: 50, snapshotsKept: 1 });
    const store = await SnapshotStore.open(nc, "nzk-snapshots", 1, "NZK_LOG");
    const create = async (path: string) => {
      const out = await first.write(anyone, {
        op: "create",
        path,
        data: bytes(path),
        acl: OPEN_ACL_UNSAFE,
        mode: "persistent",
      });
      expect(isZkError(out) ? out : out.error).toBeUndefined();
    };
    try {
      await until("m1 leads", () => first.state === "LEADING");
      for (let i = 0; i < 60; i++) await create(`/a${i}`);
      let refs = await store.list();
      while (refs.length === 0) refs = await store.list();
      // Fewer than snapshotEveryTxns more, so the snapshot stays the newest and these are its tail.
      for (let i = 0; i < 10; i++) await create(`/b${i}`);
    } finally {
      await first.close();
    }
    const [snapshot] = await store.list();
    const tip = (await (await jetstreamManager(nc)).streams.info("NZK_LOG")).state.last_seq;
    expect(snapshot!.seq).toBeLessThan(tip);
    const events: [string, Record<string, unknown> | undefined][] = [];
    const joined = await startMember(nats.url, "m2", {}, (event, fields) => events.push([event, fields]));
    try {
      const names = events.map(([event]) => event);
      const loading = names.indexOf("loading snapshot");
      const replaying = names.indexOf("replaying log");
      expect(loading).toBeGreaterThanOrEqual(0);
      expect(replaying).toBeGreaterThan(loading);
      expect(names.indexOf("recovered")).toBeGreaterThan(replaying);
      expect(events[loading]![1]).toEqual({
        snapshot: snapshot!.name,
        seq: snapshot!.seq,
        bytes: snapshot!.bytes,
      });
      expect(snapshot!.bytes).toBeGreaterThan(0);
      expect(events[replaying]![1]).toEqual({ from: snapshot!.seq + 1, to: tip });
      expect(joined.replica.tree.has("/b9")).toBe(true);
    } finally {
      await joined.close();
    }
  });
});
