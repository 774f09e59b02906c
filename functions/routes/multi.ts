/**
 * multi (shared/API.md): one atomic transaction. On failure nothing is applied, and the error carries
 * each op's code as ZooKeeper's ErrorResults do: Ok before the failing op, its code, then
 * RuntimeInconsistency.
 */

import type { z } from "@hono/zod-openapi";
import { ErrCode, isZkError, type ZkError, zkError } from "../../core/errors.ts";
import { type MultiOp, OPEN_ACL_UNSAFE, type OpResult } from "../../core/records.ts";
import { decodeData } from "../encoding.ts";
import { errorResponse } from "../errors.ts";
import { aclFromJson, statJson } from "../records-json.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { MultiBody, type MultiOpIn, MultiOut } from "../schemas/multi.ts";
import { type RouteContext, validZnode } from "./context.ts";

export function multiRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ body, who, c }) => {
      const ops: MultiOp[] = [];
      for (const [index, op] of body.ops.entries()) {
        const parsed = toMultiOp(op);
        if (isZkError(parsed)) return withIndex(parsed, index);
        ops.push(parsed);
      }
      const outcome = await backend.multi(who, ops);
      if (isZkError(outcome)) return outcome;
      if ("error" in outcome) return errorResponse(outcome.error, outcome.results.map(errorResultJson));
      return c.json({ results: outcome.results.map(resultJson) });
    },
  );
}

function toMultiOp(op: z.infer<typeof MultiOpIn>): MultiOp | ZkError {
  const sequential = op.op === "create" && op.mode.includes("sequential");
  const invalid = validZnode(op.path, sequential);
  if (invalid) return invalid;
  switch (op.op) {
    case "create": {
      const data = decodeData(op.data, op.encoding);
      if (isZkError(data)) return data;
      const acl = op.acl === undefined ? undefined : aclFromJson(op.acl, op.path);
      if (isZkError(acl)) return acl;
      return {
        op: "create",
        path: op.path,
        data,
        mode: op.mode,
        parents: op.parents,
        acl: acl ?? OPEN_ACL_UNSAFE,
        ...(op.ttlMs === undefined ? {} : { ttl: op.ttlMs }),
      };
    }
    case "set": {
      const data = decodeData(op.data, op.encoding);
      if (isZkError(data)) return data;
      return { op: "setData", path: op.path, data, version: op.version };
    }
    case "delete":
      return { op: "delete", path: op.path, version: op.version };
    case "check":
      return { op: "check", path: op.path, version: op.version };
  }
}

function withIndex(err: ZkError, index: number): ZkError {
  return zkError(err.code, `ops.${index}: ${err.message}`, err.path);
}

function resultJson(result: OpResult): unknown {
  switch (result.type) {
    case "create":
      return { op: "create", path: result.path, stat: statJson(result.stat) };
    case "setData":
      return { op: "set", path: result.path, stat: statJson(result.stat) };
    case "delete":
      return { op: "delete", path: result.path };
    case "check":
      return { op: "check", path: result.path };
    default:
      return { op: result.type };
  }
}

function errorResultJson(result: OpResult): unknown {
  if (result.type !== "error") return { code: "Ok", zkCode: 0 };
  return {
    code: result.err,
    zkCode: ErrCode[result.err],
    ...(result.path === undefined ? {} : { path: result.path }),
  };
}
