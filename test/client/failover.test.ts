/**
 * The SDK given two members' HTTP APIs, as a ZooKeeper client is given a connect string: when the one
 * it talks to is cut off from NATS (a partition, through a proxy the test cuts) and answers
 * ConnectionLoss, the client moves to the other with its session, which the log carries on.
 */
import { describe, expect, it } from "vitest";
import { NzkClient } from "../../client/sdk/index.ts";
import { localBackend, serveHttp } from "../../functions/index.ts";
import { type RunningMember, startMember } from "../../member/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { tcpProxy } from "../fixtures/tcp-proxy.ts";
import { testConfig, until } from "../member/harness.ts";

describe("an SDK client given several members", () => {
  it("takes them comma-separated, and refuses a list with none", () => {
    const client = new NzkClient({ url: "http://127.0.0.1:1/, http://127.0.0.1:2" });
    expect(client.url).toBe("http://127.0.0.1:1");
    expect(() => new NzkClient({ url: " , " })).toThrow(/no URL/);
  });

  it("moves to the next when its member stops serving, with its session and ephemeral", async () => {
    await using nats = await natsServer();
    await using proxy = await tcpProxy(nats.url);
    const running: RunningMember[] = [];
    const servers: { url: string; close(): Promise<void> }[] = [];
    let client: NzkClient | undefined;
    try {
      for (const [id, url] of [
        ["a", proxy.url],
        ["b", nats.url],
      ] as const) {
        const nc = await nats.connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
        const r = await startMember(testConfig(id, { contactLimitMs: 1000 }), nc);
        running.push(r);
        servers.push(await serveHttp(localBackend(r), { port: 0 }));
      }
      const [a, b] = running as [RunningMember, RunningMember];
      await until("one member leads", () => a.member.state === "LEADING" || b.member.state === "LEADING");
      client = await NzkClient.connect({ url: servers.map((s) => s.url).join(","), sessionTimeoutMs: 8000 });
      expect(client.url).toBe(servers[0]!.url);
      await client.create("/mine", { mode: "ephemeral", data: "a" });

      proxy.cut();
      await until("a stops serving", () => !a.member.serving, 5000);
      expect((await client.get("/mine")).data).toBe("a");
      expect(client.url).toBe(servers[1]!.url);
      expect((await client.sessionInfo()).ephemerals).toEqual(["/mine"]);
      await client.set("/mine", "b");
      expect((await client.get("/mine", { sync: true })).data).toBe("b");
    } finally {
      proxy.heal();
      await client?.close();
      for (const s of servers) await s.close();
      for (const r of running) await r.close();
    }
  });
});
