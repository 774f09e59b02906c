/**
 * getChildren (shared/API.md): names sorted as ZooKeeper's Java strings sort, with their data in one
 * call, or every descendant; `?limit&after` pages through them by name with a `next` cursor.
 */
import { respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { ChildrenOut, ChildrenQuery } from "../schemas/znodes.ts";
import { type RouteContext, readOptions, validZnode } from "./context.ts";

export function childrenRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/children/{path}",
      summary: "getChildren: names, or ?data=true names with data, or ?recursive=true every descendant",
      tags: ["znodes"],
      params: ZnodePathParam,
      query: ChildrenQuery,
      responses: { 200: json(ChildrenOut, "the children"), ...errorResponses },
    },
    async ({ path, query, ctx }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const out = await api.children(ctx, path, {
        ...readOptions(query),
        data: query.data === "true",
        recursive: query.recursive === "true",
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.after === undefined ? {} : { after: query.after }),
      });
      return respond(out);
    },
  );
}
