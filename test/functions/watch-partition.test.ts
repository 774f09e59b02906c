/**
 * Watches held by the HTTP API of a member that is cut off from NATS (a proxy the test cuts): once the
 * member stops serving, a long poll answers ConnectionLoss and an event stream ends, so the client
 * watches again through another member, as ZooKeeper drops the connections (and watches) of a server
 * that lost its leader. Left alone they would wait in silence, the events no longer reaching them.
 */
import { describe, expect, it } from "vitest";
import { localBackend, serveHttp } from "../../functions/index.ts";
import { type RunningMember, startMember } from "../../member/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { tcpProxy } from "../fixtures/tcp-proxy.ts";
import { testConfig, until } from "../member/harness.ts";
import { eventually } from "./harness.ts";

describe("watches on a member that stops serving", () => {
  it("end (the long poll with ConnectionLoss, the event stream closed), and new ones are refused", async () => {
    await using nats = await natsServer();
    await using proxy = await tcpProxy(nats.url);
    const running: RunningMember[] = [];
    let server: { url: string; close(): Promise<void> } | undefined;
    try {
      for (const [id, url] of [
        ["a", nats.url],
        ["b", proxy.url],
      ] as const) {
        const nc = await nats.connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
        running.push(await startMember(testConfig(id, { contactLimitMs: 1000 }), nc));
      }
      const [a, b] = running as [RunningMember, RunningMember];
      await until("a leads, b follows", () => a.member.state === "LEADING" && b.member.state === "FOLLOWING");
      server = await serveHttp(localBackend(b), { port: 0 });

      const poll = fetch(`${server.url}/v1/watch/x?type=exists&timeoutMs=60000`);
      const stream = await fetch(`${server.url}/v1/events/x`);
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      const streamEnded = (async () => {
        while (!(await reader.read()).done);
      })();
      await eventually("b holds both watches", async () => {
        const wchs = await (await fetch(`${server!.url}/commands/wchs`)).json();
        return (wchs as { num_total_watches: number }).num_total_watches === 2;
      });

      proxy.cut();
      const answered = await poll;
      expect(answered.status).toBe(503);
      expect((await answered.json()).error).toMatchObject({ code: "ConnectionLoss" });
      await streamEnded;
      expect(b.member.serving).toBe(false);
      // Asked again while it does not serve, it refuses at once, so the client tries another member.
      for (const route of ["/v1/watch/x?type=exists", "/v1/events/x"]) {
        const again = await fetch(`${server.url}${route}`);
        expect(again.status).toBe(503);
        expect((await again.json()).error).toMatchObject({ code: "ConnectionLoss" });
      }
    } finally {
      proxy.heal();
      await server?.close();
      for (const r of running) await r.close();
    }
  });
});
