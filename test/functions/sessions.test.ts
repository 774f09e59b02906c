import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../member/harness.ts";
import { type Api, startApi } from "./harness.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi({ member: { minSessionTimeoutMs: 300, maxSessionTimeoutMs: 40_000, tickMs: 100 } });
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

async function session(timeoutMs = 30_000): Promise<{ sessionId: string; token: string; timeoutMs: number }> {
  const r = await api.call("POST", "/v1/sessions", { timeoutMs });
  expect(r.status).toBe(201);
  return r.body;
}

describe("sessions", () => {
  it("creates a session with a clamped timeout and a token holding its id", async () => {
    const s = await session(30_000);
    expect(s.sessionId).toMatch(/^0x[0-9a-f]+$/);
    expect(s.token.startsWith(`${s.sessionId}.`)).toBe(true);
    expect(s.timeoutMs).toBe(30_000);
    expect((await session(1)).timeoutMs).toBe(300);
    expect((await session(10_000_000)).timeoutMs).toBe(40_000);
    const bad = await api.call("POST", "/v1/sessions", { timeoutMs: "soon" });
    expect(bad.body.error.code).toBe("BadArguments");
  });

  it("owns ephemerals, lists them, keeps alive, and deletes them on close", async () => {
    const s = await session();
    const h = { "Nzk-Session": s.token };
    const e = await api.call("POST", "/v1/znodes/eph", { mode: "ephemeral" }, h);
    expect(e.status).toBe(201);
    expect(e.body.stat.ephemeralOwner).toBe(s.sessionId);
    const seq = await api.call("POST", "/v1/znodes/eph-", { mode: "ephemeral_sequential" }, h);
    const info = await api.call("GET", `/v1/sessions/${s.sessionId}`, undefined, h);
    expect(info.body).toEqual({
      sessionId: s.sessionId,
      timeoutMs: 30_000,
      ephemerals: ["/eph", seq.body.path].sort(),
    });
    const child = await api.call("POST", "/v1/znodes/eph/child", {}, h);
    expect([child.status, child.body.error.code, child.body.error.zkCode]).toEqual([
      400,
      "NoChildrenForEphemerals",
      -108,
    ]);
    const alive = await api.call("POST", `/v1/sessions/${s.sessionId}/keepalive`, undefined, h);
    expect(alive.body).toEqual({ timeoutMs: 30_000 });
    expect((await api.call("DELETE", `/v1/sessions/${s.sessionId}`, undefined, h)).status).toBe(204);
    expect((await api.call("GET", "/v1/znodes/eph")).status).toBe(404);
    const after = await api.call("GET", "/v1/znodes/", undefined, h);
    expect([after.status, after.body.error.code, after.body.error.zkCode]).toEqual([
      410,
      "SessionExpired",
      -112,
    ]);
  });

  it("refuses a guessed id, another session's token and a malformed token with AuthFailed", async () => {
    const s = await session();
    const other = await session();
    const guessed = await api.call("GET", `/v1/sessions/${s.sessionId}`, undefined, {
      "Nzk-Session": s.sessionId,
    });
    expect([guessed.status, guessed.body.error.code]).toEqual([401, "AuthFailed"]);
    const wrong = await api.call("GET", `/v1/sessions/${s.sessionId}`, undefined, {
      "Nzk-Session": other.token,
    });
    expect(wrong.body.error.code).toBe("AuthFailed");
    const forged = await api.call(
      "POST",
      "/v1/znodes/forged",
      { mode: "ephemeral" },
      {
        "Nzk-Session": `${s.sessionId}.AAAAAAAAAAAAAAAAAAAAAA`,
      },
    );
    expect(forged.body.error.code).toBe("AuthFailed");
    expect((await api.call("GET", "/v1/znodes/forged")).status).toBe(404);
    const none = await api.call("POST", `/v1/sessions/${s.sessionId}/keepalive`);
    expect(none.body.error.code).toBe("AuthFailed");
    const badId = await api.call("GET", "/v1/sessions/nope", undefined, { "Nzk-Session": s.token });
    expect(badId.body.error.code).toBe("BadArguments");
  });

  it("adds a digest identity with /auth", async () => {
    const s = await session();
    const h = { "Nzk-Session": s.token };
    expect(
      (
        await api.call(
          "POST",
          `/v1/sessions/${s.sessionId}/auth`,
          { scheme: "digest", credentials: "carol:pw" },
          h,
        )
      ).status,
    ).toBe(204);
    const created = await api.call(
      "POST",
      "/v1/znodes/carols",
      { acl: [{ scheme: "auth", id: "", perms: "cdrwa" }] },
      h,
    );
    expect(created.status).toBe(201);
    expect((await api.call("GET", "/v1/znodes/carols")).status).toBe(403);
    expect((await api.call("GET", "/v1/znodes/carols", undefined, h)).status).toBe(200);
    const unknown = await api.call(
      "POST",
      `/v1/sessions/${s.sessionId}/auth`,
      { scheme: "kerberos", credentials: "x" },
      h,
    );
    expect(unknown.body.error.code).toBe("AuthFailed");
  });

  it("expires a session that misses its timeout: ephemerals gone, token SessionExpired", async () => {
    const s = await session(300);
    const h = { "Nzk-Session": s.token };
    await api.call("POST", "/v1/znodes/short", { mode: "ephemeral" }, h);
    await until(
      "the session expired",
      () => api.running.member.replica.tree.session(Number(s.sessionId)) === undefined,
    );
    expect((await api.call("GET", "/v1/znodes/short")).status).toBe(404);
    const late = await api.call("POST", `/v1/sessions/${s.sessionId}/keepalive`, undefined, h);
    expect([late.status, late.body.error.code]).toEqual([410, "SessionExpired"]);
  });
});
