import { describe, expect, it } from "vitest";
import { syncedReadViolations, zxidOrderViolations } from "./real-time.ts";

describe("zxidOrderViolations", () => {
  it("accepts overlapping writes in either zxid order, and sequential ones in real-time order", () => {
    expect(
      zxidOrderViolations([
        { zxid: 2, invoked: 0, acked: 10 },
        { zxid: 1, invoked: 5, acked: 12 },
        { zxid: 3, invoked: 13, acked: 20 },
      ]),
    ).toEqual([]);
  });

  it("names a write acknowledged before a lower zxid was sent", () => {
    const found = zxidOrderViolations([
      { zxid: 1, invoked: 20, acked: 25 },
      { zxid: 2, invoked: 0, acked: 10 },
      { zxid: 3, invoked: 30, acked: 35 },
    ]);
    expect(found).toEqual(["zxid 0x2 was acknowledged at 10.0 ms, before zxid 0x1 was sent at 20.0 ms"]);
  });
});

describe("syncedReadViolations", () => {
  const increments = [
    { zxid: 11, version: 1, invoked: 0, acked: 10 },
    { zxid: 12, version: 2, invoked: 20, acked: 30 },
  ];

  it("accepts reads that see what was acknowledged before them, and overlapping increments or not", () => {
    expect(
      syncedReadViolations(increments, [
        { version: 0, invoked: 5, completed: 8 },
        { version: 1, invoked: 15, completed: 18 },
        { version: 1, invoked: 25, completed: 28 },
        { version: 2, invoked: 25, completed: 29 },
        { version: 2, invoked: 31, completed: 33 },
      ]),
    ).toEqual([]);
  });

  it("names a stale read and a read from the future", () => {
    expect(
      syncedReadViolations(increments, [
        { version: 1, invoked: 31, completed: 33 },
        { version: 2, invoked: 12, completed: 15 },
      ]),
    ).toEqual([
      "a read answered at 15.0 ms showed version 2, whose increment was sent at 20.0 ms",
      "a read sent at 31.0 ms showed version 1, though version 2 was acknowledged before",
    ]);
  });
});
