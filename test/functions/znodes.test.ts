import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi({ maxDataBytes: 1024 });
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

describe("znodes", () => {
  it("creates, reads, sets and deletes with Stat, ETag and versions", async () => {
    const created = await api.call("POST", "/v1/znodes/app", { data: "hello" });
    expect(created.status).toBe(201);
    expect(created.body.path).toBe("/app");
    expect(created.body.stat.version).toBe(0);
    expect(created.body.stat.ephemeralOwner).toBe("0x0");
    expect(created.body.stat.czxid).toMatch(/^0x[0-9a-f]+$/);

    const got = await api.call("GET", "/v1/znodes/app");
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ path: "/app", data: "hello", encoding: "utf8" });
    expect(got.headers.get("etag")).toBe('"0"');
    expect(Object.keys(got.body.stat).sort()).toEqual([
      "aversion",
      "ctime",
      "cversion",
      "czxid",
      "dataLength",
      "ephemeralOwner",
      "mtime",
      "mzxid",
      "numChildren",
      "pzxid",
      "version",
    ]);

    const set = await api.call("PUT", "/v1/znodes/app", { data: "aGk=", encoding: "base64", version: 0 });
    expect(set.status).toBe(200);
    expect(set.body.stat.version).toBe(1);
    expect((await api.call("GET", "/v1/znodes/app")).body.data).toBe("hi");

    const stale = await api.call("PUT", "/v1/znodes/app", { data: "x", version: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "BadVersion", zkCode: -103, path: "/app" });

    const ifMatch = await api.call("PUT", "/v1/znodes/app", { data: "y" }, { "If-Match": '"1"' });
    expect(ifMatch.status).toBe(200);
    const ifMatchStale = await api.call("PUT", "/v1/znodes/app", { data: "z" }, { "If-Match": '"1"' });
    expect(ifMatchStale.body.error.code).toBe("BadVersion");

    expect((await api.call("DELETE", "/v1/znodes/app?version=0")).body.error.code).toBe("BadVersion");
    expect((await api.call("DELETE", "/v1/znodes/app?version=2")).status).toBe(204);
    const gone = await api.call("GET", "/v1/znodes/app");
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: "NoNode", zkCode: -101, path: "/app" });
  });

  it("answers HEAD as exists and /v1/stat with the Stat", async () => {
    await api.call("POST", "/v1/znodes/here", {});
    const head = await api.call("HEAD", "/v1/znodes/here");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect((await api.call("HEAD", "/v1/znodes/nowhere")).status).toBe(404);
    const stat = await api.call("GET", "/v1/stat/here");
    expect(stat.body.path).toBe("/here");
    expect(stat.body.stat.dataLength).toBe(0);
    expect((await api.call("GET", "/v1/stat/nowhere")).status).toBe(404);
  });

  it("reads the root at /v1/znodes and /v1/znodes/", async () => {
    for (const url of ["/v1/znodes", "/v1/znodes/"]) {
      const root = await api.call("GET", url);
      expect(root.status).toBe(200);
      expect(root.body.path).toBe("/");
    }
  });

  it("creates sequential nodes under a trailing slash, with parents, and every mode", async () => {
    const seq = await api.call("POST", "/v1/znodes/q/job-", { mode: "persistent_sequential", parents: true });
    expect(seq.status).toBe(201);
    expect(seq.body.path).toBe("/q/job-0000000000");
    const slash = await api.call("POST", "/v1/znodes/q/", { mode: "persistent_sequential" });
    expect(slash.body.path).toBe("/q/0000000001");
    const container = await api.call("POST", "/v1/znodes/c", { mode: "container" });
    expect(container.status).toBe(201);
    const ttl = await api.call("POST", "/v1/znodes/t", { mode: "persistent_ttl", ttlMs: 60000 });
    expect(ttl.status).toBe(201);
    const noTtl = await api.call("POST", "/v1/znodes/t2", { mode: "persistent_ttl" });
    expect(noTtl.status).toBe(400);
    expect(noTtl.body.error.code).toBe("BadArguments");
    const ephemeral = await api.call("POST", "/v1/znodes/e", { mode: "ephemeral" });
    expect(ephemeral.status).toBeGreaterThanOrEqual(400);
    expect(ephemeral.status).toBeLessThan(500);
  });

  it("percent-decodes each segment and refuses bad paths", async () => {
    const odd = await api.call("POST", "/v1/znodes/sp%20ace%3Fq", { data: "x" });
    expect(odd.body.path).toBe("/sp ace?q");
    expect((await api.call("GET", "/v1/znodes/sp%20ace%3Fq")).body.data).toBe("x");
    const cases: [string, string][] = [
      ["/v1/znodes/bad%zz", "BadArguments"],
      ["/v1/znodes/a//b", "BadArguments"],
      ["/v1/znodes/a/", "BadArguments"],
      ["/v1/znodes/nul%00", "BadArguments"],
    ];
    for (const [url, code] of cases) {
      const r = await api.call("GET", url);
      expect(r.status, url).toBe(400);
      expect(r.body.error.code, url).toBe(code);
      expect(r.body.error.zkCode, url).toBe(-8);
    }
  });

  it("maps each error row of API.md", async () => {
    await api.call("POST", "/v1/znodes/p", {});
    await api.call("POST", "/v1/znodes/p/child", {});
    const exists = await api.call("POST", "/v1/znodes/p", {});
    expect([exists.status, exists.body.error.code, exists.body.error.zkCode]).toEqual([
      409,
      "NodeExists",
      -110,
    ]);
    const notEmpty = await api.call("DELETE", "/v1/znodes/p");
    expect([notEmpty.status, notEmpty.body.error.code, notEmpty.body.error.zkCode]).toEqual([
      409,
      "NotEmpty",
      -111,
    ]);
    const noParent = await api.call("POST", "/v1/znodes/none/child", {});
    expect([noParent.status, noParent.body.error.code]).toEqual([404, "NoNode"]);
    const big = await api.call("POST", "/v1/znodes/big", { data: "x".repeat(2000) });
    expect([big.status, big.body.error.code, big.body.error.zkCode]).toEqual([413, "MarshallingError", -5]);
    const badAcl = await api.call("POST", "/v1/znodes/acl1", {
      acl: [{ scheme: "nope", id: "x", perms: "r" }],
    });
    expect([badAcl.status, badAcl.body.error.code, badAcl.body.error.zkCode]).toEqual([
      400,
      "InvalidACL",
      -114,
    ]);
    const locked = await api.call("POST", "/v1/znodes/locked", {
      acl: [{ scheme: "digest", id: "bob:x", perms: "cdrwa" }],
    });
    expect(locked.status).toBe(201);
    const noAuth = await api.call("GET", "/v1/znodes/locked");
    expect([noAuth.status, noAuth.body.error.code, noAuth.body.error.zkCode]).toEqual([403, "NoAuth", -102]);
    const reserved = await api.call("DELETE", "/v1/znodes/zookeeper");
    expect(reserved.status).toBe(400);
  });

  it("refuses malformed bodies with BadArguments and changes nothing", async () => {
    const bodies = [
      "{",
      "[]",
      '{"data": 5}',
      '{"mode": "forever"}',
      '{"verison": 1}',
      '{"data":"@@","encoding":"base64"}',
    ];
    for (const body of bodies) {
      const r = await api.call("POST", "/v1/znodes/mal", body);
      expect(r.status, body).toBe(400);
      expect(r.body.error.code, body).toBe("BadArguments");
    }
    expect((await api.call("GET", "/v1/znodes/mal")).status).toBe(404);
    const negative = await api.call("PUT", "/v1/znodes/here", { data: "", version: -2 });
    expect(negative.body.error.code).toBe("BadArguments");
    const badQuery = await api.call("DELETE", "/v1/znodes/here?version=abc");
    expect(badQuery.body.error.code).toBe("BadArguments");
  });

  it("forces base64 with ?encoding=base64 and returns base64 for non-UTF-8 data", async () => {
    await api.call("POST", "/v1/znodes/bin", { data: "/w==", encoding: "base64" });
    const bin = await api.call("GET", "/v1/znodes/bin");
    expect(bin.body).toMatchObject({ data: "/w==", encoding: "base64" });
    await api.call("POST", "/v1/znodes/txt", { data: "héllo" });
    const forced = await api.call("GET", "/v1/znodes/txt?encoding=base64");
    expect(forced.body.encoding).toBe("base64");
    expect(new TextDecoder().decode(Uint8Array.from(atob(forced.body.data), (c) => c.charCodeAt(0)))).toBe(
      "héllo",
    );
    expect((await api.call("GET", "/v1/znodes/txt?sync=true")).body.data).toBe("héllo");
  });

  it("keeps a leading byte-order mark: data EF BB BF 41 reads back as the same bytes", async () => {
    await api.call("POST", "/v1/znodes/bom", { data: "77u/QQ==", encoding: "base64" });
    const got = await api.call("GET", "/v1/znodes/bom");
    expect(got.body.stat.dataLength).toBe(4);
    expect(got.body).toMatchObject({ data: "\uFEFFA", encoding: "utf8" });
  });

  it("deletes a subtree atomically with ?recursive=true", async () => {
    await api.call("POST", "/v1/znodes/tree/a/b", { parents: true });
    await api.call("POST", "/v1/znodes/tree/c", {});
    expect((await api.call("DELETE", "/v1/znodes/tree?recursive=true")).status).toBe(204);
    expect((await api.call("GET", "/v1/znodes/tree")).status).toBe(404);
  });

  it("answers an unknown route with a 4xx error body", async () => {
    const r = await api.call("GET", "/v2/nothing");
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("BadArguments");
  });
});
