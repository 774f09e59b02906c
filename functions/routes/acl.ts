/** getACL / setACL (shared/API.md, "Znodes"). */
import { isZkError } from "../../core/errors.ts";
import { respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { AclBody, AclOut } from "../schemas/znodes.ts";
import { etagOf, type RouteContext, validZnode, versionOf } from "./context.ts";

const tags = ["acl"];

export function aclRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/acl/{path}",
      summary: "getACL (digest hashes hidden from callers without ADMIN, as ZooKeeper 3.9)",
      tags,
      params: ZnodePathParam,
      responses: { 200: json(AclOut, "the ACL and Stat"), ...errorResponses },
    },
    async ({ path, ctx }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      return respond(await api.getAcl(ctx, path));
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
    async ({ path, body, ctx, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const version = versionOf(body.version, c.req.header("if-match"));
      if (isZkError(version)) return version;
      const out = await api.setAcl(ctx, path, { ...body, version });
      return respond(out, 200, etagOf(out));
    },
  );
}
