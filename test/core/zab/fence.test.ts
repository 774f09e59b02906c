import { describe, expect, it } from "vitest";
import { mayFence } from "../../../core/zab/fence.ts";
import { makeZxid } from "../../../core/zxid.ts";

describe("mayFence", () => {
  it("lets an epoch above everything recovered fence", () => {
    expect(mayFence(4, makeZxid(3, 99), 3)).toBe(true);
  });

  it("refuses an epoch that another leader already outran in the log", () => {
    expect(mayFence(4, makeZxid(5, 1), 5)).toBe(false);
    expect(mayFence(4, makeZxid(3, 1), 4)).toBe(false);
  });
});
