/**
 * Sessions (shared/API.md, "Sessions"). The session id in the URL must be the token's own: the
 * member checks the token (id and secret); here only a malformed id is refused.
 */
import { isZkError } from "../../core/errors.ts";
import { parseId, toHex } from "../../core/zxid.ts";
import { badArguments } from "../errors.ts";
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

export function sessionRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ body, c }) => {
      const made = await backend.createSession(body.timeoutMs);
      if (isZkError(made)) return made;
      return c.json({ sessionId: toHex(made.sessionId), token: made.token, timeoutMs: made.timeoutMs }, 201);
    },
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
    async ({ params, who, c }) => {
      const id = sessionIdOf(params.sessionId);
      if (isZkError(id)) return id;
      const alive = await backend.keepalive(who, id);
      if (isZkError(alive)) return alive;
      return c.json(alive);
    },
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
    async ({ params, who, c }) => {
      const id = sessionIdOf(params.sessionId);
      if (isZkError(id)) return id;
      const info = await backend.sessionInfo(who, id);
      if (isZkError(info)) return info;
      return c.json({
        sessionId: toHex(info.sessionId),
        timeoutMs: info.timeoutMs,
        ephemerals: info.ephemerals,
      });
    },
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
    async ({ params, who, c }) => {
      const id = sessionIdOf(params.sessionId);
      if (isZkError(id)) return id;
      const done = await backend.closeSession(who, id);
      if (isZkError(done)) return done;
      return c.body(null, 204);
    },
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
    async ({ params, body, who, c }) => {
      const id = sessionIdOf(params.sessionId);
      if (isZkError(id)) return id;
      const done = await backend.addAuth(who, id, body.scheme, body.credentials);
      if (isZkError(done)) return done;
      return c.body(null, 204);
    },
  );
}

function sessionIdOf(text: string | undefined) {
  const id = text === undefined ? undefined : parseId(text);
  return id === undefined ? badArguments(`not a session id: ${text}`) : id;
}
