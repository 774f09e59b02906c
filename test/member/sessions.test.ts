import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import type { Member } from "../../member/member.ts";
import { verifySessionToken } from "../../member/session-token.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, snapshotOf, startMember, until } from "./harness.ts";

const fast = { tickMs: 50, minSessionTimeoutMs: 200, maxSessionTimeoutMs: 2000 };

async function ensemble(url: string): Promise<Member[]> {
  const members: Member[] = [];
  for (const id of ["m1", "m2", "m3"]) members.push(await startMember(url, id, fast));
  await until("one leads", () => members.some((m) => m.state === "LEADING"));
  return members;
}

async function ephemeral(member: Member, sessionId: number, path: string): Promise<void> {
  const out = await member.write(
    { sessionId, auth: [] },
    { op: "create", path, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "ephemeral" },
  );
  expect(isZkError(out) ? out : out.error).toBeUndefined();
}

describe("sessions", () => {
  it("expire on the leader and take their ephemerals away on every member at the same zxid", async () => {
    await using nats = await natsServer();
    const members = await ensemble(nats.url);
    try {
      const follower = members.find((m) => m.state !== "LEADING")!;
      const session = await follower.createSession(250);
      if (isZkError(session)) throw new Error(session.message);
      expect(session.timeoutMs).toBe(250);
      await ephemeral(follower, session.sessionId, "/e1");
      await ephemeral(follower, session.sessionId, "/e2");
      for (const m of members) await m.sync();
      for (const m of members) expect(m.replica.tree.has("/e1")).toBe(true);
      await until("every member dropped the ephemerals", () =>
        members.every((m) => !m.replica.tree.has("/e1") && !m.replica.tree.has("/e2")),
      );
      const pzxids = members.map((m) => m.replica.tree.stat("/")!.pzxid);
      expect(new Set(pzxids).size).toBe(1);
      expect(new Set(members.map(snapshotOf)).size).toBe(1);
      for (const m of members) {
        expect(m.replica.tree.session(session.sessionId)).toBeUndefined();
        expect(verifySessionToken(m.replica.tree, session.token)).toMatchObject({ code: "SessionExpired" });
      }
    } finally {
      for (const m of members) await m.close();
    }
  });

  it("stay alive while a follower's clients use them, and clamp timeouts to the configured bounds", async () => {
    await using nats = await natsServer();
    const members = await ensemble(nats.url);
    try {
      const follower = members.find((m) => m.state !== "LEADING")!;
      const session = await follower.createSession(10);
      if (isZkError(session)) throw new Error(session.message);
      expect(session.timeoutMs).toBe(fast.minSessionTimeoutMs);
      await ephemeral(follower, session.sessionId, "/alive");
      const start = performance.now();
      // Touches ride on the follower's pings to the leader, as ZooKeeper's ride on its PINGs.
      while (performance.now() - start < 1000) {
        follower.touched(session.sessionId);
        await new Promise((r) => setTimeout(r, 40));
      }
      expect(follower.replica.tree.has("/alive")).toBe(true);
      expect(await follower.touch(session.sessionId)).toBe(true);
      await until("it expires once untouched", () => !follower.replica.tree.has("/alive"));
      expect(await follower.touch(session.sessionId)).toBe(false);
    } finally {
      for (const m of members) await m.close();
    }
  });

  it("refuses a token whose secret is wrong or missing", async () => {
    await using nats = await natsServer();
    const members = await ensemble(nats.url);
    try {
      const session = await members[0]!.createSession(1000);
      if (isZkError(session)) throw new Error(session.message);
      const [id] = session.token.split(".");
      const tree = members[0]!.replica.tree;
      expect(verifySessionToken(tree, session.token)).toBe(session.sessionId);
      expect(verifySessionToken(tree, id!)).toMatchObject({ code: "AuthFailed" });
      expect(verifySessionToken(tree, `${id}.AAAAAAAAAAAAAAAAAAAAAA`)).toMatchObject({ code: "AuthFailed" });
      expect(await members[0]!.closeSession(session.sessionId)).toBeUndefined();
      expect(verifySessionToken(tree, session.token)).toMatchObject({ code: "SessionExpired" });
    } finally {
      for (const m of members) await m.close();
    }
  });
});
