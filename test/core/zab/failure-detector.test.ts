import { describe, expect, it } from "vitest";
import { FailureDetector } from "../../../core/zab/failure-detector.ts";

describe("FailureDetector", () => {
  const config = { misses: 2, silenceMs: 300 };

  it("suspects after consecutive missed pings", () => {
    const d = new FailureDetector(config, 0);
    d.missed();
    expect(d.suspects(10)).toBe(false);
    d.missed();
    expect(d.suspects(20)).toBe(true);
  });

  it("forgives a miss once the leader answers", () => {
    const d = new FailureDetector(config, 0);
    d.missed();
    d.heard(50);
    d.missed();
    expect(d.suspects(60)).toBe(false);
  });

  it("suspects a silent leader even while pings are still pending", () => {
    const d = new FailureDetector(config, 0);
    d.heard(100);
    expect(d.suspects(399)).toBe(false);
    expect(d.suspects(400)).toBe(true);
    d.reset(400);
    expect(d.suspects(401)).toBe(false);
  });
});
