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

  it("says why a recovered member does not serve while it is out of contact", async () => {
    const why = "this member has heard neither its leader nor JetStream for 1600 ms; use another member";
    const cut = { ready: true, unavailable: () => why } as unknown as Member;
    const res = await minimalApp(() => cut).request("/commands/ruok");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ command: "ruok", error: `not serving: ${why}` });
  });

  it("says ok once it serves", async () => {
    const serving = { ready: true, unavailable: () => undefined } as unknown as Member;
    expect(await (await minimalApp(() => serving).request("/commands/ruok")).json()).toEqual({
      command: "ruok",
      error: null,
    });
  });
});
