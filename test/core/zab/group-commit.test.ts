import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../../core/zab/group-commit.ts";

describe("GroupCommit", () => {
  it("sends a lone write at once while a slot is free", () => {
    const g = new GroupCommit<number>({ maxInFlight: 2, maxBytes: 100, maxTxns: 10 });
    g.push(1, 10);
    expect(g.take()).toEqual([1]);
    expect(g.inFlight).toBe(1);
  });

  it("packs the writes that waited while every slot was taken", () => {
    const g = new GroupCommit<number>({ maxInFlight: 1, maxBytes: 100, maxTxns: 10 });
    g.push(1, 10);
    expect(g.take()).toEqual([1]);
    for (const i of [2, 3, 4]) g.push(i, 10);
    expect(g.take()).toBeUndefined();
    g.acked();
    expect(g.take()).toEqual([2, 3, 4]);
  });

  it("starts another append while one is in flight once as many wait as the last group carried", () => {
    const g = new GroupCommit<number>({ maxInFlight: 3, maxBytes: 100, maxTxns: 10 });
    for (const i of [1, 2, 3]) g.push(i, 10);
    expect(g.take()).toEqual([1, 2, 3]);
    g.push(4, 10);
    g.push(5, 10);
    expect(g.take()).toBeUndefined();
    g.push(6, 10);
    expect(g.take()).toEqual([4, 5, 6]);
    expect(g.inFlight).toBe(2);
  });

  it("starts another append for a full group, and never more than maxInFlight", () => {
    const g = new GroupCommit<number>({ maxInFlight: 3, maxBytes: 100, maxTxns: 3 });
    for (const i of [1, 2, 3]) g.push(i, 10);
    expect(g.take()).toEqual([1, 2, 3]);
    g.push(4, 95);
    g.push(5, 10);
    expect(g.take()).toEqual([4]);
    expect(g.take()).toEqual([5]);
    g.push(6, 10);
    expect(g.take()).toBeUndefined();
    expect(g.inFlight).toBe(3);
  });

  it("splits groups at the byte and count limits, but sends an oversized txn alone", () => {
    const g = new GroupCommit<number>({ maxInFlight: 10, maxBytes: 25, maxTxns: 2 });
    for (const [i, b] of [
      [1, 10],
      [2, 10],
      [3, 10],
      [4, 20],
      [5, 90],
    ] as const)
      g.push(i, b);
    expect([g.take(), g.take(), g.take(), g.take()]).toEqual([[1, 2], [3], [4], [5]]);
  });

  it("hands back everything waiting when drained", () => {
    const g = new GroupCommit<number>({ maxInFlight: 1, maxBytes: 100, maxTxns: 10 });
    g.push(1, 1);
    g.take();
    g.push(2, 1);
    g.push(3, 1);
    expect(g.drain()).toEqual([2, 3]);
    expect(g.inFlight).toBe(0);
  });
});
