/**
 * getChildren (shared/API.md): names sorted as ZooKeeper's Java strings sort (by UTF-16 code unit),
 * with their data in one call, or every descendant; `?limit&after` pages through any of them by name.
 */
import { isZkError } from "../../core/errors.ts";
import { encodeData } from "../encoding.ts";
import { statJson } from "../records-json.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { ChildrenOut, ChildrenQuery } from "../schemas/znodes.ts";
import { type RouteContext, readOptions, validZnode } from "./context.ts";

/** the names after `after`, at most `limit` of them, and the cursor of the next page */
export function page<T>(
  items: readonly T[],
  key: (item: T) => string,
  limit: number | undefined,
  after: string | undefined,
): { items: T[]; next?: string } {
  const start = after === undefined ? items : items.filter((item) => key(item) > after);
  if (limit === undefined || start.length <= limit) return { items: [...start] };
  const taken = start.slice(0, limit);
  return { items: taken, next: key(taken[taken.length - 1]!) };
}

export function childrenRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ path, query, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const read = readOptions(query);
      const { limit, after } = query;
      if (query.recursive === "true") {
        const got = await backend.getDescendants(who, path, read);
        if (isZkError(got)) return got;
        const { items, next } = page(got.paths, (p) => p, limit, after);
        return c.json({ path, children: items, stat: statJson(got.stat), ...(next ? { next } : {}) });
      }
      if (query.data === "true") {
        const got = await backend.getChildrenData(who, path, read);
        if (isZkError(got)) return got;
        const { items, next } = page(got.children, (child) => child.name, limit, after);
        const children = items.map((child) => ({
          name: child.name,
          ...encodeData(child.data, query.encoding),
          stat: statJson(child.stat),
        }));
        return c.json({ path, children, stat: statJson(got.stat), ...(next ? { next } : {}) });
      }
      const got = await backend.getChildren(who, path, read);
      if (isZkError(got)) return got;
      const { items, next } = page(got.children, (name) => name, limit, after);
      return c.json({ path, children: items, stat: statJson(got.stat), ...(next ? { next } : {}) });
    },
  );
}
