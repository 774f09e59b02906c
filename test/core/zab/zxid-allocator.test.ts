import { describe, expect, it } from "vitest";
import { ZxidAllocator } from "../../../core/zab/zxid-allocator.ts";
import { counterOf, epochOf, MAX_COUNTER, makeZxid } from "../../../core/zxid.ts";

describe("ZxidAllocator", () => {
  it("hands out consecutive zxids in its epoch", () => {
    const a = new ZxidAllocator(3);
    expect(a.next()).toEqual({ zxid: makeZxid(3, 1) });
    expect(a.next()).toEqual({ zxid: makeZxid(3, 2) });
    expect(a.last).toBe(makeZxid(3, 2));
  });

  it("reports the counter's overflow instead of wrapping, and goes on in the next epoch", () => {
    const a = new ZxidAllocator(5, MAX_COUNTER - 1);
    const last = a.next();
    expect(last).toEqual({ zxid: makeZxid(5, MAX_COUNTER) });
    expect(a.next()).toEqual({ overflow: true });
    expect(a.next()).toEqual({ overflow: true });
    a.advance(9);
    const first = a.next();
    expect("zxid" in first && epochOf(first.zxid)).toBe(9);
    expect("zxid" in first && counterOf(first.zxid)).toBe(1);
    expect("zxid" in first && "zxid" in last && first.zxid > last.zxid).toBe(true);
  });

  it("refuses to go back to an older epoch", () => {
    const a = new ZxidAllocator(5);
    expect(() => a.advance(5)).toThrow(RangeError);
    expect(() => a.advance(4)).toThrow(RangeError);
  });
});
