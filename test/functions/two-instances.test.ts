/**
 * Handlers hold no state: an instance with the member in its process and one reaching members over
 * NATS, on different ports, serve one registry.
 */
import { describe, expect, it } from "vitest";
import { parseId } from "../../core/zxid.ts";
import { natsBackend } from "../../functions/nats-api-client.ts";
import { localBackend, serveHttp } from "../../functions/node.ts";
import { startApi } from "./harness.ts";

describe("two handler instances", () => {
  it("read each other's writes, sessions and watches", async () => {
    await using api = await startApi();
    {
      const nc = await api.nats.connect();
      await using a = await serveHttp(localBackend(api.running), { port: 0 });
      await using b = await serveHttp(natsBackend(nc), { port: 0 });
      expect(a.port).not.toBe(b.port);
      const call = async (
        base: string,
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
      };

      expect((await call(a.url, "POST", "/v1/znodes/shared", { data: "from a" })).status).toBe(201);
      expect((await call(b.url, "GET", "/v1/znodes/shared")).body.data).toBe("from a");
      const set = await call(b.url, "PUT", "/v1/znodes/shared", { data: "from b", version: 0 });
      expect(set.status).toBe(200);
      expect((await call(a.url, "GET", "/v1/znodes/shared")).body).toMatchObject({
        data: "from b",
        stat: set.body.stat,
      });

      const s = await call(b.url, "POST", "/v1/sessions", { timeoutMs: 20_000 });
      const h = { "Nzk-Session": s.body.token };
      expect((await call(b.url, "POST", "/v1/znodes/mine", { mode: "ephemeral" }, h)).status).toBe(201);
      expect(
        (await call(a.url, "GET", `/v1/sessions/${s.body.sessionId}`, undefined, h)).body.ephemerals,
      ).toEqual(["/mine"]);
      // the stateless instance's dump is the member's, over NATS
      const dump = (await call(b.url, "GET", "/commands/dump")).body;
      expect(dump.session_id_to_ephemeral_paths).toEqual({ [String(parseId(s.body.sessionId))]: ["/mine"] });
      expect(Object.values(dump.expiry_time_to_session_ids).flat()).toContain(parseId(s.body.sessionId));
      const err = await call(b.url, "GET", "/v1/znodes/absent");
      expect([err.status, err.body.error.code]).toEqual([404, "NoNode"]);
      const multiFail = await call(b.url, "POST", "/v1/multi", {
        ops: [{ op: "check", path: "/shared", version: 9 }],
      });
      expect(multiFail.body.error.results.map((r: { code: string }) => r.code)).toEqual(["BadVersion"]);

      // a change between B's read and B's watch is reported at once
      const read = await call(b.url, "GET", "/v1/znodes/shared");
      await call(a.url, "PUT", "/v1/znodes/shared", { data: "again" });
      const w = await call(b.url, "GET", `/v1/watch/shared?type=data&zxid=${read.body.stat.mzxid}`);
      expect(w.body).toMatchObject({ type: "NodeDataChanged", path: "/shared" });

      expect((await call(b.url, "DELETE", `/v1/sessions/${s.body.sessionId}`, undefined, h)).status).toBe(
        204,
      );
      expect((await call(a.url, "GET", "/v1/znodes/mine")).status).toBe(404);
      expect((await call(b.url, "GET", "/v1/status")).body.memberId).toBe("h1");

      await api.running.close();
      const lost = await call(b.url, "GET", "/v1/znodes/shared");
      expect([lost.status, lost.body.error.code]).toEqual([503, "ConnectionLoss"]);
    }
  });
});
