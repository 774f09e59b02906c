/**
 * ZooKeeper's single system image over HTTP: a client never sees an older view than it has seen,
 * whichever member answers. Every reply names the zxid its member had applied (Nzk-Zxid); a request
 * that sends it back makes a member that is behind wait for it (and answer ConnectionLoss when it
 * cannot catch up in time), where it would otherwise answer from its older tree. The member behind is
 * made so by a partition (a proxy the test cuts) with a contact limit long enough to keep it serving.
 */
import { describe, expect, it } from "vitest";
import { NzkClient } from "../../client/sdk/index.ts";
import { parseId } from "../../core/zxid.ts";
import { createApp, localBackend, natsBackend, serveHttp } from "../../functions/index.ts";
import { startMember } from "../../member/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { testConfig, until } from "../member/harness.ts";
import { partitionedPair } from "./partitioned-pair.ts";

/**
 * a leads and b follows, then b is cut off from NATS: it falls behind, yet serves (its contact limit
 * is long), so what it answers shows what a member behind would.
 */
async function behindPair() {
  const pair = await partitionedPair({ contactLimitMs: 20_000 });
  const [a, b] = [pair.other.running.member, pair.cut.running.member];
  try {
    await until("a leads, b follows", () => a.state === "LEADING" && b.state === "FOLLOWING");
  } catch (err) {
    await pair[Symbol.asyncDispose]();
    throw err;
  }
  pair.proxy.cut();
  return pair;
}

describe("Nzk-Zxid", () => {
  it("keeps a member that is behind from showing a client an older view", async () => {
    await using pair = await behindPair();
    const [atA, atB] = [pair.other.url, pair.cut.url];
    const created = await fetch(`${atA}/v1/znodes/x`, { method: "POST", body: "{}" });
    expect(created.status).toBe(201);
    const seen = created.headers.get("Nzk-Zxid")!;
    expect(parseId(seen)).toBeGreaterThanOrEqual(parseId((await created.json()).stat.czxid)!);

    // Without the header, b answers from the tree it has: an older view than the client's.
    expect((await fetch(`${atB}/v1/znodes/x`)).status).toBe(404);
    const held = await fetch(`${atB}/v1/znodes/x`, { headers: { "Nzk-Zxid": seen } });
    expect(held.status).toBe(503);
    expect((await held.json()).error).toMatchObject({ code: "ConnectionLoss" });
    expect(held.headers.get("Nzk-Zxid")).not.toBe(seen);

    const bad = await fetch(`${atB}/v1/znodes/x`, { headers: { "Nzk-Zxid": "yesterday" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "BadArguments" });

    // Through a stateless handler, the member that answers over NATS names its zxid in the reply.
    const viaNats = await createApp(natsBackend(await pair.nats.connect())).request("/v1/znodes/x");
    expect(viaNats.status).toBe(200);
    expect(parseId(viaNats.headers.get("Nzk-Zxid")!)).toBeGreaterThanOrEqual(parseId(seen)!);

    pair.proxy.heal();
    const caughtUp = await fetch(`${atB}/v1/znodes/x`, { headers: { "Nzk-Zxid": seen } });
    expect(caughtUp.status).toBe(200);
    expect(parseId(caughtUp.headers.get("Nzk-Zxid")!)).toBeGreaterThanOrEqual(parseId(seen)!);
  });

  it("keeps a member that has not applied a session's creation from judging the session", async () => {
    await using pair = await behindPair();
    const [atA, atB] = [pair.other.url, pair.cut.url];
    const opened = await fetch(`${atA}/v1/sessions`, {
      method: "POST",
      body: JSON.stringify({ timeoutMs: 10_000 }),
    });
    const { sessionId, token } = (await opened.json()) as { sessionId: string; token: string };
    const info = (headers: Record<string, string>) =>
      fetch(`${atB}/v1/sessions/${sessionId}`, { headers: { "Nzk-Session": token, ...headers } });
    // The session's id is the zxid that created it: sent as what the client has seen, b waits for it
    // (and, cut off, answers ConnectionLoss) instead of judging a session it has not heard of.
    const held = await info({ "Nzk-Zxid": sessionId });
    expect(held.status).toBe(503);
    expect((await held.json()).error).toMatchObject({ code: "ConnectionLoss" });
    // Without it, b judged the brand-new session by its older tree: expired.
    expect((await (await info({})).json()).error).toMatchObject({ code: "SessionExpired" });

    pair.proxy.heal();
    const known = await info({ "Nzk-Zxid": sessionId });
    expect(known.status).toBe(200);
    expect(await known.json()).toMatchObject({ sessionId, ephemerals: [] });
  });

  it("is what the SDK sends back: the newest zxid any reply named", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const r = await startMember(testConfig("s"), nc);
    const server = await serveHttp(localBackend(r), { port: 0 });
    try {
      await until("s leads", () => r.member.state === "LEADING");
      const sent: (string | null)[] = [];
      const answered: (string | null)[] = [];
      const client = new NzkClient({
        url: server.url,
        fetch: async (input, init) => {
          sent.push(new Headers(init?.headers).get("Nzk-Zxid"));
          const res = await fetch(input, init);
          answered.push(res.headers.get("Nzk-Zxid"));
          return res;
        },
      });
      await client.create("/one");
      await client.create("/two");
      await client.get("/one");
      expect(sent[0]).toBeNull();
      expect(sent.slice(1)).toEqual(answered.slice(0, -1));
      expect(parseId(answered[1]!)).toBeGreaterThan(parseId(answered[0]!)!);
    } finally {
      await server.close();
      await r.close();
    }
  });
});
