import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { getData } from "../../core/index.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import type { Member } from "../../member/member.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, snapshotOf, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const create = (path: string, data = "") =>
  ({ op: "create", path, data: bytes(data), acl: OPEN_ACL_UNSAFE, mode: "persistent" }) as const;

describe("three members on one NATS", () => {
  it("takes writes through any member and converges every member's tree", async () => {
    await using nats = await natsServer();
    const members: Member[] = [];
    try {
      for (const id of ["m1", "m2", "m3"]) members.push(await startMember(nats.url, id));
      await until("one leads", () => members.some((m) => m.state === "LEADING"));
      const writes = members.flatMap((m, i) =>
        Array.from({ length: 20 }, (_, k) => m.write(anyone, create(`/n${i}-${k}`, `v${k}`))),
      );
      const outcomes = await Promise.all(writes);
      for (const o of outcomes) expect(isZkError(o) ? o : o.error).toBeUndefined();
      // A member answers a write only once it applied it itself.
      for (const [i, m] of members.entries()) {
        const got = getData(m.replica.tree, anyone, `/n${i}-19`);
        expect(isZkError(got) ? got : new TextDecoder().decode(got.data)).toBe("v19");
      }
      for (const m of members)
        expect(await m.sync()).toBe(members[0]!.replica.lastZxid > 0 ? m.replica.lastZxid : 0);
      const zxid = Math.max(...members.map((m) => m.replica.lastZxid));
      await until("all applied", () => members.every((m) => m.replica.lastZxid === zxid));
      expect(new Set(members.map(snapshotOf)).size).toBe(1);
      expect(members.filter((m) => m.state === "LEADING")).toHaveLength(1);
    } finally {
      for (const m of members) await m.close();
    }
  });
});
