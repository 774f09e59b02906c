/**
 * multi (shared/API.md): one atomic transaction. On failure nothing is applied, and the error carries
 * each op's code as ZooKeeper's ErrorResults do: Ok before the failing op, its code, then
 * RuntimeInconsistency. Paths are validated here first, so a malformed op costs no round trip.
 */
import { zkError } from "../../core/errors.ts";
import { respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { MultiBody, MultiOut } from "../schemas/multi.ts";
import { type RouteContext, validZnode } from "./context.ts";

export function multiRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "post",
      path: "/v1/multi",
      summary: "an atomic transaction of create, delete, set and check",
      tags: ["znodes"],
      body: MultiBody,
      responses: { 200: json(MultiOut, "every op's result"), ...errorResponses },
    },
    async ({ body, ctx }) => {
      for (const [index, op] of body.ops.entries()) {
        const invalid = validZnode(op.path, op.op === "create" && op.mode.includes("sequential"));
        if (invalid) return zkError(invalid.code, `ops.${index}: ${invalid.message}`, invalid.path);
      }
      return respond(await api.multi(ctx, body));
    },
  );
}
