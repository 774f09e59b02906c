import { describe, expect, it } from "vitest";
import { minimalApp } from "../../member/http-minimal.ts";
import type { Member } from "../../member/member.ts";

describe("the minimal HTTP surface", () => {
  it("says a member is not ok while it recovers", async () => {
    expect((await minimalApp(() => undefined).request("/commands/ruok")).status).toBe(503);
    const recovering = { ready: false } as Member;
    const res = await minimalApp(() => recovering).request("/commands/ruok");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ command: "ruok", error: "not serving: recovering" });
  });

  it("says ok once it serves", async () => {
    const serving = { ready: true } as Member;
    expect(await (await minimalApp(() => serving).request("/commands/ruok")).json()).toEqual({
      command: "ruok",
      error: null,
    });
  });
});
