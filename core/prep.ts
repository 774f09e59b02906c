/**
 * ZooKeeper's PrepRequestProcessor: turns a client's write request into the txn the log will hold,
 * checked against the tree plus every change prepared before it but not yet applied, so apply needs no
 * further checks. A failed request still becomes a txn, an error txn, so replies stay in log order.
 * The leader calls prep in zxid order, apply as txns commit, then release(zxid) once the tree holds them.
 */
import { isZkError, type ZkError, zkError } from "./errors.ts";
import { keeperError } from "./keeper-error.ts";
import { joinPath, validatePath } from "./paths.ts";
import { PendingChanges } from "./pending.ts";
import {
  checkSession,
  deletableParent,
  type OpContext,
  prepCheck,
  prepCreate,
  prepDelete,
  prepReap,
  prepSetACL,
  prepSetData,
  type Step,
} from "./prep-ops.ts";
import {
  type Caller,
  type CreateOp,
  type DeleteOp,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  type Stamp,
  type Txn,
  type TxnBody,
  type WriteRequest,
} from "./records.ts";
import { type CoreConfig, DEFAULT_CONFIG, type TreeView } from "./tree-view.ts";

export { sequenceSuffix } from "./prep-ops.ts";

export interface Prepared {
  readonly txn: Txn;
  /** why the request failed, with its path and message; the txn then carries only the code */
  readonly error?: ZkError;
}

/**
 * The error a txn stands for, as a client would be answered without applying it: the code of an error
 * txn, or of the op that failed a multi. The path and message of the original failure are in Prepared.
 */
export function txnError(txn: Txn): ZkError | undefined {
  const body = txn.body;
  if (body.type === "error") return body.err === "Ok" ? undefined : keeperError(body.err);
  if (body.type !== "multi") return undefined;
  for (const sub of body.txns) {
    if (sub.type === "error" && sub.err !== "Ok") return keeperError(sub.err);
  }
  return undefined;
}

const EMPTY = new Uint8Array(0);

/** A txn of the session at the leader's stamp: a module function, not a closure made (and, under tsx, named) per request. */
const stamped = (stamp: Stamp, sessionId: number, body: TxnBody): Txn => ({
  sessionId,
  zxid: stamp.zxid,
  time: stamp.time,
  body,
});

export class Preparer {
  readonly #pending: PendingChanges;
  readonly #config: CoreConfig;

  constructor(tree: TreeView, config?: Partial<CoreConfig>) {
    this.#pending = new PendingChanges(tree);
    this.#config = { ...DEFAULT_CONFIG, ...config };
  }

  /** outstanding changes: node and session records prepared but not yet released */
  get outstanding(): number {
    return this.#pending.size;
  }

  prep(caller: Caller, stamp: Stamp, req: WriteRequest): Txn {
    return this.prepare(caller, stamp, req).txn;
  }

  prepare(caller: Caller, stamp: Stamp, req: WriteRequest): Prepared {
    const ctx: OpContext = {
      caller,
      zxid: stamp.zxid,
      time: stamp.time,
      pending: this.#pending,
      config: this.#config,
    };
    if (req.op === "createSession") {
      this.#pending.putSession(stamp.zxid, stamp.zxid, true);
      const body: TxnBody = { type: "createSession", timeout: req.timeout, password: req.password };
      return { txn: stamped(stamp, stamp.zxid, body) };
    }
    const { body, error } = this.#body(ctx, req);
    const txn = stamped(stamp, caller.sessionId, body);
    return error === undefined ? { txn } : { txn, error };
  }

  /** FinalRequestProcessor's cleanup: call once the tree has applied every txn up to appliedZxid */
  release(appliedZxid: number): void {
    this.#pending.release(appliedZxid);
  }

  /** forgets every outstanding change, for a leader that lost its leadership before they committed */
  reset(): void {
    this.#pending.clear();
  }

  #body(ctx: OpContext, req: Exclude<WriteRequest, { op: "createSession" }>): Outcome {
    switch (req.op) {
      case "create":
        return req.parents === true ? this.#createWithParents(ctx, req) : single(prepCreate(ctx, req));
      case "delete":
        return single(prepDelete(ctx, req));
      case "setData":
        return single(prepSetData(ctx, req));
      case "setACL":
        return single(prepSetACL(ctx, req));
      case "check":
        return single(prepCheck(ctx, req));
      case "multi":
        return this.#multi(ctx, req.ops);
      case "deleteAll":
        return this.#deleteAll(ctx, req.path);
      case "closeSession":
        return single(closeSession(ctx));
      case "reap":
        return single(prepReap(ctx, req.path));
      default:
        return single(zkError("BadArguments", `unknown request ${String((req as { op: unknown }).op)}`));
    }
  }

  /**
   * ZooKeeper's multi: every op shares the zxid and sees the ops before it. On the first failure the ops
   * before become Ok error txns, the failing op its code, the rest RuntimeInconsistency, so apply
   * applies none of them, and the outstanding changes of the multi are rolled back.
   */
  #multi(ctx: OpContext, ops: readonly MultiOp[]): Outcome {
    const txns: TxnBody[] = [];
    let error: ZkError | undefined;
    this.#pending.begin();
    for (const op of ops) {
      if (error !== undefined) {
        txns.push({ type: "error", err: "RuntimeInconsistency" });
        continue;
      }
      const step = multiStep(ctx, op);
      if (isZkError(step)) {
        error = step;
        txns.fill({ type: "error", err: "Ok" });
        txns.push({ type: "error", err: step.code });
        this.#pending.rollback(ctx.zxid);
      } else {
        txns.push(step);
      }
    }
    this.#pending.end();
    return { body: { type: "multi", txns }, error };
  }

  /** Curator's creatingParentsIfNeeded in one txn: missing ancestors as persistent open nodes, then the node */
  #createWithParents(ctx: OpContext, op: CreateOp): Outcome {
    const target: CreateOp = { ...op, parents: false };
    const missing: CreateOp[] = [];
    if (validatePath(op.path, op.mode.includes("sequential")) === undefined) {
      let at = "/";
      for (const name of op.path.split("/").slice(1, -1)) {
        at = joinPath(at, name);
        if (missing.length > 0 || !this.#pending.exists(at)) {
          missing.push({ op: "create", path: at, data: EMPTY, acl: OPEN_ACL_UNSAFE, mode: "persistent" });
        }
      }
    }
    return missing.length === 0 ? single(prepCreate(ctx, target)) : this.#multi(ctx, [...missing, target]);
  }

  /** The subtree, deepest first, as one multi of deletes (ZKUtil.deleteRecursive made atomic). */
  #deleteAll(ctx: OpContext, path: string): Outcome {
    const invalid = checkSession(ctx) ?? validatePath(path);
    if (invalid) return single(invalid);
    const reserved = deletableParent(path);
    if (isZkError(reserved)) return single(reserved);
    if (!this.#pending.exists(path)) return single(keeperError("NoNode", path));
    const children = this.#pendingChildren();
    const order = [path];
    for (let i = 0; i < order.length; i++) order.push(...this.#childPaths(order[i]!, children));
    const deletes = order.reverse().map((p): DeleteOp => ({ op: "delete", path: p, version: -1 }));
    return this.#multi(ctx, deletes);
  }

  /** children that outstanding changes create or delete, by parent */
  #pendingChildren(): Map<string, Set<string>> {
    const byParent = new Map<string, Set<string>>();
    for (const [path] of this.#pending.changed()) {
      const slash = path.lastIndexOf("/");
      if (path === "/" || slash < 0) continue;
      const parent = slash === 0 ? "/" : path.slice(0, slash);
      const names = byParent.get(parent);
      if (names === undefined) byParent.set(parent, new Set([path.slice(slash + 1)]));
      else names.add(path.slice(slash + 1));
    }
    return byParent;
  }

  #childPaths(path: string, pendingChildren: Map<string, Set<string>>): string[] {
    const names = new Set(this.#pending.tree.childNames(path) ?? []);
    for (const name of pendingChildren.get(path) ?? []) names.add(name);
    return [...names]
      .sort()
      .map((name) => joinPath(path, name))
      .filter((child) => this.#pending.exists(child));
  }
}

interface Outcome {
  readonly body: TxnBody;
  readonly error: ZkError | undefined;
}

function single(step: Step): Outcome {
  return isZkError(step)
    ? { body: { type: "error", err: step.code }, error: step }
    : { body: step, error: undefined };
}

function multiStep(ctx: OpContext, op: MultiOp): Step {
  switch (op.op) {
    case "create":
      return op.parents === true
        ? zkError("BadArguments", "parents is not supported inside a multi", op.path)
        : prepCreate(ctx, op);
    case "delete":
      return prepDelete(ctx, op);
    case "setData":
      return prepSetData(ctx, op);
    case "check":
      return prepCheck(ctx, op);
    default:
      return zkError("BadArguments", `unknown multi op ${String((op as { op: unknown }).op)}`);
  }
}

/**
 * ZooKeeper's closeSession prep: the session's ephemerals as the outstanding changes leave them, sorted,
 * each recorded as deleted, and the session marked closing so later requests in it are SessionExpired.
 * Unlike ZooKeeper the parents' child counts drop at once, so a delete of an emptied parent prepared
 * before the close is applied is not refused as NotEmpty.
 */
function closeSession(ctx: OpContext): Step {
  const sessionId = ctx.caller.sessionId;
  if (sessionId === 0) return zkError("BadArguments", "closeSession needs a session");
  if (!ctx.pending.sessionOpen(sessionId)) return keeperError("SessionExpired");
  const paths = new Set(ctx.pending.tree.ephemeralsOf(sessionId));
  for (const [path, node] of ctx.pending.changed()) {
    if (node !== undefined && node.ephemeralOwner === BigInt(sessionId)) paths.add(path);
    else paths.delete(path);
  }
  const sorted = [...paths].sort();
  for (const path of sorted) {
    const slash = path.lastIndexOf("/");
    const parentPath = slash === 0 ? "/" : path.slice(0, slash);
    const parent = ctx.pending.node(parentPath);
    if (parent !== undefined)
      ctx.pending.put(ctx.zxid, parentPath, { ...parent, childCount: parent.childCount - 1 });
    ctx.pending.put(ctx.zxid, path, undefined);
  }
  ctx.pending.putSession(ctx.zxid, sessionId, false);
  return { type: "closeSession", paths: sorted };
}
