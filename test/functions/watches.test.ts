import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, eventually, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi({ sseBufferEvents: 16 });
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads SSE events off a response body until `count` have arrived (or the stream ends). */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  count: number,
): Promise<{ events: SseEvent[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffered = "";
  while (events.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event: SseEvent = {};
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).trimStart();
        if (field === "id" || field === "event" || field === "data") event[field] = value;
      }
      events.push(event);
      end = buffered.indexOf("\n\n");
    }
  }
  return { events, reader };
}

describe("one-shot watches", () => {
  it("answers at once for a change made between the read and the watch", async () => {
    await api.call("POST", "/v1/znodes/w1", { data: "a" });
    const read = await api.call("GET", "/v1/znodes/w1");
    await api.call("PUT", "/v1/znodes/w1", { data: "b" });
    const w = await api.call("GET", `/v1/watch/w1?type=data&zxid=${read.body.stat.mzxid}&timeoutMs=60000`);
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ type: "NodeDataChanged", path: "/w1" });
    expect(Number(w.body.zxid)).toBeGreaterThan(Number(read.body.stat.mzxid));
  });

  it("waits for the next change and returns it", async () => {
    const read = await api.call("GET", "/v1/znodes/w1");
    const watching = api.call("GET", `/v1/watch/w1?type=data&zxid=${read.body.stat.mzxid}&timeoutMs=60000`);
    await eventually("the watch is registered", async () => (await api.watchCount()) > 0);
    const set = await api.call("PUT", "/v1/znodes/w1", { data: "c" });
    const w = await watching;
    expect(w.body).toEqual({ type: "NodeDataChanged", path: "/w1", zxid: set.body.stat.mzxid });
  });

  it("watches children and creation", async () => {
    const parent = await api.call("POST", "/v1/znodes/wp", {});
    const children = api.call("GET", `/v1/watch/wp?type=children&zxid=${parent.body.stat.pzxid}`);
    const { zxid } = (await api.call("POST", "/v1/sync/")).body;
    const exists = api.call("GET", `/v1/watch/wnew?type=exists&zxid=${zxid}&timeoutMs=60000`);
    await api.call("POST", "/v1/znodes/wp/kid", {});
    await api.call("POST", "/v1/znodes/wnew", {});
    expect((await children).body).toMatchObject({ type: "NodeChildrenChanged", path: "/wp" });
    expect((await exists).body).toMatchObject({ type: "NodeCreated", path: "/wnew" });
  });

  it("times out with 204, refuses a bad type, and answers NoNode for a data watch on nothing", async () => {
    expect((await api.call("GET", "/v1/watch/w1?type=data&timeoutMs=10")).status).toBe(204);
    expect((await api.call("GET", "/v1/watch/w1?type=everything")).body.error.code).toBe("BadArguments");
    expect((await api.call("GET", "/v1/watch/w1?zxid=zz")).body.error.code).toBe("BadArguments");
    expect((await api.call("GET", "/v1/watch/nothing?type=data")).status).toBe(404);
  });

  it("stops waiting when the client goes away", async () => {
    const before = await api.watchCount();
    const abort = new AbortController();
    const pending = api.app.request("/v1/watch/w1?type=data&timeoutMs=60000", { signal: abort.signal });
    await eventually("registered", async () => (await api.watchCount()) > before);
    abort.abort();
    await Promise.resolve(pending).catch(() => undefined);
    await eventually("released", async () => (await api.watchCount()) === before);
  });
});

describe("event streams", () => {
  it("resumes after a dropped connection from Last-Event-ID and loses nothing", async () => {
    await api.call("POST", "/v1/znodes/s", {});
    const first = await api.app.request("/v1/events/s?recursive=true");
    expect(first.headers.get("content-type")).toMatch(/text\/event-stream/);
    for (const n of [1, 2, 3]) await api.call("POST", `/v1/znodes/s/n${n}`, { data: `${n}` });
    const { events, reader } = await readEvents(first.body!, 1 + 6);
    expect(events[0]!.event).toBe("open");
    const seen = events.slice(1);
    expect(seen.map((e) => e.event)).toEqual([
      "NodeCreated",
      "NodeChildrenChanged",
      "NodeCreated",
      "NodeChildrenChanged",
      "NodeCreated",
      "NodeChildrenChanged",
    ]);
    await reader.cancel();
    const lastId = seen[seen.length - 1]!.id!;
    // changes while no one listens
    for (const n of [4, 5]) await api.call("POST", `/v1/znodes/s/n${n}`, {});
    await api.call("DELETE", "/v1/znodes/s/n1");
    const again = await api.app.request("/v1/events/s?recursive=true", {
      headers: { "Last-Event-ID": lastId },
    });
    const resumed = await readEvents(again.body!, 1 + 6);
    await resumed.reader.cancel();
    const paths = resumed.events.slice(1).map((e) => JSON.parse(e.data!) as { type: string; path: string });
    expect(paths).toEqual([
      { type: "NodeCreated", path: "/s/n4", zxid: expect.any(String) },
      { type: "NodeChildrenChanged", path: "/s", zxid: expect.any(String) },
      { type: "NodeCreated", path: "/s/n5", zxid: expect.any(String) },
      { type: "NodeChildrenChanged", path: "/s", zxid: expect.any(String) },
      { type: "NodeDeleted", path: "/s/n1", zxid: expect.any(String) },
      { type: "NodeChildrenChanged", path: "/s", zxid: expect.any(String) },
    ]);
    const ids = resumed.events.slice(1).map((e) => Number(e.id));
    expect(ids.every((id) => id > Number(lastId))).toBe(true);
  });

  it("gives only the path's own events when not recursive", async () => {
    await api.call("POST", "/v1/znodes/solo", {});
    const res = await api.app.request("/v1/events/solo");
    await api.call("POST", "/v1/znodes/solo/kid", {});
    await api.call("PUT", "/v1/znodes/solo", { data: "x" });
    const { events, reader } = await readEvents(res.body!, 3);
    await reader.cancel();
    expect(events.slice(1).map((e) => e.event)).toEqual(["NodeChildrenChanged", "NodeDataChanged"]);
  });

  it("drops a reader that falls behind with a resume event, holding a bounded buffer", async () => {
    await api.call("POST", "/v1/znodes/slow", {});
    const res = await api.app.request("/v1/events/slow?recursive=true");
    for (let n = 0; n < 200; n++) await api.call("PUT", "/v1/znodes/slow", { data: `${n}` });
    const { events } = await readEvents(res.body!, 10_000);
    const last = events[events.length - 1]!;
    expect(last.event).toBe("resume");
    expect(events.length).toBeLessThan(200);
    const { since } = JSON.parse(last.data!) as { since: string };
    const delivered = events.filter((e) => e.event === "NodeDataChanged");
    expect(since).toBe(delivered[delivered.length - 1]!.id);
  });

  it("refuses a bad since", async () => {
    const r = await api.call("GET", "/v1/events/slow?since=nope");
    expect(r.body.error.code).toBe("BadArguments");
  });
});
