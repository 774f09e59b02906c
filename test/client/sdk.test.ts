import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesOf, isNzkError, NzkClient, NzkError, textOf } from "../../client/sdk/index.ts";
import { type Nzk, partition, reaches, startNzk } from "./harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

async function rejection(p: Promise<unknown>): Promise<NzkError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NzkError);
  return err as NzkError;
}

describe("SDK operations", () => {
  it("creates, reads, sets, lists and deletes, with the API's error codes as NzkError", async () => {
    const zk = nzk.client();
    const made = await zk.create("/sdk/a", { data: "hello", parents: true });
    expect(made.path).toBe("/sdk/a");
    const got = await zk.get("/sdk/a");
    expect([got.data, got.encoding, got.stat.version]).toEqual(["hello", "utf8", 0]);
    const binary = new Uint8Array([0, 255, 1, 128]);
    await zk.set("/sdk/a", binary, 0);
    expect(bytesOf(await zk.get("/sdk/a"))).toEqual(binary);
    const bad = await rejection(zk.set("/sdk/a", "x", 0));
    expect([bad.code, bad.zkCode, bad.status, bad.path]).toEqual(["BadVersion", -103, 409, "/sdk/a"]);
    const exists = await rejection(zk.create("/sdk/a"));
    expect([exists.code, exists.zkCode]).toEqual(["NodeExists", -110]);
    expect((await zk.children("/sdk")).children).toEqual(["a"]);
    expect(await zk.exists("/sdk/none")).toBeUndefined();
    expect(await zk.descendants("/sdk")).toEqual(["/sdk/a"]);
    const notEmpty = await rejection(zk.delete("/sdk"));
    expect(notEmpty.code).toBe("NotEmpty");
    await zk.delete("/sdk", { recursive: true });
    expect(await zk.exists("/sdk")).toBeUndefined();
    const noNode = await rejection(zk.get("/sdk/a"));
    expect([noNode.code, noNode.zkCode, noNode.status]).toEqual(["NoNode", -101, 404]);
  });

  it("fails a multi as a whole and reports each op's result", async () => {
    const zk = nzk.client();
    const err = await rejection(
      zk.multi([
        { op: "create", path: "/m1" },
        { op: "delete", path: "/m-missing" },
      ]),
    );
    expect(err.code).toBe("NoNode");
    expect(err.results?.map((r) => r.code)).toEqual(["Ok", "NoNode"]);
    expect(await zk.exists("/m1")).toBeUndefined();
  });

  it("reads non-UTF-8 data as base64 and text as text", async () => {
    const zk = nzk.client();
    await zk.create("/bin", { data: new Uint8Array([0xff, 0xfe]) });
    const got = await zk.get("/bin");
    expect(got.encoding).toBe("base64");
    expect(bytesOf(got)).toEqual(new Uint8Array([0xff, 0xfe]));
    await zk.create("/txt", { data: "żółw" });
    expect(textOf(await zk.get("/txt"))).toBe("żółw");
  });

  it("one-shot watch: a change made before the watch (after the read) fires at once", async () => {
    const zk = nzk.client();
    const { stat } = await zk.create("/w1");
    await zk.set("/w1", "changed");
    const event = await zk.watch("/w1", { type: "data", zxid: stat.mzxid, timeoutMs: 5_000 });
    expect(event?.type).toBe("NodeDataChanged");
    const child = zk.watch("/w1", { type: "children", zxid: (await zk.exists("/w1"))!.pzxid });
    await zk.create("/w1/c");
    expect((await child)?.type).toBe("NodeChildrenChanged");
    expect(
      await zk.watch("/w1", { type: "data", zxid: (await zk.exists("/w1"))!.mzxid, timeoutMs: 200 }),
    ).toBe(undefined);
  });

  it("event stream: recursive, in zxid order, starting after the current state", async () => {
    const zk = nzk.client();
    await zk.create("/ev");
    const abort = new AbortController();
    const since = await zk.sync("/ev");
    const stream = zk.events("/ev", { recursive: true, since, signal: abort.signal });
    await zk.create("/ev/a");
    await zk.set("/ev/a", "x");
    await zk.delete("/ev/a");
    const seen: string[] = [];
    for await (const e of stream) {
      seen.push(`${e.type} ${e.path}`);
      if (seen.length === 5) break;
    }
    abort.abort();
    expect(seen).toEqual([
      "NodeCreated /ev/a",
      "NodeChildrenChanged /ev",
      "NodeDataChanged /ev/a",
      "NodeDeleted /ev/a",
      "NodeChildrenChanged /ev",
    ]);
  });
});

describe("SDK sessions", () => {
  it("owns ephemerals, adds auth and deletes its ephemerals on close", async () => {
    const zk = await nzk.connect(5_000);
    expect(zk.state).toBe("connected");
    await zk.create("/eph", { mode: "ephemeral" });
    expect((await zk.sessionInfo()).ephemerals).toEqual(["/eph"]);
    await zk.addAuth("digest", "alice:secret");
    await zk.create("/private", { acl: [{ scheme: "auth", id: "", perms: "cdrwa" }] });
    expect((await zk.get("/private")).path).toBe("/private");
    const denied = await rejection(nzk.client().get("/private"));
    expect([denied.code, denied.zkCode]).toEqual(["NoAuth", -102]);
    const basic = new NzkClient({ url: nzk.url, auth: { user: "alice", password: "secret" } });
    expect((await basic.get("/private")).path).toBe("/private");
    await zk.close();
    expect(zk.state).toBe("closed");
    expect(await nzk.client().exists("/eph")).toBeUndefined();
  });

  it("keeps a short session alive past its timeout by itself", async () => {
    const zk = await nzk.connect(400);
    await zk.create("/kept", { mode: "ephemeral" });
    const expired = reaches(zk, "lost", "expired", "suspended");
    // three timeouts pass, each of which would have expired a silent session
    const seen = await Promise.race([
      expired,
      nzk
        .client()
        .watch("/kept", { type: "data", zxid: (await zk.exists("/kept"))!.mzxid, timeoutMs: 1_200 }),
    ]);
    expect(seen).toBeUndefined();
    expect(zk.state).toBe("connected");
    expect(await nzk.client().exists("/kept")).toBeDefined();
    await zk.close();
  });

  it("goes suspended when the network is cut, reconnected when it heals", async () => {
    const net = partition();
    const zk = await nzk.connect(3_000, net.fetch);
    net.cut();
    expect(await reaches(zk, "suspended")).toBe("suspended");
    net.heal();
    expect(await reaches(zk, "reconnected")).toBe("reconnected");
    await zk.close();
  });

  it("is lost after a whole timeout without an answer, then expired by the server", async () => {
    const net = partition();
    const zk = await nzk.connect(600, net.fetch);
    await zk.create("/lost", { mode: "ephemeral" });
    const before = await nzk.client().exists("/lost");
    net.cut();
    expect(await reaches(zk, "lost", "expired")).toBe("lost");
    const gone = await nzk.client().watch("/lost", { type: "data", zxid: before!.mzxid, timeoutMs: 10_000 });
    expect(gone?.type).toBe("NodeDeleted");
    net.heal();
    const expired = await rejection(zk.get("/"));
    expect(expired.code).toBe("SessionExpired");
  });

  it("retries ConnectionLoss with backoff, but never BadVersion or NodeExists", async () => {
    let calls = 0;
    let failFirst = 2;
    const counting: typeof fetch = (input, init) => {
      calls++;
      if (failFirst-- > 0) return Promise.reject(new TypeError("connection refused"));
      return fetch(input, init);
    };
    const zk = new NzkClient({ url: nzk.url, fetch: counting, retry: { retries: 5, baseMs: 1, maxMs: 5 } });
    await zk.create("/retried");
    expect(calls).toBe(3);
    calls = 0;
    expect((await rejection(zk.create("/retried"))).code).toBe("NodeExists");
    expect((await rejection(zk.set("/retried", "x", 7))).code).toBe("BadVersion");
    expect(calls).toBe(2);
    const down = new NzkClient({
      url: "http://127.0.0.1:1",
      retry: { retries: 2, baseMs: 1, maxMs: 2 },
    });
    const loss = await rejection(down.get("/"));
    expect([loss.code, loss.zkCode, loss.status]).toEqual(["ConnectionLoss", -4, 0]);
    expect(isNzkError(loss, "ConnectionLoss")).toBe(true);
  });
});
