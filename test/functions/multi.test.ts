import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

describe("multi", () => {
  it("applies every op atomically and answers each result", async () => {
    const r = await api.call("POST", "/v1/multi", {
      ops: [
        { op: "create", path: "/m", data: "1" },
        { op: "create", path: "/m/s-", mode: "persistent_sequential" },
        { op: "set", path: "/m", data: "2", version: 0 },
        { op: "check", path: "/m", version: 1 },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { op: string }) => x.op)).toEqual(["create", "create", "set", "check"]);
    expect(r.body.results[1].path).toBe("/m/s-0000000000");
    expect(r.body.results[2].stat.version).toBe(1);
  });

  it("applies nothing when one op fails, and reports each op's code", async () => {
    const r = await api.call("POST", "/v1/multi", {
      ops: [
        { op: "create", path: "/n", data: "1" },
        { op: "delete", path: "/missing" },
        { op: "create", path: "/n2" },
      ],
    });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NoNode");
    expect(r.body.error.results.map((x: { code: string }) => x.code)).toEqual([
      "Ok",
      "NoNode",
      "RuntimeInconsistency",
    ]);
    expect(r.body.error.results.map((x: { zkCode: number }) => x.zkCode)).toEqual([0, -101, -2]);
    expect((await api.call("GET", "/v1/znodes/n")).status).toBe(404);
  });

  it("refuses malformed ops before anything is sent", async () => {
    for (const body of [
      {},
      { ops: [] },
      { ops: [{ op: "rename", path: "/a" }] },
      { ops: [{ op: "check", path: "/a" }] },
    ]) {
      const r = await api.call("POST", "/v1/multi", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe("BadArguments");
    }
    const badPath = await api.call("POST", "/v1/multi", { ops: [{ op: "create", path: "no-slash" }] });
    expect(badPath.body.error.message).toMatch(/^ops\.0: /);
  });
});

describe("sync", () => {
  it("answers the zxid this member reached", async () => {
    const r = await api.call("POST", "/v1/sync/");
    expect(r.status).toBe(200);
    expect(r.body.zxid).toMatch(/^0x[0-9a-f]+$/);
    expect(Number(r.body.zxid)).toBe(api.running.member.replica.lastZxid);
  });
});
