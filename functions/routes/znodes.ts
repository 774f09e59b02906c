/** getData / exists / create / setData / delete / stat (shared/API.md, "Znodes"). */
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { decodeData, encodeData } from "../encoding.ts";
import { aclFromJson, statJson } from "../records-json.ts";
import { route } from "../route.ts";
import { errorResponses, json, ReadQuery, ZnodePathParam } from "../schemas/common.ts";
import { CreateBody, DeleteQuery, PathStat, SetBody, Znode } from "../schemas/znodes.ts";
import { etag, type RouteContext, readOptions, validZnode, versionOf } from "./context.ts";

const tags = ["znodes"];

export function znodeRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ path, query, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      if (c.req.method === "HEAD") {
        const stat = await backend.exists(who, path, readOptions(query));
        if (isZkError(stat)) return stat;
        return c.body(null, 200, { ETag: etag(stat.version) });
      }
      const got = await backend.getData(who, path, readOptions(query));
      if (isZkError(got)) return got;
      return c.json({ path, ...encodeData(got.data, query.encoding), stat: statJson(got.stat) }, 200, {
        ETag: etag(got.stat.version),
      });
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
    async ({ path, query, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const stat = await backend.exists(who, path, readOptions(query));
      if (isZkError(stat)) return stat;
      return c.json({ path, stat: statJson(stat) }, 200, { ETag: etag(stat.version) });
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
    async ({ path, body, who, c }) => {
      const invalid = validZnode(path, body.mode.includes("sequential"));
      if (invalid) return invalid;
      const data = decodeData(body.data, body.encoding);
      if (isZkError(data)) return data;
      const acl = body.acl === undefined ? undefined : aclFromJson(body.acl, path);
      if (isZkError(acl)) return acl;
      const created = await backend.create(who, {
        op: "create",
        path,
        data,
        mode: body.mode,
        parents: body.parents,
        acl: acl ?? OPEN_ACL_UNSAFE,
        ...(body.ttlMs === undefined ? {} : { ttl: body.ttlMs }),
      });
      if (isZkError(created)) return created;
      return c.json({ path: created.path, stat: statJson(created.stat) }, 201, {
        Location: `/v1/znodes${created.path.split("/").map(encodeURIComponent).join("/")}`,
        ETag: etag(created.stat.version),
      });
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
    async ({ path, body, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(body.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const data = decodeData(body.data, body.encoding);
      if (isZkError(data)) return data;
      const stat = await backend.setData(who, path, data, version);
      if (isZkError(stat)) return stat;
      return c.json({ path, stat: statJson(stat) }, 200, { ETag: etag(stat.version) });
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
    async ({ path, query, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(query.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const done = await backend.delete(who, path, version, query.recursive === "true");
      if (isZkError(done)) return done;
      return c.body(null, 204);
    },
  );
}
