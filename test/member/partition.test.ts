/**
 * A member cut off from NATS by a partition (a proxy that stops carrying bytes, so nothing closes and
 * only timeouts tell): it must stop serving within contactLimitMs, as a ZooKeeper server that loses its
 * leader stops serving its clients, rather than answer reads from a tree that has fallen behind; once
 * the partition heals it catches up and serves again.
 */
import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { MemberApi } from "../../member/api.ts";
import type { Member } from "../../member/member.ts";
import { natsServer } from "../fixtures/nats.ts";
import { tcpProxy } from "../fixtures/tcp-proxy.ts";
import { anyone, createOf, snapshotOf, startMember, until } from "./harness.ts";

/** short enough for a test, and below half the minimum session timeout as the config requires */
const timings = { contactLimitMs: 1000, requestTimeoutMs: 1500 };

async function written(member: Member, path: string): Promise<void> {
  const out = await member.write(anyone, createOf(path));
  expect(isZkError(out) ? out : out.error).toBeUndefined();
}

describe("a member cut off from NATS", () => {
  it("stops serving reads as a follower, and serves the writes it missed once healed", async () => {
    await using nats = await natsServer();
    await using proxy = await tcpProxy(nats.url);
    const leader = await startMember(nats.url, "m1", timings);
    const follower = await startMember(proxy.url, "m2", timings);
    try {
      await until(
        "m1 leads and m2 follows",
        () => leader.state === "LEADING" && follower.state === "FOLLOWING",
      );
      await written(follower, "/before");
      const api = new MemberApi(follower);
      expect(await api.get({}, "/before")).toMatchObject({ data: "/before" });

      proxy.cut();
      const cutAt = performance.now();
      await written(leader, "/during");
      await until("m2 stops serving", () => !follower.serving, 5000);
      expect(performance.now() - cutAt).toBeLessThan(timings.contactLimitMs + 1000);
      expect(leader.serving).toBe(true);
      expect(await api.get({}, "/before")).toMatchObject({ error: { code: "ConnectionLoss" } });
      expect(await api.exists({}, "/during")).toMatchObject({ error: { code: "ConnectionLoss" } });
      expect((await api.status()).ready).toBe(false);

      proxy.heal();
      await until("m2 serves again", () => follower.serving, 10_000);
      await until("m2 applied /during", () => follower.replica.tree.has("/during"));
      expect(await api.get({}, "/during")).toMatchObject({ data: "/during" });
      expect(snapshotOf(follower)).toBe(snapshotOf(leader));
    } finally {
      await follower.close();
      await leader.close();
    }
  });

  it("as the leader: another member leads, the old one stops serving, then follows once healed", async () => {
    await using nats = await natsServer();
    await using proxy = await tcpProxy(nats.url);
    const first = await startMember(proxy.url, "m1", timings);
    await until("m1 leads", () => first.state === "LEADING");
    const second = await startMember(nats.url, "m2", timings);
    try {
      await until("m2 follows", () => second.state === "FOLLOWING");
      await written(second, "/before");

      proxy.cut();
      await until("m2 leads", () => second.state === "LEADING", 10_000);
      await written(second, "/after");
      await until("m1 stops serving", () => !first.serving, 5000);
      expect(await new MemberApi(first).get({}, "/before")).toMatchObject({
        error: { code: "ConnectionLoss" },
      });
      expect(second.serving).toBe(true);

      proxy.heal();
      await until("m1 follows m2 and serves", () => first.state === "FOLLOWING" && first.serving, 15_000);
      await until("m1 applied /after", () => first.replica.tree.has("/after"));
      expect(snapshotOf(first)).toBe(snapshotOf(second));
    } finally {
      await first.close();
      await second.close();
    }
  });
});
