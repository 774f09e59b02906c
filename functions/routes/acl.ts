/** getACL / setACL (shared/API.md, "Znodes"). */
import { isZkError } from "../../core/errors.ts";
import { aclFromJson, aclJson, statJson } from "../records-json.ts";
import { route } from "../route.ts";
import { errorResponses, json, ReadQuery, ZnodePathParam } from "../schemas/common.ts";
import { AclBody, AclOut } from "../schemas/znodes.ts";
import { type RouteContext, readOptions, validZnode, versionOf } from "./context.ts";

const tags = ["acl"];

export function aclRoutes({ app, backend, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/acl/{path}",
      summary: "getACL (digest hashes hidden from callers without ADMIN, as ZooKeeper 3.9)",
      tags,
      params: ZnodePathParam,
      query: ReadQuery,
      responses: { 200: json(AclOut, "the ACL and Stat"), ...errorResponses },
    },
    async ({ path, query, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const got = await backend.getACL(who, path, readOptions(query));
      if (isZkError(got)) return got;
      return c.json({ path, acl: aclJson(got.acl), stat: statJson(got.stat) });
    },
  );

  route(
    app,
    options,
    {
      method: "put",
      path: "/v1/acl/{path}",
      summary: "setACL; version is the aversion (-1 any; If-Match works too)",
      tags,
      params: ZnodePathParam,
      body: AclBody,
      responses: { 200: json(AclOut, "the ACL as set and the new Stat"), ...errorResponses },
    },
    async ({ path, body, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(body.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const acl = aclFromJson(body.acl, path);
      if (isZkError(acl)) return acl;
      const stat = await backend.setACL(who, path, acl, version);
      if (isZkError(stat)) return stat;
      const after = await backend.getACL(who, path);
      return c.json({
        path,
        acl: isZkError(after) ? aclJson(acl) : aclJson(after.acl),
        stat: statJson(stat),
      });
    },
  );
}
