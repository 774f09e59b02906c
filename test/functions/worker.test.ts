/**
 * The Worker build (wrangler.toml, functions/worker.ts) under workerd, locally and offline, against a
 * real member behind a real nats-server whose websocket listener is on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "../../member/index.ts";
import { type Api, startApi } from "./harness.ts";

Object.assign(process.env, {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
});
const { unstable_startWorker } = await import("wrangler");

let api: Api;
let member: Member;
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let base: string;

beforeAll(async () => {
  api = await startApi({ websocket: true });
  member = api.running.member;
  worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: { NATS_URL: { type: "plain_text", value: api.nats.wsUrl! } },
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      logLevel: "none",
      watch: false,
      persist: false,
      remote: false,
    },
  });
  await worker.ready;
  base = (await worker.url).toString().replace(/\/$/, "");
}, 120_000);

afterAll(async () => {
  await worker?.dispose();
  await api?.[Symbol.asyncDispose]();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

describe("the Worker under workerd", () => {
  it("writes and reads znodes through the member over NATS websocket", async () => {
    const created = await call("POST", "/v1/znodes/edge", { data: "from the edge" });
    expect(created.status).toBe(201);
    expect(member.replica.tree.has("/edge")).toBe(true);
    const got = await call("GET", "/v1/znodes/edge");
    expect(got.body).toMatchObject({ path: "/edge", data: "from the edge", encoding: "utf8" });
    expect(got.headers.get("etag")).toBe('"0"');
  });

  it("keeps sessions across requests, each on its own connection", async () => {
    const s = await call("POST", "/v1/sessions", { timeoutMs: 20_000 });
    expect(s.status).toBe(201);
    const h = { "Nzk-Session": s.body.token };
    expect((await call("POST", "/v1/znodes/edge-eph", { mode: "ephemeral" }, h)).status).toBe(201);
    expect((await call("GET", `/v1/sessions/${s.body.sessionId}`, undefined, h)).body.ephemerals).toEqual([
      "/edge-eph",
    ]);
    expect((await call("DELETE", `/v1/sessions/${s.body.sessionId}`, undefined, h)).status).toBe(204);
    expect(member.replica.tree.has("/edge-eph")).toBe(false);
  });

  it("maps errors and malformed input the same way as on Node", async () => {
    const missing = await call("GET", "/v1/znodes/nowhere");
    expect([missing.status, missing.body.error.code]).toEqual([404, "NoNode"]);
    const bad = await call("POST", "/v1/znodes/x", "{not json");
    expect([bad.status, bad.body.error.code]).toEqual([400, "BadArguments"]);
  });

  it("answers a one-shot watch", async () => {
    const read = await call("GET", "/v1/znodes/edge");
    const watching = call("GET", `/v1/watch/edge?type=data&zxid=${read.body.stat.mzxid}&timeoutMs=20000`);
    await call("PUT", "/v1/znodes/edge", { data: "changed" });
    expect((await watching).body).toMatchObject({ type: "NodeDataChanged", path: "/edge" });
  });
});
