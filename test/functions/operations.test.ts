import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../functions/commands.ts";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

/** Every route of shared/API.md, as OpenAPI names it. */
const API_ROUTES: [string, string][] = [
  ["post", "/v1/znodes/{path}"],
  ["get", "/v1/znodes/{path}"],
  ["head", "/v1/znodes/{path}"],
  ["put", "/v1/znodes/{path}"],
  ["delete", "/v1/znodes/{path}"],
  ["get", "/v1/stat/{path}"],
  ["get", "/v1/children/{path}"],
  ["get", "/v1/acl/{path}"],
  ["put", "/v1/acl/{path}"],
  ["post", "/v1/multi"],
  ["post", "/v1/sync/{path}"],
  ["post", "/v1/sessions"],
  ["post", "/v1/sessions/{sessionId}/keepalive"],
  ["delete", "/v1/sessions/{sessionId}"],
  ["get", "/v1/sessions/{sessionId}"],
  ["post", "/v1/sessions/{sessionId}/auth"],
  ["get", "/v1/watch/{path}"],
  ["get", "/v1/events/{path}"],
  ["put", "/v1/services/{name}/{id}"],
  ["get", "/v1/services"],
  ["get", "/v1/services/{name}"],
  ["delete", "/v1/services/{name}/{id}"],
  ["get", "/v1/status"],
  ["get", "/commands/{name}"],
  ["get", "/metrics"],
];

describe("operations", () => {
  it("serves an OpenAPI 3.1 document that validates and lists every route", async () => {
    const doc = await api.call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const result = await new Validator().validate(doc.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const [method, path] of API_ROUTES)
      expect(doc.body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.body.components.schemas.Stat.required).toContain("ephemeralOwner");
  });

  it("reports the member's status", async () => {
    const r = await api.call("GET", "/v1/status");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ mode: "leading", memberId: "h1" });
    expect(r.body.lastZxid).toMatch(/^0x[0-9a-f]+$/);
  });

  it("answers every AdminServer command with its JSON shape, and aliases", async () => {
    for (const name of [
      "ruok",
      "srvr",
      "stat",
      "mntr",
      "conf",
      "cons",
      "dump",
      "envi",
      "wchs",
      "wchc",
      "wchp",
      "isro",
    ]) {
      expect(COMMANDS[name], name).toBeDefined();
      const r = await api.call("GET", `/commands/${name}`);
      expect(r.status, name).toBe(200);
      expect(r.body).toMatchObject({ command: name, error: null });
    }
    const mntr = await api.call("GET", "/commands/monitor");
    expect(mntr.body).toMatchObject({ command: "mntr", server_state: "leader" });
    expect(mntr.body.znode_count).toBeGreaterThanOrEqual(4);
    expect((await api.call("GET", "/commands/isro")).body.read_only).toBe(false);
    expect((await api.call("GET", "/commands/nonsense")).status).toBe(400);
  });

  it("exposes Prometheus metrics with per-route counts and latencies", async () => {
    await api.call("POST", "/v1/znodes/metered", {});
    await api.call("GET", "/v1/znodes/metered");
    await api.call("GET", "/v1/znodes/nothing-here");
    await api.call("GET", "/v2/nowhere");
    const r = await api.app.request("/metrics");
    expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/nzk_http_requests_total\{route="GET \/v1\/znodes\/\{path\}",code="200"\} 1\n/);
    expect(text).toMatch(/nzk_http_requests_total\{route="GET \/v1\/znodes\/\{path\}",code="404"\} 1\n/);
    expect(text).toMatch(
      /nzk_http_request_duration_seconds_count\{route="POST \/v1\/znodes\/\{path\}"\} 1\n/,
    );
    expect(text).toMatch(/nzk_http_requests_total\{route="unmatched",code="400"\} 1\n/);
    for (const gauge of [
      "nzk_znode_count",
      "nzk_watch_count",
      "nzk_sessions",
      "nzk_outstanding_requests",
      "nzk_log_lag",
    ])
      expect(text).toMatch(new RegExp(`^${gauge} \\d+$`, "m"));
    expect(text).toMatch(/^nzk_mode\{mode="leading"\} 1$/m);
  });
});
