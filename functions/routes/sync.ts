/** sync (shared/API.md): this member catches up with the log; the answer is the zxid it reached. */
import { respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { SyncOut } from "../schemas/sessions.ts";
import { type RouteContext, validZnode } from "./context.ts";

export function syncRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/sync/{path}",
      summary: "sync: later reads through this member see every write committed before it",
      tags: ["znodes"],
      params: ZnodePathParam,
      responses: { 200: json(SyncOut, "the zxid this member reached"), ...errorResponses },
    },
    async ({ path, ctx }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      return respond(await api.sync(ctx, path));
    },
  );
}
