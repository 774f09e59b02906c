import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDigest } from "../../core/auth.ts";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

const basic = (user: string, password: string) => ({ Authorization: `Basic ${btoa(`${user}:${password}`)}` });

describe("acl", () => {
  it("gets the default ACL and sets a new one with a version", async () => {
    await api.call("POST", "/v1/znodes/doc", { data: "x" });
    const got = await api.call("GET", "/v1/acl/doc");
    expect(got.body.acl).toEqual([{ scheme: "world", id: "anyone", perms: "cdrwa" }]);
    expect(got.body.stat.aversion).toBe(0);
    const set = await api.call("PUT", "/v1/acl/doc", {
      acl: [{ scheme: "world", id: "anyone", perms: "ra" }],
      version: 0,
    });
    expect(set.status).toBe(200);
    expect(set.body.acl).toEqual([{ scheme: "world", id: "anyone", perms: "ra" }]);
    expect(set.body.stat.aversion).toBe(1);
    const stale = await api.call("PUT", "/v1/acl/doc", {
      acl: [{ scheme: "world", id: "anyone", perms: "r" }],
      version: 0,
    });
    expect(stale.body.error.code).toBe("BadVersion");
    const denied = await api.call("PUT", "/v1/znodes/doc", { data: "y" });
    expect([denied.status, denied.body.error.code]).toEqual([403, "NoAuth"]);
  });

  it("treats Basic auth as the digest identity user:password", async () => {
    const id = generateDigest("alice:secret");
    await api.call("POST", "/v1/znodes/private", {
      data: "s",
      acl: [{ scheme: "digest", id, perms: "cdrwa" }],
    });
    expect((await api.call("GET", "/v1/znodes/private")).status).toBe(403);
    const mine = await api.call("GET", "/v1/znodes/private", undefined, basic("alice", "secret"));
    expect(mine.body.data).toBe("s");
    expect((await api.call("GET", "/v1/znodes/private", undefined, basic("alice", "wrong"))).status).toBe(
      403,
    );
    const full = await api.call("GET", "/v1/acl/private", undefined, basic("alice", "secret"));
    expect(full.body.acl[0].id).toBe(id);
  });

  it("refuses a malformed Authorization header with AuthFailed", async () => {
    const r = await api.call("GET", "/v1/znodes/doc", undefined, { Authorization: "Bearer x" });
    expect([r.status, r.body.error.code, r.body.error.zkCode]).toEqual([401, "AuthFailed", -115]);
    const noColon = await api.call("GET", "/v1/znodes/doc", undefined, {
      Authorization: `Basic ${btoa("alice")}`,
    });
    expect(noColon.status).toBe(401);
  });

  it("refuses bad ACLs with InvalidACL or BadArguments", async () => {
    const letters = await api.call("PUT", "/v1/acl/doc", {
      acl: [{ scheme: "world", id: "anyone", perms: "rx" }],
    });
    expect(letters.status).toBe(400);
    const empty = await api.call("PUT", "/v1/acl/doc", { acl: [] }, basic("a", "b"));
    expect([empty.status, empty.body.error.code]).toEqual([400, "InvalidACL"]);
    const badIp = await api.call("POST", "/v1/znodes/ipacl", {
      acl: [{ scheme: "ip", id: "not-an-ip", perms: "r" }],
    });
    expect(badIp.body.error.code).toBe("InvalidACL");
  });
});
