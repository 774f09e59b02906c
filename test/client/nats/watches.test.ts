import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsWatches } from "../../../client/nats/index.ts";
import type { WatchEvent } from "../../../client/sdk/index.ts";
import { type Nzk, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

const line = (e: WatchEvent) => `${e.type} ${e.path}`;

describe("NatsWatches", () => {
  it("one-shot and recursive subscriptions", async () => {
    const nc = await nzk.api.nats.connect();
    const watches = new NatsWatches(nc);
    const client = nzk.client();
    await client.create("/n");
    const once = await watches.once("/n");
    await once.ready;
    await client.set("/n", "x");
    expect(line(await once.event)).toBe("NodeDataChanged /n");

    const sub = watches.subscribe("/n", { recursive: true });
    await sub.ready;
    await client.create("/n/a");
    await client.create("/n/a/b");
    const seen: string[] = [];
    for await (const e of sub) {
      seen.push(line(e));
      if (seen.length === 4) break;
    }
    sub.close();
    expect(seen.sort()).toEqual([
      "NodeChildrenChanged /n",
      "NodeChildrenChanged /n/a",
      "NodeCreated /n/a",
      "NodeCreated /n/a/b",
    ]);
  });

  it("consumes the events stream from a zxid, and a durable consumer resumes after its last ack", async () => {
    const nc = await nzk.api.nats.connect();
    const watches = new NatsWatches(nc);
    const client = nzk.client();
    const since = await client.sync();
    await client.create("/d");
    await client.create("/d/1");
    await client.create("/d/2");
    const take = async (n: number, options: Parameters<NatsWatches["consume"]>[1]): Promise<string[]> => {
      const out: string[] = [];
      const stop = new AbortController();
      for await (const m of watches.consume("/d", options, stop.signal)) {
        out.push(line(m.event));
        m.ack();
        if (out.length === n) stop.abort();
      }
      return out;
    };
    expect(await take(5, { recursive: true, since })).toEqual([
      "NodeCreated /d",
      "NodeCreated /d/1",
      "NodeChildrenChanged /d",
      "NodeCreated /d/2",
      "NodeChildrenChanged /d",
    ]);
    expect(await take(2, { recursive: true, since, durable: "reader" })).toEqual([
      "NodeCreated /d",
      "NodeCreated /d/1",
    ]);
    expect(await take(2, { recursive: true, since, durable: "reader" })).toEqual([
      "NodeChildrenChanged /d",
      "NodeCreated /d/2",
    ]);
  });
});
