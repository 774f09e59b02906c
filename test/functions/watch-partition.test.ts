/**
 * Watches held by the HTTP API of a member that is cut off from NATS (a proxy the test cuts): once the
 * member stops serving, a long poll answers ConnectionLoss and an event stream ends, so the client
 * watches again through another member, as ZooKeeper drops the connections (and watches) of a server
 * that lost its leader. Left alone they would wait in silence, the events no longer reaching them.
 */
import { describe, expect, it } from "vitest";
import { until } from "../member/harness.ts";
import { eventually } from "./harness.ts";
import { partitionedPair } from "./partitioned-pair.ts";

describe("watches on a member that stops serving", () => {
  it("end (the long poll with ConnectionLoss, the event stream closed), and new ones are refused", async () => {
    await using pair = await partitionedPair({ contactLimitMs: 1000 });
    const b = pair.cut.running.member;
    await until("b follows", () => b.state === "FOLLOWING");
    const at = pair.cut.url;

    const poll = fetch(`${at}/v1/watch/x?type=exists&timeoutMs=60000`);
    const stream = await fetch(`${at}/v1/events/x`);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const streamEnded = (async () => {
      while (!(await reader.read()).done);
    })();
    await eventually("b holds both watches", async () => {
      const wchs = await (await fetch(`${at}/commands/wchs`)).json();
      return (wchs as { num_total_watches: number }).num_total_watches === 2;
    });

    pair.proxy.cut();
    const answered = await poll;
    expect(answered.status).toBe(503);
    expect((await answered.json()).error).toMatchObject({ code: "ConnectionLoss" });
    await streamEnded;
    expect(b.serving).toBe(false);
    // Asked again while it does not serve, it refuses at once, so the client tries another member.
    for (const route of ["/v1/watch/x?type=exists", "/v1/events/x"]) {
      const again = await fetch(`${at}${route}`);
      expect(again.status).toBe(503);
      expect((await again.json()).error).toMatchObject({ code: "ConnectionLoss" });
    }
  });
});
