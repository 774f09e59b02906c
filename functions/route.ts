/**
 * One route: its OpenAPI description and its handler, from one spec, so /openapi.json describes
 * exactly the schemas that validate requests. The spec's path is OpenAPI's (`/v1/znodes/{path}`); a
 * `{path}` parameter is the rest of the URL, a whole znode path, which Hono's router cannot express in
 * OpenAPI's syntax, so it becomes a wildcard here and is decoded by url-path.ts, segment by segment.
 * Every input problem is a ZkError (BadArguments, MarshallingError), never a thrown exception.
 */
import type { OpenAPIHono, RouteConfig, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { BlankEnv } from "hono/types";
import { isZkError, type ZkError } from "../core/errors.ts";
import { toHex } from "../core/zxid.ts";
import { ZXID_HEADER } from "../member/api-json.ts";
import type { RequestContext } from "../member/index.ts";
import { badArguments, errorResponse, failureResponse } from "./errors.ts";
import type { HttpMetrics } from "./metrics.ts";
import { readJson } from "./request-body.ts";
import { znodePathOf } from "./url-path.ts";
import { whoOf } from "./who.ts";

export type AppEnv = BlankEnv;

type Method = "get" | "post" | "put" | "delete";

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType> {
  readonly method: Method;
  readonly path: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly query?: Q;
  readonly body?: B;
  readonly params?: z.ZodObject;
  readonly responses: RouteConfig["responses"];
  /** the same path answers HEAD with its own meaning (exists), documented separately */
  readonly head?: { readonly summary: string; readonly responses: RouteConfig["responses"] };
}

export interface Input<Q extends z.ZodType, B extends z.ZodType> {
  /** the znode path of a `{path}` route (not yet validated: a sequential create may end in "/") */
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: z.infer<Q>;
  readonly body: z.infer<B>;
  readonly ctx: RequestContext;
  readonly c: Context<AppEnv>;
}

export interface RouteOptions {
  readonly maxBodyBytes: number;
  /** the zxid the member that answered a request had applied (Backend.answeredZxid) */
  readonly answeredZxid: (ctx: RequestContext) => number | undefined;
  readonly remoteAddress: (c: Context) => string | undefined;
  readonly metrics: HttpMetrics;
}

export function route<Q extends z.ZodType, B extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  options: RouteOptions,
  spec: RouteSpec<Q, B>,
  handler: (input: Input<Q, B>) => Promise<Response | ZkError>,
): void {
  document(app, spec);
  const znodePrefix = spec.path.endsWith("/{path}") ? spec.path.slice(0, -"/{path}".length) : undefined;
  const honoPaths =
    znodePrefix === undefined
      ? [spec.path.replaceAll(/\{(\w+)\}/g, ":$1")]
      : [znodePrefix, `${znodePrefix}/*`].map((p) => p.replaceAll(/\{(\w+)\}/g, ":$1"));
  const name = `${spec.method.toUpperCase()} ${spec.path}`;
  // Most requests carry no query string: its parse (defaults applied) is done once, here.
  const noQuery = spec.query?.safeParse({});
  const serve = async (c: Context<AppEnv>): Promise<Response> => {
    try {
      const input = await parse(c, options, spec, znodePrefix, noQuery);
      if (isZkError(input)) return errorResponse(input);
      const out = await handler(input);
      const res = isZkError(out) ? errorResponse(out) : out;
      const zxid = options.answeredZxid(input.ctx);
      if (zxid !== undefined) res.headers.set(ZXID_HEADER, toHex(zxid));
      return res;
    } catch (err) {
      return failureResponse(err);
    }
  };
  app.on(spec.method.toUpperCase(), honoPaths, (c) => options.metrics.serve(name, () => serve(c)));
}

async function parse<Q extends z.ZodType, B extends z.ZodType>(
  c: Context<AppEnv>,
  options: RouteOptions,
  spec: RouteSpec<Q, B>,
  znodePrefix: string | undefined,
  noQuery: z.ZodSafeParseResult<z.infer<Q>> | undefined,
): Promise<Input<Q, B> | ZkError> {
  const path = znodePrefix === undefined ? "/" : znodePathOf(c.req.url, znodePrefix);
  if (isZkError(path)) return path;
  const ctx = whoOf(c.req.raw.headers, options.remoteAddress(c));
  if (isZkError(ctx)) return ctx;
  let query: unknown = {};
  if (spec.query !== undefined) {
    const parsed =
      noQuery?.success && !c.req.url.includes("?") ? noQuery : spec.query.safeParse(c.req.query());
    if (!parsed.success)
      return badArguments(`query: ${describe(parsed.error)}`, pathOrUndefined(path, znodePrefix));
    query = parsed.data;
  }
  let body: unknown;
  if (spec.body !== undefined) {
    const raw = await readJson(c.req.raw, options.maxBodyBytes);
    if (isZkError(raw)) return raw;
    const parsed = spec.body.safeParse(raw ?? {});
    if (!parsed.success)
      return badArguments(`body: ${describe(parsed.error)}`, pathOrUndefined(path, znodePrefix));
    body = parsed.data;
  }
  const params: Record<string, string> = spec.params === undefined ? {} : { ...c.req.param() };
  return { path, params, query: query as z.infer<Q>, body: body as z.infer<B>, ctx, c };
}

function pathOrUndefined(path: string, znodePrefix: string | undefined): string | undefined {
  return znodePrefix === undefined ? undefined : path;
}

/** The first problem zod found, named by where it is ("ops.2.version: ..."). */
export function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const where = issue.path.map(String).join(".");
  return where === "" ? issue.message : `${where}: ${issue.message}`;
}

function document<Q extends z.ZodType, B extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  spec: RouteSpec<Q, B>,
): void {
  const request: NonNullable<RouteConfig["request"]> = {
    ...(spec.params === undefined ? {} : { params: spec.params }),
    ...(spec.query === undefined ? {} : { query: spec.query as unknown as z.ZodObject }),
    ...(spec.body === undefined
      ? {}
      : { body: { content: { "application/json": { schema: spec.body } }, required: false } }),
  };
  app.openAPIRegistry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: [...spec.tags],
    request,
    responses: spec.responses,
  });
  if (spec.head !== undefined) {
    app.openAPIRegistry.registerPath({
      method: "head",
      path: spec.path,
      summary: spec.head.summary,
      tags: [...spec.tags],
      ...(spec.params === undefined ? {} : { request: { params: spec.params } }),
      responses: spec.head.responses,
    });
  }
}
