import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uriParts } from "../../functions/service-instance.ts";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

describe("service discovery", () => {
  it("registers Curator ServiceInstance JSON as an ephemeral under container nodes", async () => {
    const s = (await api.call("POST", "/v1/sessions", { timeoutMs: 20_000 })).body;
    const h = { "Nzk-Session": s.token };
    const r = await api.call(
      "PUT",
      "/v1/services/orders/i-1",
      { address: "10.0.0.1", port: 8080, payload: { zone: "a" }, uriSpec: "{scheme}://{address}:{port}" },
      h,
    );
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual([
      "name",
      "id",
      "address",
      "port",
      "sslPort",
      "payload",
      "registrationTimeUTC",
      "serviceType",
      "uriSpec",
      "enabled",
    ]);
    expect(r.body).toMatchObject({
      name: "orders",
      id: "i-1",
      port: 8080,
      sslPort: null,
      serviceType: "DYNAMIC",
      payload: { "@class": "java.util.LinkedHashMap", zone: "a" },
    });
    const node = await api.call("GET", "/v1/znodes/services/orders/i-1");
    expect(node.body.stat.ephemeralOwner).toBe(s.sessionId);
    expect(JSON.parse(node.body.data)).toEqual(r.body);
    expect((await api.call("GET", "/v1/services")).body.services).toEqual(["orders"]);
    expect((await api.call("GET", "/v1/services/orders")).body.instances).toEqual([r.body]);
    expect((await api.call("PUT", "/v1/services/orders/i-1", { address: "10.0.0.2" }, h)).status).toBe(200);
    expect((await api.call("GET", "/v1/services/orders")).body.instances[0].address).toBe("10.0.0.2");
    expect((await api.call("DELETE", "/v1/services/orders/i-1", undefined, h)).status).toBe(204);
    expect((await api.call("GET", "/v1/services/orders")).body.instances).toEqual([]);
  });

  it("refuses what Curator could not read, and registration without a session", async () => {
    const s = (await api.call("POST", "/v1/sessions", { timeoutMs: 20_000 })).body;
    const h = { "Nzk-Session": s.token };
    expect((await api.call("PUT", "/v1/services/orders/i-2", { address: "x" })).status).toBe(400);
    expect((await api.call("PUT", "/v1/services/orders/i-2", { address: "x", port: 70000 }, h)).status).toBe(
      400,
    );
    expect(
      (await api.call("PUT", "/v1/services/orders/i-2", { address: "x", payload: "str" }, h)).status,
    ).toBe(400);
    expect((await api.call("PUT", "/v1/services/orders/i-2", { port: 1 }, h)).status).toBe(400);
    expect((await api.call("PUT", "/v1/services/or%2Fders/i-2", { address: "x" }, h)).status).toBe(400);
    expect((await api.call("GET", "/v1/services/unknown")).body.instances).toEqual([]);
  });

  it("parses uriSpec as Curator's UriSpec", () => {
    expect(uriParts("{scheme}://foo:{port}/x")).toEqual([
      { value: "scheme", variable: true },
      { value: "://foo:", variable: false },
      { value: "port", variable: true },
      { value: "/x", variable: false },
    ]);
  });
});
