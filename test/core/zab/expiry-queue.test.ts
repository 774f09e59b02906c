import { describe, expect, it } from "vitest";
import { ExpiryQueue } from "../../../core/zab/expiry-queue.ts";

describe("ExpiryQueue", () => {
  it("expires an element only after its timeout, rounded up to the next bucket", () => {
    const q = new ExpiryQueue<number>(100, 0);
    expect(q.update(1, 250, 20)).toBe(300);
    expect(q.poll(299)).toEqual([]);
    expect(q.poll(300)).toEqual([1]);
    expect(q.size).toBe(0);
  });

  it("moves a touched element to a later bucket", () => {
    const q = new ExpiryQueue<number>(100, 0);
    q.update(1, 250, 0);
    q.update(1, 250, 200);
    expect(q.poll(300)).toEqual([]);
    expect(q.poll(500)).toEqual([1]);
  });

  it("returns the elements of every bucket passed since the last poll", () => {
    const q = new ExpiryQueue<string>(10, 0);
    q.update("a", 5, 0);
    q.update("b", 25, 0);
    q.update("c", 100, 0);
    expect(q.poll(40).sort()).toEqual(["a", "b"]);
    expect(q.has("c")).toBe(true);
  });

  it("forgets a removed element", () => {
    const q = new ExpiryQueue<number>(10, 0);
    q.update(7, 5, 0);
    expect(q.remove(7)).toBe(true);
    expect(q.poll(100)).toEqual([]);
    expect(q.remove(7)).toBe(false);
  });

  it("says how long until the next bucket is due", () => {
    const q = new ExpiryQueue<number>(100, 30);
    expect(q.waitTime(30)).toBe(70);
    expect(q.waitTime(150)).toBe(0);
  });
});
