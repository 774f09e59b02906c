/**
 * A follower's watch on its leader, against a stand-in that answers its pings as a leader in each
 * state would: leading and in contact keeps the follower in contact; leading but out of contact shows
 * the leader alive without keeping the follower in contact; standing (catching up to lead) is alive for
 * two request timeouts of the new leadership (its catch-up, then its fence), then a miss; not leading is a miss at once.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { LeaderWatch } from "../../member/leader-watch.ts";
import { memberSubject, type PingReply } from "../../member/member-links.ts";
import { encodeWire } from "../../member/wire.ts";
import { natsServer } from "../fixtures/nats.ts";
import { testConfig, until } from "./harness.ts";

const config = testConfig("f1", { pingIntervalMs: 50, requestTimeoutMs: 500 });
/** how long a standing claimant counts as alive (leader-watch.ts) */
const graceMs = 2 * config.requestTimeoutMs;
const leader = { memberId: "l1", epoch: 2 };

/** Watches a stand-in leader that answers every ping with reply; counts pings and contacts; stop() ends both. */
function watchStandIn(nc: NatsConnection, reply: PingReply) {
  const sub = nc.subscribe(memberSubject(config.apiPrefix, leader.memberId, "ping"), {
    callback: (_err, msg) => {
      msg.respond(encodeWire(reply));
    },
  });
  const seen = { pings: 0, contacts: 0 };
  const watch = new LeaderWatch(
    nc,
    config,
    () => leader,
    () => 0,
    () => {
      seen.pings++;
    },
    () => {
      seen.contacts++;
    },
  );
  watch.leaderIs(leader);
  const stop = () => {
    watch.stop();
    sub.unsubscribe();
  };
  return { watch, seen, since: performance.now(), stop };
}

describe("a follower's watch on its leader", () => {
  it("is in contact through a leader in contact, and only alive through one out of contact", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const inContact = watchStandIn(nc, { leading: true, epoch: 2, inContact: true });
    await until("ten pings", () => inContact.seen.pings >= 10);
    expect(inContact.seen.contacts).toBeGreaterThanOrEqual(9);
    expect(inContact.watch.suspects()).toBe(false);
    inContact.stop();

    const outOfContact = watchStandIn(nc, { leading: true, epoch: 2, inContact: false });
    await until("ten pings", () => outOfContact.seen.pings >= 10);
    expect(outOfContact.seen.contacts).toBe(0);
    expect(outOfContact.watch.suspects()).toBe(false);
    outOfContact.stop();
  });

  it("gives a standing claimant two request timeouts, and suspects one that does not lead at once", async () => {
    await using nats = await natsServer();
    const standing = watchStandIn(await nats.connect(), { leading: false, epoch: 2, standing: true });
    await until("five pings", () => standing.seen.pings >= 5);
    expect(standing.watch.suspects()).toBe(false);
    await until("the claimant is suspected", () => standing.watch.suspects(), 5000);
    expect(performance.now() - standing.since).toBeGreaterThanOrEqual(graceMs);
    standing.stop();

    const follower = watchStandIn(await nats.connect(), { leading: false, epoch: 2 });
    await until("it is suspected", () => follower.watch.suspects(), 5000);
    expect(performance.now() - follower.since).toBeLessThan(graceMs);
    expect(follower.seen.contacts).toBe(0);
    follower.stop();
  });
});
