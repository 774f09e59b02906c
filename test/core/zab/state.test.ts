import { describe, expect, it } from "vitest";
import { mayStand, nonLeaderState, statusMode } from "../../../core/zab/state.ts";

describe("ZAB states", () => {
  it("never lets an observer stand, and observers observe", () => {
    expect(mayStand("observer")).toBe(false);
    expect(mayStand("participant")).toBe(true);
    expect(nonLeaderState("observer")).toBe("OBSERVING");
    expect(nonLeaderState("participant")).toBe("FOLLOWING");
  });

  it("reports the status mode by ZooKeeper's names", () => {
    expect(statusMode("LEADING")).toBe("leading");
    expect(statusMode("LOOKING")).toBe("looking");
  });
});
