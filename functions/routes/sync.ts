/** sync (shared/API.md): this member catches up with the log; the answer is the zxid it reached. */
import { isZkError } from "../../core/errors.ts";
import { toHex } from "../../core/zxid.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { SyncOut } from "../schemas/sessions.ts";
import { type RouteContext, validZnode } from "./context.ts";

export function syncRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ path, who, c }) => {
      const invalid = validZnode(path);
      if (invalid) return invalid;
      const zxid = await backend.sync(who, path);
      if (isZkError(zxid)) return zxid;
      return c.json({ zxid: toHex(zxid) });
    },
  );
}
