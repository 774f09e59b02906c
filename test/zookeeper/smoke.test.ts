import { describe, expect, it } from "vitest";
import { ZkClient } from "./client.ts";
import { zkMember } from "./fixture.ts";

describe("smoke", () => {
  it("connects and creates", async () => {
    await using zk = await zkMember();
    const c = await ZkClient.connect(zk.connect);
    expect(await c.create("/a", Buffer.from("x"))).toBe("/a");
    const got = await c.getData("/a");
    expect(got.data?.toString()).toBe("x");
    c.close();
  });
});
