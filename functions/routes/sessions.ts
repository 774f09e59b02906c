/**
 * Sessions (shared/API.md, "Sessions"). The session id in the URL must be the token's own; the member
 * checks the token (id and secret).
 */
import { isErrorJson, respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import {
  AuthBody,
  Keepalive,
  SessionCreateBody,
  SessionCreated,
  SessionInfo,
  SessionParam,
} from "../schemas/sessions.ts";
import type { RouteContext } from "./context.ts";

const tags = ["sessions"];

export function sessionRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/sessions",
      summary: "createSession; the timeout is clamped to the configured bounds",
      tags,
      body: SessionCreateBody,
      responses: { 201: json(SessionCreated, "the session and its token"), ...errorResponses },
    },
    async ({ body }) => respond(await api.createSession(body), 201),
  );

  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/sessions/{sessionId}/keepalive",
      summary: "keep the session alive (needs its Nzk-Session token)",
      tags,
      params: SessionParam,
      responses: { 200: json(Keepalive, "alive"), ...errorResponses },
    },
    async ({ params, ctx }) => respond(await api.keepalive(ctx, params.sessionId ?? "")),
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/sessions/{sessionId}",
      summary: "the session's timeout and ephemerals (needs its token)",
      tags,
      params: SessionParam,
      responses: { 200: json(SessionInfo, "the session"), ...errorResponses },
    },
    async ({ params, ctx }) => respond(await api.sessionInfo(ctx, params.sessionId ?? "")),
  );

  route(
    app,
    options,
    {
      method: "delete",
      path: "/v1/sessions/{sessionId}",
      summary: "closeSession: its ephemerals are deleted",
      tags,
      params: SessionParam,
      responses: { 204: { description: "closed" }, ...errorResponses },
    },
    async ({ params, ctx }) => noContent(await api.closeSession(ctx, params.sessionId ?? "")),
  );

  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/sessions/{sessionId}/auth",
      summary: "addAuth: add an identity (digest user:password) to the session",
      tags,
      params: SessionParam,
      body: AuthBody,
      responses: { 204: { description: "added" }, ...errorResponses },
    },
    async ({ params, body, ctx }) => noContent(await api.auth(ctx, params.sessionId ?? "", body)),
  );
}

function noContent(reply: unknown): Response {
  return isErrorJson(reply) ? respond(reply) : new Response(null, { status: 204 });
}
