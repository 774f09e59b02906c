import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
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
      expect(first).toBe(refs[0]!.seq + 1);

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
});
