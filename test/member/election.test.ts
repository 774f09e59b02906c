import { deferred } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { Election } from "../../member/election.ts";
import { natsServer } from "../fixtures/nats.ts";

describe("the election", () => {
  it("lets exactly one of two racing members win a revision, with a new epoch", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const a = await Election.open(nc, "el", 1);
    const b = await Election.open(nc, "el", 1);
    const [wa, wb] = await Promise.all([a.claim("a", 0), b.claim("b", 0)]);
    expect([wa, wb].filter((w) => w !== undefined)).toHaveLength(1);
    expect((wa ?? wb)!.epoch).toBe(1);
    const loser = wa === undefined ? a : b;
    expect(loser.view.leader?.memberId).toBe(wa === undefined ? "b" : "a");
  });

  it("gives each leadership a higher epoch, above the floor the claimant recovered", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const a = await Election.open(nc, "el", 1);
    const first = await a.claim("a", 0);
    const second = await a.claim("b", 7);
    expect(first?.epoch).toBe(1);
    expect(second?.epoch).toBe(8);
  });

  it("refuses a renewal once another member took over", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const a = await Election.open(nc, "el", 1);
    const b = await Election.open(nc, "el", 1);
    const won = (await a.claim("a", 0))!;
    const renewed = await a.renew("a", won.epoch, won.revision);
    expect(renewed).toBeGreaterThan(won.revision);
    await b.refresh();
    expect(await b.claim("b", 0)).toBeDefined();
    expect(await a.renew("a", won.epoch, renewed!)).toBeUndefined();
    expect(a.view.leader?.memberId).toBe("b");
  });

  it("tells a watcher about every new leadership", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const a = await Election.open(nc, "el", 1);
    const b = await Election.open(nc, "el", 1);
    const promise = deferred<string>();
    await b.watch((v) => {
      if (v.leader !== undefined) promise.resolve(v.leader.memberId);
    });
    await a.claim("a", 0);
    expect(await promise).toBe("a");
    b.close();
  });
});
