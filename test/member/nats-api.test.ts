import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { type RunningMember, startMember } from "../../member/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { testConfig, until } from "./harness.ts";

type Json = Record<string, unknown> & {
  error?: { code: string; zkCode: number; path?: string; results?: unknown[] };
};

async function call(nc: NatsConnection, name: string, req: unknown): Promise<Json> {
  const msg = await nc.request(`nzk.api.v1.${name}`, typeof req === "string" ? req : JSON.stringify(req), {
    timeout: 5000,
  });
  return JSON.parse(msg.string()) as Json;
}

describe("the member API over NATS", () => {
  it("serves znodes, sessions, ACLs and multi with shared/API.md's JSON, from any member", async () => {
    await using nats = await natsServer();
    const running: RunningMember[] = [];
    try {
      for (const id of ["m1", "m2"]) {
        const nc = await connect({ servers: nats.url });
        running.push(await startMember(testConfig(id), nc));
      }
      await until("one leads", () => running.some((r) => r.member.state === "LEADING"));
      const nc = await nats.connect();

      const session = await call(nc, "sessions.create", { body: { timeoutMs: 100_000 } });
      expect(session).toMatchObject({ timeoutMs: 40_000 });
      expect(session.sessionId).toMatch(/^0x[0-9a-f]+$/);
      const ctx = { token: session.token };

      expect(await call(nc, "create", { ctx, path: "/app", body: { data: "hello" } })).toMatchObject({
        path: "/app",
        stat: { version: 0, ephemeralOwner: "0x0", dataLength: 5 },
      });
      const seq = await call(nc, "create", {
        ctx,
        path: "/app/e-",
        body: { mode: "ephemeral_sequential", data: "/w==", encoding: "base64" },
      });
      expect(seq.path).toBe("/app/e-0000000000");
      expect((seq.stat as { ephemeralOwner: string }).ephemeralOwner).toBe(session.sessionId);

      const got = await call(nc, "get", { path: "/app/e-0000000000", options: { sync: true } });
      expect(got).toMatchObject({ data: "/w==", encoding: "base64" });
      expect(await call(nc, "get", { path: "/app", options: { sync: true } })).toMatchObject({
        data: "hello",
        encoding: "utf8",
      });
      expect(await call(nc, "children", { path: "/app", options: { data: true, sync: true } })).toMatchObject(
        {
          children: [{ name: "e-0000000000", encoding: "base64" }],
        },
      );
      expect(await call(nc, "set", { path: "/app", body: { data: "x", version: 5 } })).toMatchObject({
        error: { code: "BadVersion", zkCode: -103, path: "/app" },
      });
      expect(await call(nc, "sessions.info", { ctx, sessionId: session.sessionId })).toMatchObject({
        ephemerals: ["/app/e-0000000000"],
      });

      const failed = await call(nc, "multi", {
        body: {
          ops: [
            { op: "create", path: "/m1" },
            { op: "check", path: "/app", version: 3 },
          ],
        },
      });
      expect(failed.error?.code).toBe("BadVersion");
      expect(failed.error?.results).toMatchObject([
        { op: "create", code: "Ok" },
        { op: "check", code: "BadVersion" },
      ]);
      expect(await call(nc, "exists", { path: "/m1", options: { sync: true } })).toMatchObject({
        error: { code: "NoNode" },
      });

      expect(
        await call(nc, "sessions.auth", {
          ctx,
          sessionId: session.sessionId,
          body: { scheme: "digest", credentials: "ann:pw" },
        }),
      ).toEqual({});
      await call(nc, "create", {
        ctx,
        path: "/secret",
        body: { acl: [{ scheme: "auth", id: "", perms: "cdrwa" }] },
      });
      await until("every member knows the identity", () =>
        running.every((r) => r.member.sessionAuth.identities(Number(session.sessionId)).length > 0),
      );
      expect(await call(nc, "get", { path: "/secret", options: { sync: true } })).toMatchObject({
        error: { code: "NoAuth", zkCode: -102 },
      });
      expect(await call(nc, "get", { ctx: { basic: "ann:pw" }, path: "/secret" })).toMatchObject({
        data: "",
      });
      expect(await call(nc, "acl.get", { ctx, path: "/secret" })).toMatchObject({
        acl: [{ scheme: "digest", perms: "cdrwa" }],
      });

      const guessed = { token: session.sessionId };
      expect(await call(nc, "get", { ctx: guessed, path: "/app" })).toMatchObject({
        error: { code: "AuthFailed" },
      });
      expect(await call(nc, "sessions.keepalive", { ctx, sessionId: session.sessionId })).toEqual({
        timeoutMs: 40_000,
      });
      expect(await call(nc, "delete", { path: "/app", options: { recursive: true } })).toEqual({});
      expect(await call(nc, "sessions.close", { ctx, sessionId: session.sessionId })).toEqual({});
      expect(await call(nc, "get", { ctx, path: "/" })).toMatchObject({ error: { code: "SessionExpired" } });

      expect(await call(nc, "get", "{not json")).toMatchObject({
        error: { code: "BadArguments", zkCode: -8 },
      });
      expect(await call(nc, "get", { path: "no-slash" })).toMatchObject({ error: { code: "BadArguments" } });
      expect(await call(nc, "create", { path: "/x", body: { mode: "sideways" } })).toMatchObject({
        error: { code: "BadArguments" },
      });
      expect(await call(nc, "status", {})).toMatchObject({ log: { stream: "NZK_LOG" } });
    } finally {
      for (const r of running) await r.close();
    }
  });

  it("answers a create with parents with the node's own path (regression: it answered SystemError)", async () => {
    await using nats = await natsServer();
    await using running = await startMember(testConfig("m1"), await connect({ servers: nats.url }));
    await until("it leads", () => running.member.state === "LEADING");
    const nc = await nats.connect();
    const created = await call(nc, "create", {
      path: "/q/job-",
      body: { mode: "persistent_sequential", parents: true },
    });
    expect(created).toMatchObject({ path: "/q/job-0000000000", stat: { version: 0 } });
  });

  it("refuses an empty ACL with InvalidACL, as ZooKeeper does (regression: it said BadArguments)", async () => {
    await using nats = await natsServer();
    await using running = await startMember(testConfig("m1"), await connect({ servers: nats.url }));
    await until("it leads", () => running.member.state === "LEADING");
    const nc = await nats.connect();
    expect(await call(nc, "create", { path: "/a", body: { acl: [] } })).toMatchObject({
      error: { code: "InvalidACL", zkCode: -114 },
    });
  });
});
