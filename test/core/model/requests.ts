/**
 * What one client write request does to the model, with ZooKeeper 3.9's checks in
 * PrepRequestProcessor's order (the first failing check names the error) and DataTree's effects.
 * The model runs each request to completion before the next, so it is what a pipelined
 * prep-then-apply must be indistinguishable from.
 */
import type { ErrName } from "../../../core/errors.ts";
import {
  type Caller,
  type CheckOp,
  type CreateOp,
  type DeleteOp,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  type OpResult,
  Perms,
  type SetACLOp,
  type SetDataOp,
  type Stamp,
  type WatchEvent,
  type WriteRequest,
} from "../../../core/records.ts";
import { checkAcl, fixupAcl } from "./acl.ts";
import { childPath, isValidCreatePath, isValidPath, parentOf, SPECIAL_PATHS } from "./paths.ts";
import {
  CONTAINER_OWNER,
  cloneState,
  createNode,
  deleteNode,
  ephemeralsOf,
  isSessionEphemeral,
  MAX_TTL,
  type ModelState,
  setNodeAcl,
  setNodeData,
  TTL_OWNER_MASK,
} from "./state.ts";

export interface Outcome {
  readonly result: OpResult;
  readonly events: readonly WatchEvent[];
}

type Failure = { readonly type: "error"; readonly err: ErrName };

function fail(err: ErrName): Failure {
  return { type: "error", err };
}

/** checkAndIncVersion: -1 matches any version; the version after Integer.MAX_VALUE skips -1 (ZOOKEEPER-4743). */
function nextVersion(current: number, expected: number): number | Failure {
  if (expected !== -1 && expected !== current) return fail("BadVersion");
  const next = current === 0x7fff_ffff ? -0x8000_0000 : current + 1;
  return next === -1 ? 0 : next;
}

function sessionCheck(state: ModelState, caller: Caller): Failure | undefined {
  return caller.sessionId !== 0 && !state.sessions.has(caller.sessionId) ? fail("SessionExpired") : undefined;
}

function create(state: ModelState, caller: Caller, stamp: Stamp, op: CreateOp, events: WatchEvent[]) {
  // an oversized request is refused before anything else looks at it, as jute refuses to read it
  if (op.data.length > state.maxDataBytes) return fail("MarshallingError");
  const ttlMode = op.mode === "persistent_ttl" || op.mode === "persistent_sequential_ttl";
  const ephemeral = op.mode === "ephemeral" || op.mode === "ephemeral_sequential";
  const sequential = op.mode.includes("sequential");
  // EphemeralType.validateTTL: a ttl only with a TTL mode, and within range
  if (ttlMode && (op.ttl === undefined || op.ttl <= 0 || op.ttl > MAX_TTL)) return fail("BadArguments");
  if (!ttlMode && op.ttl !== undefined && op.ttl >= 0) return fail("BadArguments");
  if (ephemeral && caller.sessionId === 0) return fail("BadArguments");
  const expired = sessionCheck(state, caller);
  if (expired) return expired;
  if (!isValidCreatePath(op.path, sequential)) return fail("BadArguments");
  const acl = fixupAcl(op.acl, caller.auth);
  if (acl === "InvalidACL") return fail(acl);
  const parentPath = parentOf(op.path);
  const parent = state.nodes.get(parentPath);
  if (!parent) return fail("NoNode");
  const denied = checkAcl(parent.acl, Perms.CREATE, caller.auth);
  if (denied !== "Ok") return fail(denied);
  const path = sequential ? `${op.path}${String(parent.cversion).padStart(10, "0")}` : op.path;
  if (state.nodes.has(path)) return fail("NodeExists");
  if (isSessionEphemeral(parent.ephemeralOwner)) return fail("NoChildrenForEphemerals");
  let ephemeralOwner = 0n;
  if (op.mode === "container") ephemeralOwner = CONTAINER_OWNER;
  else if (ttlMode) ephemeralOwner = TTL_OWNER_MASK | BigInt(op.ttl!);
  else if (ephemeral) ephemeralOwner = BigInt(caller.sessionId);
  const stat = createNode(
    state,
    { path, data: op.data, acl, ephemeralOwner },
    stamp.zxid,
    stamp.time,
    events,
  );
  return { type: "create", path, stat } as const;
}

function remove(state: ModelState, caller: Caller, stamp: Stamp, op: DeleteOp, events: WatchEvent[]) {
  const expired = sessionCheck(state, caller);
  if (expired) return expired;
  if (!isValidPath(op.path) || SPECIAL_PATHS.has(op.path)) return fail("BadArguments");
  const parent = state.nodes.get(parentOf(op.path));
  if (!parent) return fail("NoNode");
  const denied = checkAcl(parent.acl, Perms.DELETE, caller.auth);
  if (denied !== "Ok") return fail(denied);
  const node = state.nodes.get(op.path);
  if (!node) return fail("NoNode");
  const version = nextVersion(node.version, op.version);
  if (typeof version !== "number") return version;
  if (node.children.size > 0) return fail("NotEmpty");
  deleteNode(state, op.path, stamp.zxid, events);
  return { type: "delete", path: op.path } as const;
}

function setData(state: ModelState, caller: Caller, stamp: Stamp, op: SetDataOp, events: WatchEvent[]) {
  if (op.data.length > state.maxDataBytes) return fail("MarshallingError");
  const expired = sessionCheck(state, caller);
  if (expired) return expired;
  if (!isValidPath(op.path)) return fail("BadArguments");
  const node = state.nodes.get(op.path);
  if (!node) return fail("NoNode");
  const denied = checkAcl(node.acl, Perms.WRITE, caller.auth);
  if (denied !== "Ok") return fail(denied);
  const version = nextVersion(node.version, op.version);
  if (typeof version !== "number") return version;
  const stat = setNodeData(state, op.path, op.data, version, stamp.zxid, stamp.time, events);
  return { type: "setData", path: op.path, stat } as const;
}

function setAcl(state: ModelState, caller: Caller, op: SetACLOp) {
  const expired = sessionCheck(state, caller);
  if (expired) return expired;
  if (!isValidPath(op.path)) return fail("BadArguments");
  const acl = fixupAcl(op.acl, caller.auth);
  if (acl === "InvalidACL") return fail(acl);
  const node = state.nodes.get(op.path);
  if (!node) return fail("NoNode");
  const denied = checkAcl(node.acl, Perms.ADMIN, caller.auth);
  if (denied !== "Ok") return fail(denied);
  const aversion = nextVersion(node.aversion, op.version);
  if (typeof aversion !== "number") return aversion;
  return { type: "setACL", path: op.path, stat: setNodeAcl(state, op.path, acl, aversion) } as const;
}

function check(state: ModelState, caller: Caller, op: CheckOp) {
  const expired = sessionCheck(state, caller);
  if (expired) return expired;
  if (!isValidPath(op.path)) return fail("BadArguments");
  const node = state.nodes.get(op.path);
  if (!node) return fail("NoNode");
  const denied = checkAcl(node.acl, Perms.READ, caller.auth);
  if (denied !== "Ok") return fail(denied);
  const version = nextVersion(node.version, op.version);
  if (typeof version !== "number") return version;
  return { type: "check", path: op.path } as const;
}

function single(
  state: ModelState,
  caller: Caller,
  stamp: Stamp,
  op: MultiOp | SetACLOp,
  events: WatchEvent[],
) {
  switch (op.op) {
    case "create":
      return create(state, caller, stamp, op, events);
    case "delete":
      return remove(state, caller, stamp, op, events);
    case "setData":
      return setData(state, caller, stamp, op, events);
    case "setACL":
      return setAcl(state, caller, op);
    case "check":
      return check(state, caller, op);
  }
}

/** All or nothing: on the first failure, Ok for the ops before it, its code, RuntimeInconsistency after. */
function multi(
  state: ModelState,
  caller: Caller,
  stamp: Stamp,
  ops: readonly MultiOp[],
): [ModelState, Outcome] {
  const draft = cloneState(state);
  const events: WatchEvent[] = [];
  const results: OpResult[] = [];
  for (const [i, op] of ops.entries()) {
    const result = single(draft, caller, stamp, op, events);
    if (result.type === "error") {
      const codes = ops.map(
        (_, j): OpResult => fail(j < i ? "Ok" : j === i ? result.err : "RuntimeInconsistency"),
      );
      return [state, { result: { type: "multi", results: codes }, events: [] }];
    }
    results.push(result);
  }
  return [draft, { result: { type: "multi", results }, events }];
}

/**
 * ZKUtil.deleteRecursive made atomic: the subtree listed breadth first (siblings in name order, where
 * ZooKeeper's are a HashSet's), deleted last to first as one multi.
 */
function deleteAll(state: ModelState, caller: Caller, stamp: Stamp, path: string): [ModelState, Outcome] {
  const refused =
    sessionCheck(state, caller) ??
    (!isValidPath(path) || SPECIAL_PATHS.has(path) ? fail("BadArguments") : undefined);
  if (refused) return [state, { result: refused, events: [] }];
  if (!state.nodes.has(path)) return [state, { result: fail("NoNode"), events: [] }];
  const listed = [path];
  for (let i = 0; i < listed.length; i++) {
    const node = state.nodes.get(listed[i]!)!;
    listed.push(...[...node.children].sort().map((name) => childPath(listed[i]!, name)));
  }
  const deletes = listed.reverse().map((p): MultiOp => ({ op: "delete", path: p, version: -1 }));
  return multi(state, caller, stamp, deletes);
}

/** Curator's creatingParentsIfNeeded as one multi: the missing ancestors as open persistent nodes first. */
function createWithParents(
  state: ModelState,
  caller: Caller,
  stamp: Stamp,
  op: CreateOp,
): [ModelState, Outcome] {
  const missing: MultiOp[] = [];
  if (isValidCreatePath(op.path, op.mode.includes("sequential"))) {
    const names = op.path.split("/").slice(1, -1);
    for (let depth = 1; depth <= names.length; depth++) {
      const ancestor = `/${names.slice(0, depth).join("/")}`;
      if (missing.length > 0 || !state.nodes.has(ancestor)) {
        missing.push({
          op: "create",
          path: ancestor,
          data: new Uint8Array(0),
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        });
      }
    }
  }
  const target: CreateOp = { ...op, parents: false };
  if (missing.length > 0) return multi(state, caller, stamp, [...missing, target]);
  const events: WatchEvent[] = [];
  return [state, { result: create(state, caller, stamp, target, events), events }];
}

/**
 * The leader's reaper (ZooKeeper's deleteContainer), as nzk narrows it: only an empty container, or an
 * empty TTL node unmodified for longer than its ttl at the reap's own time. No session or ACL check.
 */
function reap(state: ModelState, stamp: Stamp, path: string): Outcome {
  if (!isValidPath(path) || SPECIAL_PATHS.has(path)) return { result: fail("BadArguments"), events: [] };
  const node = state.nodes.get(path);
  if (!node) return { result: fail("NoNode"), events: [] };
  if (node.children.size > 0) return { result: fail("NotEmpty"), events: [] };
  const isTtl = (node.ephemeralOwner & TTL_OWNER_MASK) === TTL_OWNER_MASK;
  const expired = isTtl && stamp.time - node.mtime > Number(node.ephemeralOwner & BigInt(MAX_TTL));
  if (node.ephemeralOwner !== CONTAINER_OWNER && !expired)
    return { result: fail("BadArguments"), events: [] };
  const events: WatchEvent[] = [];
  deleteNode(state, path, stamp.zxid, events);
  return { result: { type: "delete", path }, events };
}

/**
 * Runs one request against the state, returning the state after it (the same object, changed,
 * or a replacement for a multi) and what the client and the watchers see.
 */
export function runRequest(
  state: ModelState,
  caller: Caller,
  stamp: Stamp,
  req: WriteRequest,
): [ModelState, Outcome] {
  const events: WatchEvent[] = [];
  switch (req.op) {
    case "multi":
      return multi(state, caller, stamp, req.ops);
    case "deleteAll":
      return deleteAll(state, caller, stamp, req.path);
    case "create":
      return req.parents === true
        ? createWithParents(state, caller, stamp, req)
        : [state, { result: create(state, caller, stamp, req, events), events }];
    case "createSession":
      state.sessions.set(stamp.zxid, {
        sessionId: stamp.zxid,
        timeout: req.timeout,
        password: req.password.slice(),
      });
      return [
        state,
        { result: { type: "createSession", sessionId: stamp.zxid, timeout: req.timeout }, events },
      ];
    case "closeSession": {
      const expired =
        sessionCheck(state, caller) ?? (caller.sessionId === 0 ? fail("BadArguments") : undefined);
      if (expired) return [state, { result: expired, events }];
      for (const path of ephemeralsOf(state, caller.sessionId)) deleteNode(state, path, stamp.zxid, events);
      state.sessions.delete(caller.sessionId);
      return [state, { result: { type: "closeSession", sessionId: caller.sessionId }, events }];
    }
    case "reap":
      return [state, reap(state, stamp, req.path)];
    default:
      return [state, { result: single(state, caller, stamp, req, events), events }];
  }
}
