/**
 * The SDK given two members' HTTP APIs, as a ZooKeeper client is given a connect string: when the one
 * it talks to is cut off from NATS (a partition, through a proxy the test cuts) and answers
 * ConnectionLoss, the client moves to the other with its session, which the log carries on.
 */
import { describe, expect, it } from "vitest";
import { NzkClient } from "../../client/sdk/index.ts";
import { partitionedPair } from "../functions/partitioned-pair.ts";
import { until } from "../member/harness.ts";

describe("an SDK client given several members", () => {
  it("takes them comma-separated, and refuses a list with none", () => {
    const client = new NzkClient({ url: "http://127.0.0.1:1/, http://127.0.0.1:2" });
    expect(client.url).toBe("http://127.0.0.1:1");
    expect(() => new NzkClient({ url: " , " })).toThrow(/no URL/);
  });

  it("moves to the next when its member stops serving, with its session and ephemeral", async () => {
    await using pair = await partitionedPair({ contactLimitMs: 1000 }, true);
    const { cut, other } = pair;
    await until("one member leads", () => [cut, other].some((m) => m.running.member.state === "LEADING"));
    const client = await NzkClient.connect({ url: `${cut.url},${other.url}`, sessionTimeoutMs: 8000 });
    try {
      expect(client.url).toBe(cut.url);
      await client.create("/mine", { mode: "ephemeral", data: "a" });

      pair.proxy.cut();
      await until("the cut member stops serving", () => !cut.running.member.serving, 5000);
      expect((await client.get("/mine")).data).toBe("a");
      expect(client.url).toBe(other.url);
      expect((await client.sessionInfo()).ephemerals).toEqual(["/mine"]);
      await client.set("/mine", "b");
      expect((await client.get("/mine", { sync: true })).data).toBe("b");
    } finally {
      pair.proxy.heal();
      await client.close();
    }
  });
});
