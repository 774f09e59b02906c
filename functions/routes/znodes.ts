/** getData / exists / create / setData / delete / stat (shared/API.md, "Znodes"). */
import { isZkError } from "../../core/errors.ts";
import { isErrorJson, respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json, ReadQuery, ZnodePathParam } from "../schemas/common.ts";
import { CreateBody, DeleteQuery, PathStat, SetBody, Znode } from "../schemas/znodes.ts";
import { etagOf, type RouteContext, readOptions, validZnode, versionOf, znodeUrl } from "./context.ts";

const tags = ["znodes"];

export function znodeRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/znodes/{path}",
      summary: "getData: the znode's data and Stat; ETag is its version",
      tags,
      params: ZnodePathParam,
      query: ReadQuery,
      responses: { 200: json(Znode, "the znode"), ...errorResponses },
      head: {
        summary: "exists: 200 or 404, no body",
        responses: { 200: { description: "it exists" }, 404: { description: "NoNode" } },
      },
    },
    async ({ path, query, ctx, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      if (c.req.method === "HEAD") {
        const out = await api.exists(ctx, path, readOptions(query));
        const res = respond(out, 200, etagOf(out));
        return new Response(null, res);
      }
      const out = await api.get(ctx, path, readOptions(query));
      return respond(out, 200, etagOf(out));
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/stat/{path}",
      summary: "exists with its Stat",
      tags,
      params: ZnodePathParam,
      query: ReadQuery,
      responses: { 200: json(PathStat, "the Stat"), ...errorResponses },
    },
    async ({ path, query, ctx }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const out = await api.exists(ctx, path, readOptions(query));
      return respond(out, 200, etagOf(out));
    },
  );

  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/znodes/{path}",
      summary: "create, in any CreateMode; a sequential path may end in /",
      tags,
      params: ZnodePathParam,
      body: CreateBody,
      responses: { 201: json(PathStat, "created: the actual path and its Stat"), ...errorResponses },
    },
    async ({ path, body, ctx }) => {
      const invalid = validZnode(path, body.mode.includes("sequential"));
      if (invalid) return invalid;
      const out = await api.create(ctx, path, body);
      if (isErrorJson(out)) return respond(out);
      return respond(out, 201, { Location: znodeUrl(out.path), ...etagOf(out) });
    },
  );

  route(
    app,
    options,
    {
      method: "put",
      path: "/v1/znodes/{path}",
      summary: "setData; version -1 (default) matches any, If-Match works too",
      tags,
      params: ZnodePathParam,
      body: SetBody,
      responses: { 200: json(PathStat, "the new Stat"), ...errorResponses },
    },
    async ({ path, body, ctx, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(body.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const out = await api.set(ctx, path, { ...body, version });
      return respond(out, 200, etagOf(out));
    },
  );

  route(
    app,
    options,
    {
      method: "delete",
      path: "/v1/znodes/{path}",
      summary: "delete; ?recursive=true deletes the subtree atomically",
      tags,
      params: ZnodePathParam,
      query: DeleteQuery,
      responses: { 204: { description: "deleted" }, ...errorResponses },
    },
    async ({ path, query, ctx, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(query.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const out = await api.delete(ctx, path, { version, recursive: query.recursive === "true" });
      return isErrorJson(out) ? respond(out) : new Response(null, { status: 204 });
    },
  );
}
