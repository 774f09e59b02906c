import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
  for (const name of ["b", "a", "c", "d", "e"])
    await api.call("POST", `/v1/znodes/dir/${name}`, { data: name, parents: true });
  await api.call("POST", "/v1/znodes/dir/a/deep", { data: "z" });
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

describe("children", () => {
  it("lists names sorted, with the parent's Stat", async () => {
    const r = await api.call("GET", "/v1/children/dir");
    expect(r.status).toBe(200);
    expect(r.body.children).toEqual(["a", "b", "c", "d", "e"]);
    expect(r.body.stat.numChildren).toBe(5);
    expect(r.body.next).toBeUndefined();
  });

  it("gives data with ?data=true", async () => {
    const r = await api.call("GET", "/v1/children/dir?data=true");
    expect(r.body.children[1]).toMatchObject({ name: "b", data: "b", encoding: "utf8" });
    expect(r.body.children[1].stat.dataLength).toBe(1);
  });

  it("gives every descendant with ?recursive=true", async () => {
    const r = await api.call("GET", "/v1/children/dir?recursive=true");
    expect(r.body.children).toEqual(["/dir/a", "/dir/a/deep", "/dir/b", "/dir/c", "/dir/d", "/dir/e"]);
  });

  it("pages with ?limit&after and a next cursor", async () => {
    const first = await api.call("GET", "/v1/children/dir?limit=2");
    expect(first.body).toMatchObject({ children: ["a", "b"], next: "b" });
    const second = await api.call("GET", `/v1/children/dir?limit=2&after=${first.body.next}`);
    expect(second.body).toMatchObject({ children: ["c", "d"], next: "d" });
    const last = await api.call("GET", "/v1/children/dir?limit=2&after=d");
    expect(last.body.children).toEqual(["e"]);
    expect(last.body.next).toBeUndefined();
    const withData = await api.call("GET", "/v1/children/dir?data=true&limit=1&after=a");
    expect(withData.body.children.map((c: { name: string }) => c.name)).toEqual(["b"]);
  });

  it("refuses a bad limit and a missing node", async () => {
    expect((await api.call("GET", "/v1/children/dir?limit=0")).body.error.code).toBe("BadArguments");
    expect((await api.call("GET", "/v1/children/dir?limit=x")).body.error.code).toBe("BadArguments");
    expect((await api.call("GET", "/v1/children/none")).status).toBe(404);
  });
});
