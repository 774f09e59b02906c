/**
 * The requests of a ZooKeeper session, as FinalRequestProcessor answers them: reads against this
 * member's tree (registering their watches in the same step, so no change slips between a read and its
 * watch), writes through the member's log, each answered with ZooKeeper's reply records and codes.
 */
import { ErrCode, type ErrName, isZkError, type ZkError } from "../../core/errors.ts";
import { keeperError } from "../../core/keeper-error.ts";
import {
  exists,
  getACL,
  getAllChildrenNumber,
  getChildren,
  getData,
  getEphemerals,
} from "../../core/read.ts";
import {
  type Caller,
  type CreateMode,
  CreateModes,
  type MultiOp,
  type OpResult,
  type WriteRequest,
} from "../../core/records.ts";
import { AddWatchMode, OpCode } from "../../core/wire/opcodes.ts";
import type {
  ClientRequest,
  CreateRequest,
  MultiRequestOp,
  WatchableRead,
} from "../../core/wire/requests.ts";
import { type ClientResponse, encodeReply, type MultiResult } from "../../core/wire/responses.ts";
import type { ZkBackend } from "./backend.ts";
import { WatchMode } from "./watch-table.ts";
import type { Fired, Watches } from "./watches.ts";

export interface HandlerContext<W> {
  readonly backend: ZkBackend;
  readonly watches: Watches<W>;
  readonly watcher: W;
  readonly caller: Caller;
}

/** Requests that wait for the log: later reads of the connection wait for them. */
export type WriteLike = Extract<
  ClientRequest,
  { type: "create" | "delete" | "setData" | "setACL" | "check" | "multi" | "sync" }
>;

export function isWriteLike(req: ClientRequest): req is WriteLike {
  switch (req.type) {
    case "create":
    case "delete":
    case "setData":
    case "setACL":
    case "check":
    case "multi":
    case "sync":
      return true;
    default:
      return false;
  }
}

/** Requests a connection handles itself, for they change or end the connection. */
export type ConnectionRequest = Extract<ClientRequest, { type: "auth" | "closeSession" | "ping" }>;

export type ReadLike = Exclude<ClientRequest, WriteLike | ConnectionRequest>;

const modeByFlag = new Map<number, CreateMode>(
  Object.entries(CreateModes).map(([mode, flag]) => [flag, mode as CreateMode]),
);

function code(err: ZkError | ErrName): number {
  return typeof err === "string" ? ErrCode[err] : err.zkCode;
}

function failure<W>(ctx: HandlerContext<W>, xid: number, err: ZkError | ErrName): Uint8Array {
  return encodeReply(xid, ctx.backend.lastZxid, code(err));
}

function ok<W>(ctx: HandlerContext<W>, xid: number, body?: ClientResponse): Uint8Array {
  return encodeReply(xid, ctx.backend.lastZxid, 0, body);
}

// ---- reads ----

/** getData or getChildren as a multiRead op or on its own; the watch only when the read succeeds */
function watchableRead<W>(ctx: HandlerContext<W>, req: WatchableRead): ClientResponse | ZkError {
  const tree = ctx.backend.tree();
  const { path, watch } = req;
  switch (req.type) {
    case "exists": {
      const stat = exists(tree, ctx.caller, path);
      // statNode arms an exists watch on a missing node too
      if (watch && (!isZkError(stat) || stat.code === "NoNode"))
        ctx.watches.data.add(path, ctx.watcher, WatchMode.standard);
      return isZkError(stat) ? stat : { type: "stat", stat };
    }
    case "getData": {
      const got = getData(tree, ctx.caller, path);
      if (isZkError(got)) return got;
      if (watch) ctx.watches.data.add(path, ctx.watcher, WatchMode.standard);
      return { type: "getData", data: got.data, stat: got.stat };
    }
    case "getChildren":
    case "getChildren2": {
      const got = getChildren(tree, ctx.caller, path);
      if (isZkError(got)) return got;
      if (watch) ctx.watches.child.add(path, ctx.watcher, WatchMode.standard);
      return req.type === "getChildren"
        ? { type: "strings", items: got.children }
        : { type: "children2", children: got.children, stat: got.stat };
    }
  }
}

/** whoAmI's ClientInfo: AuthUtil.getUser is the part of a digest id before its colon, else the id */
function clientInfo(caller: Caller): { authScheme: string; user: string }[] {
  return caller.auth.map((id) => ({
    authScheme: id.scheme,
    user: id.scheme === "digest" ? (id.id.split(":")[0] ?? "") : id.id,
  }));
}

/** A read, answered at once; setWatches may fire events, which go to notify before the reply. */
export function read<W>(
  ctx: HandlerContext<W>,
  xid: number,
  req: ReadLike,
  notify: (fired: Fired<W>, zxid: number) => void,
): Uint8Array {
  const tree = ctx.backend.tree();
  switch (req.type) {
    case "exists":
    case "getData":
    case "getChildren":
    case "getChildren2": {
      const rsp = watchableRead(ctx, req);
      return isZkError(rsp) ? failure(ctx, xid, rsp) : ok(ctx, xid, rsp);
    }
    case "getACL": {
      const got = getACL(tree, ctx.caller, req.path);
      return isZkError(got) ? failure(ctx, xid, got) : ok(ctx, xid, { type: "acl", ...got });
    }
    case "getAllChildrenNumber": {
      const n = getAllChildrenNumber(tree, ctx.caller, req.path);
      return isZkError(n) ? failure(ctx, xid, n) : ok(ctx, xid, { type: "int", value: n });
    }
    case "getEphemerals": {
      const list = getEphemerals(tree, ctx.caller.sessionId, req.prefix);
      return isZkError(list) ? failure(ctx, xid, list) : ok(ctx, xid, { type: "strings", items: list });
    }
    case "multiRead": {
      const results = req.ops.map((op): MultiResult => {
        const rsp = watchableRead(ctx, op);
        if (isZkError(rsp)) return { type: "error", err: rsp.zkCode };
        if (rsp.type === "getData") return { type: "getData", data: rsp.data, stat: rsp.stat };
        return { type: "getChildren", children: rsp.type === "strings" ? rsp.items : [] };
      });
      return ok(ctx, xid, { type: "multi", results });
    }
    case "setWatches": {
      const stat = (path: string) => tree.stat(path);
      for (const fired of ctx.watches.rearm(ctx.watcher, req.relativeZxid, stat, req)) notify(fired, -1);
      return ok(ctx, xid);
    }
    case "addWatch": {
      // WatcherMode.fromZooDef throws on other modes, which FinalRequestProcessor answers MarshallingError
      if (req.mode !== AddWatchMode.persistent && req.mode !== AddWatchMode.persistentRecursive)
        return failure(ctx, xid, "MarshallingError");
      ctx.watches.addPersistent(req.path, ctx.watcher, req.mode === AddWatchMode.persistentRecursive);
      return ok(ctx, xid, { type: "int", value: 0 });
    }
    case "checkWatches":
    case "removeWatches": {
      const found =
        req.type === "checkWatches"
          ? ctx.watches.contains(req.path, ctx.watcher, req.watcherType)
          : ctx.watches.remove(req.path, ctx.watcher, req.watcherType);
      if (found === undefined) return failure(ctx, xid, "MarshallingError");
      return found ? ok(ctx, xid) : failure(ctx, xid, keeperError("NoWatcher", req.path));
    }
    case "whoAmI":
      return ok(ctx, xid, { type: "whoAmI", clientInfo: clientInfo(ctx.caller) });
    case "unknown":
      return failure(ctx, xid, "Unimplemented");
  }
}

// ---- writes ----

/** CreateRequest → core's create, with ZooKeeper's validateCreateRequest checks on mode and ttl */
function createOp(req: CreateRequest): MultiOp | ZkError {
  const mode = modeByFlag.get(req.flags);
  if (mode === undefined) return keeperError("BadArguments", req.path);
  const ttlMode = mode === "persistent_ttl" || mode === "persistent_sequential_ttl";
  if (ttlMode !== (req.opcode === OpCode.createTTL)) return keeperError("BadArguments", req.path);
  const op = { op: "create", path: req.path, data: req.data, acl: req.acl, mode } as const;
  return ttlMode ? { ...op, ttl: req.ttl } : op;
}

function multiOp(req: MultiRequestOp): MultiOp | ZkError {
  switch (req.type) {
    case "create":
      return createOp(req);
    case "delete":
      return { op: "delete", path: req.path, version: req.version };
    case "setData":
      return { op: "setData", path: req.path, data: req.data, version: req.version };
    case "check":
      return { op: "check", path: req.path, version: req.version };
  }
}

function toWriteRequest(req: WriteLike): WriteRequest | ZkError {
  switch (req.type) {
    case "setACL":
      return { op: "setACL", path: req.path, acl: req.acl, version: req.version };
    case "multi": {
      const ops: MultiOp[] = [];
      for (const op of req.ops) {
        const mapped = multiOp(op);
        if (isZkError(mapped)) return mapped;
        ops.push(mapped);
      }
      return { op: "multi", ops };
    }
    case "sync":
      return keeperError("BadArguments");
    default:
      return multiOp(req);
  }
}

function multiResult(op: MultiRequestOp, result: OpResult | undefined): MultiResult {
  if (result === undefined) return { type: "error", err: ErrCode.RuntimeInconsistency };
  switch (result.type) {
    case "create":
      return op.type === "create" && op.opcode === OpCode.create
        ? { type: "create", path: result.path }
        : { type: "create2", path: result.path, stat: result.stat };
    case "delete":
      return { type: "delete" };
    case "setData":
      return { type: "setData", stat: result.stat };
    case "check":
      return { type: "check" };
    case "error":
      return { type: "error", err: ErrCode[result.err] };
    default:
      return { type: "error", err: ErrCode.RuntimeInconsistency };
  }
}

/** The reply to a committed write, from what apply returned. */
function committedReply<W>(
  ctx: HandlerContext<W>,
  xid: number,
  req: WriteLike,
  result: OpResult,
): Uint8Array {
  if (req.type === "multi") {
    const results = result.type === "multi" ? result.results : [];
    return ok(ctx, xid, { type: "multi", results: req.ops.map((op, i) => multiResult(op, results[i])) });
  }
  if (result.type === "error") return failure(ctx, xid, result.err === "Ok" ? "SystemError" : result.err);
  switch (result.type) {
    case "create":
      return req.type === "create" && req.opcode === OpCode.create
        ? ok(ctx, xid, { type: "path", path: result.path })
        : ok(ctx, xid, { type: "pathStat", path: result.path, stat: result.stat });
    case "setData":
    case "setACL":
      return ok(ctx, xid, { type: "stat", stat: result.stat });
    case "check": {
      // CheckVersion answers a SetDataResponse carrying the node's stat
      const stat = ctx.backend.tree().stat(result.path);
      return stat === undefined ? failure(ctx, xid, "NoNode") : ok(ctx, xid, { type: "stat", stat });
    }
    default:
      return ok(ctx, xid);
  }
}

/**
 * A write (or sync). Undefined when the member could not say whether it committed (no leader, the
 * leader changed meanwhile): ZooKeeper then drops the connection, and so must the caller.
 */
export async function write<W>(
  ctx: HandlerContext<W>,
  xid: number,
  req: WriteLike,
): Promise<Uint8Array | undefined> {
  if (req.type === "sync") {
    const synced = await ctx.backend.sync();
    if (isZkError(synced)) return undefined;
    return ok(ctx, xid, { type: "path", path: req.path });
  }
  const mapped = toWriteRequest(req);
  if (isZkError(mapped)) {
    if (req.type !== "multi") return failure(ctx, xid, mapped);
    return ok(ctx, xid, {
      type: "multi",
      results: req.ops.map((op) => {
        const bad = multiOp(op);
        return { type: "error", err: isZkError(bad) ? bad.zkCode : 0 } as const;
      }),
    });
  }
  const out = await ctx.backend.write(ctx.caller, mapped);
  if (isZkError(out)) {
    if (out.code === "ConnectionLoss" || out.code === "OperationTimeout") return undefined;
    return failure(ctx, xid, out);
  }
  if (out.error !== undefined && req.type !== "multi") return failure(ctx, xid, out.error);
  return committedReply(ctx, xid, req, out.applied.result);
}
