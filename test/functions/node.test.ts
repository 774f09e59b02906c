import { describe, expect, it } from "vitest";
import { localBackend, serveHttp } from "../../functions/node.ts";
import { startApi } from "./harness.ts";

describe("the Node entry", () => {
  it("refuses dot segments that the URL parser would silently resolve", async () => {
    await using api = await startApi();
    await using http = await serveHttp(localBackend(api.running), { port: 0 });
    const { request } = await import("node:http");
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
});
