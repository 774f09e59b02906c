import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { localBackend, serveHttp } from "../../functions/node.ts";
import { startApi } from "./harness.ts";

describe("the Node entry", () => {
  it("refuses dot segments that the URL parser would silently resolve", async () => {
    await using api = await startApi();
    await using http = await serveHttp(localBackend(api.running), { port: 0 });
    const raw = (method: string, path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: http.port, method, path }, (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    await api.call("POST", "/v1/znodes/a", { data: "x" });
    for (const path of ["/v1/znodes/a/..", "/v1/znodes/a/%2e%2E", "/v1/znodes/./a"]) {
      const r = await raw("PUT", path);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).error.code).toBe("BadArguments");
    }
    expect((await raw("GET", "/v1/znodes/a")).status).toBe(200);
    expect((await raw("GET", "/v1/znodes/")).status).toBe(200);
  });

  it("reads a body over a socket with a Content-Length or chunked, and refuses one over the limit either way", async () => {
    await using api = await startApi({ maxDataBytes: 1024 });
    await using http = await serveHttp(localBackend(api.running), { port: 0, maxDataBytes: 1024 });
    // the app takes bodies up to 4/3 of maxDataBytes (base64) plus 64 KiB of JSON around the data
    const limit = Math.ceil((1024 * 4) / 3) + 64 * 1024;
    const send = (path: string, body: string, chunked: boolean): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const headers = chunked ? {} : { "content-length": String(Buffer.byteLength(body)) };
        const req = request({ host: "127.0.0.1", port: http.port, method: "POST", path, headers }, (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on("error", reject);
        if (chunked) {
          // two writes without a length make Node send Transfer-Encoding: chunked
          req.write(body.slice(0, 1));
          req.end(body.slice(1));
        } else req.end(body);
      });
    expect((await send("/v1/znodes/sized", '{"data":"with a length"}', false)).status).toBe(201);
    expect((await send("/v1/znodes/chunked", '{"data":"in chunks"}', true)).status).toBe(201);
    expect((await api.call("GET", "/v1/znodes/sized")).body.data).toBe("with a length");
    expect((await api.call("GET", "/v1/znodes/chunked")).body.data).toBe("in chunks");
    const huge = `{"data":"${"x".repeat(limit)}"}`;
    for (const chunked of [false, true]) {
      const r = await send(`/v1/znodes/huge-${chunked}`, huge, chunked);
      expect([r.status, JSON.parse(r.body).error.code], `chunked ${chunked}`).toEqual([
        413,
        "MarshallingError",
      ]);
      expect((await api.call("GET", `/v1/znodes/huge-${chunked}`)).status).toBe(404);
    }
    const bad = await send("/v1/znodes/bad", '{"data":', false);
    expect([bad.status, JSON.parse(bad.body).error.code]).toEqual([400, "BadArguments"]);
  });
});
