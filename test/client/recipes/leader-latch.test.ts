import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaderLatch } from "../../../client/recipes/index.ts";
import { sequenceOf } from "../../../client/recipes/nodes.ts";
import type { NzkClient } from "../../../client/sdk/index.ts";
import { type Nzk, type Partition, partition, reaches, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

describe("LeaderLatch", () => {
  it("elects exactly one leader, and exactly one again after the leader's session expires", async () => {
    const nets: Partition[] = [];
    const clients: NzkClient[] = [];
    const latches: LeaderLatch[] = [];
    for (const id of ["a", "b", "c"]) {
      const net = partition();
      const client = await nzk.connect(2_000, net.fetch);
      nets.push(net);
      clients.push(client);
      latches.push(new LeaderLatch(client, "/election/one", id));
    }
    await Promise.all(latches.map((l) => l.start()));
    const first = await Promise.race(latches.map(async (l) => ((await l.awaitLeadership()) ? l : undefined)));
    expect(latches.filter((l) => l.isLeader)).toEqual([first]);
    // the latches start together, so their nodes' sequences (the election order) need not follow a, b, c
    const bySeq = [...latches].sort((x, y) => sequenceOf(x.node!) - sequenceOf(y.node!));
    expect(bySeq[0]).toBe(first);
    expect(await first!.participants()).toEqual(bySeq.map((l) => l.id));

    const old = latches.indexOf(first!);
    const oldDropped = new Promise<void>((resolve) => first!.on((e) => e === "notLeader" && resolve()));
    let droppedFirst = false;
    void oldDropped.then(() => {
      droppedFirst = true;
    });
    nets[old]!.cut();
    const rest = latches.filter((l) => l !== first);
    const next = await Promise.race(rest.map(async (l) => ((await l.awaitLeadership()) ? l : undefined)));
    expect(droppedFirst).toBe(true);
    expect(latches.filter((l) => l.isLeader)).toEqual([next]);
    expect(await reaches(clients[old]!, "lost", "expired")).toBe("lost");
    for (const l of rest) await l.close();
  });

  it("hands leadership on at close, and a closed latch is never leader", async () => {
    const a = new LeaderLatch(await nzk.connect(10_000), "/election/two", "a");
    const b = new LeaderLatch(await nzk.connect(10_000), "/election/two", "b");
    await a.start();
    expect(await a.awaitLeadership(5_000)).toBe(true);
    await b.start();
    expect(await b.awaitLeadership(200)).toBe(false);
    const events: string[] = [];
    a.on((e) => events.push(e));
    await a.close();
    expect(await b.awaitLeadership(5_000)).toBe(true);
    expect(events).toEqual(["notLeader"]);
    expect(a.isLeader).toBe(false);
    await b.close();
  });
});
