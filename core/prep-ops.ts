/**
 * PrepRequestProcessor.pRequest2Txn for each kind of write: every check ZooKeeper makes, in its order,
 * against the tree as the outstanding changes will leave it. A check that fails returns its ZkError and
 * records nothing; one that passes records the op's changes and returns its txn body. Paths are first
 * validated as ZooKeeper's client validates them before sending, so a bad path is always BadArguments.
 */
import { checkACL, fixupACL } from "./acl.ts";
import { CONTAINER_OWNER, ephemeralKind, isValidTtl, MAX_TTL, ttlOf, ttlOwner } from "./ephemeral-type.ts";
import { isZkError, type ZkError, zkError } from "./errors.ts";
import { keeperError } from "./keeper-error.ts";
import { isSpecialPath, validatePath } from "./paths.ts";
import type { NodeRecord, PendingChanges } from "./pending.ts";
import {
  type Caller,
  type CheckOp,
  type CreateMode,
  type CreateOp,
  type DeleteOp,
  Perms,
  type SetACLOp,
  type SetDataOp,
  type TxnBody,
} from "./records.ts";
import type { CoreConfig } from "./tree-view.ts";

export interface OpContext {
  readonly caller: Caller;
  readonly zxid: number;
  readonly time: number;
  readonly pending: PendingChanges;
  readonly config: CoreConfig;
}

export type Step = TxnBody | ZkError;

interface ModeFlags {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

/** CreateMode's flags */
const modes: Readonly<Record<CreateMode, ModeFlags>> = {
  persistent: { ephemeral: false, sequential: false, container: false, ttl: false },
  ephemeral: { ephemeral: true, sequential: false, container: false, ttl: false },
  persistent_sequential: { ephemeral: false, sequential: true, container: false, ttl: false },
  ephemeral_sequential: { ephemeral: true, sequential: true, container: false, ttl: false },
  container: { ephemeral: false, sequential: false, container: true, ttl: false },
  persistent_ttl: { ephemeral: false, sequential: false, container: false, ttl: true },
  persistent_sequential_ttl: { ephemeral: false, sequential: true, container: false, ttl: true },
};

/** String.format("%010d", cversion) for a Java int: "-000000001" when negative, 11 chars at -2^31 */
export function sequenceSuffix(cversion: number): string {
  const digits = Math.abs(cversion).toString();
  return cversion < 0 ? `-${digits.padStart(9, "0")}` : digits.padStart(10, "0");
}

/** "/" for a child of the root, as ZooKeeper's "" alias of the root */
function parentPathOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

export function checkSession(ctx: OpContext): ZkError | undefined {
  const id = ctx.caller.sessionId;
  return id === 0 || ctx.pending.sessionOpen(id) ? undefined : keeperError("SessionExpired");
}

/** checkAndIncVersion: -1 matches any version; the next version skips -1 (ZOOKEEPER-4743) */
function nextVersion(current: number, expected: number, path: string): number | ZkError {
  if (expected !== -1 && expected !== current) return keeperError("BadVersion", path);
  const next = (current + 1) | 0;
  return next === -1 ? 0 : next;
}

function tooLarge(ctx: OpContext, data: Uint8Array, path: string): ZkError | undefined {
  const max = ctx.config.maxDataBytes;
  return data.length > max
    ? zkError("MarshallingError", `data of ${data.length} bytes exceeds the limit of ${max} bytes`, path)
    : undefined;
}

/**
 * validateCreateRequest, then validatePathForCreate made as strict as ZooKeeper's client: the whole path
 * is validated (with a stand-in suffix when sequential) before the parent is looked up, so a malformed
 * path is BadArguments rather than NoNode for a parent that cannot exist.
 */
function checkCreateRequest(ctx: OpContext, op: CreateOp, mode: ModeFlags): ZkError | undefined {
  const tooBig = tooLarge(ctx, op.data, op.path);
  if (tooBig) return tooBig;
  if (mode.ttl ? op.ttl === undefined || !isValidTtl(op.ttl) : op.ttl !== undefined && op.ttl >= 0) {
    return zkError("BadArguments", `ttl must be positive and at most ${MAX_TTL} ms for ${op.mode}`, op.path);
  }
  if (mode.ephemeral && ctx.caller.sessionId === 0) {
    return zkError("BadArguments", "ephemeral nodes need a session: create one and send its token", op.path);
  }
  return checkSession(ctx) ?? validatePath(op.path, mode.sequential);
}

export function prepCreate(ctx: OpContext, op: CreateOp): Step {
  const mode = Object.hasOwn(modes, op.mode) ? modes[op.mode] : undefined;
  if (mode === undefined) return zkError("BadArguments", `unknown create mode ${String(op.mode)}`, op.path);
  const invalid = checkCreateRequest(ctx, op, mode);
  if (invalid) return invalid;
  const parentPath = parentPathOf(op.path);
  const acl = fixupACL(op.path, ctx.caller, op.acl);
  if (isZkError(acl)) return acl;
  const parent = ctx.pending.node(parentPath);
  if (parent === undefined) return keeperError("NoNode", parentPath);
  if (!checkACL(parent.acl, Perms.CREATE, ctx.caller)) return keeperError("NoAuth", op.path);
  const path = mode.sequential ? op.path + sequenceSuffix(parent.cversion) : op.path;
  const badPath = validatePath(path);
  if (badPath) return badPath;
  if (ctx.pending.exists(path)) return keeperError("NodeExists", path);
  if (ephemeralKind(parent.ephemeralOwner) === "ephemeral")
    return keeperError("NoChildrenForEphemerals", path);

  const parentCVersion = (parent.cversion + 1) | 0;
  const ttl = mode.ttl ? op.ttl! : 0;
  const session = mode.ephemeral ? ctx.caller.sessionId : 0;
  const ephemeralOwner = mode.container ? CONTAINER_OWNER : mode.ttl ? ttlOwner(ttl) : BigInt(session);
  ctx.pending.put(ctx.zxid, parentPath, {
    ...parent,
    childCount: parent.childCount + 1,
    cversion: parentCVersion,
  });
  ctx.pending.put(ctx.zxid, path, {
    version: 0,
    aversion: 0,
    cversion: 0,
    ephemeralOwner,
    mtime: ctx.time,
    childCount: 0,
    acl,
  });
  return {
    type: "create",
    path,
    data: op.data,
    acl,
    ephemeralOwner: session,
    container: mode.container,
    ttl,
    parentCVersion,
  };
}

/** getParentPathAndValidate: ZooKeeper refuses to delete its own nodes */
export function deletableParent(path: string): string | ZkError {
  return isSpecialPath(path)
    ? zkError("BadArguments", `${path} is reserved by ZooKeeper`, path)
    : parentPathOf(path);
}

function recordDelete(ctx: OpContext, parentPath: string, parent: NodeRecord, path: string): TxnBody {
  ctx.pending.put(ctx.zxid, parentPath, { ...parent, childCount: parent.childCount - 1 });
  ctx.pending.put(ctx.zxid, path, undefined);
  return { type: "delete", path };
}

export function prepDelete(ctx: OpContext, op: DeleteOp): Step {
  const invalid = checkSession(ctx) ?? validatePath(op.path);
  if (invalid) return invalid;
  const parentPath = deletableParent(op.path);
  if (isZkError(parentPath)) return parentPath;
  const parent = ctx.pending.node(parentPath);
  if (parent === undefined) return keeperError("NoNode", parentPath);
  if (!checkACL(parent.acl, Perms.DELETE, ctx.caller)) return keeperError("NoAuth", op.path);
  const node = ctx.pending.node(op.path);
  if (node === undefined) return keeperError("NoNode", op.path);
  const version = nextVersion(node.version, op.version, op.path);
  if (isZkError(version)) return version;
  if (node.childCount > 0) return keeperError("NotEmpty", op.path);
  return recordDelete(ctx, parentPath, parent, op.path);
}

/**
 * ZooKeeper's deleteContainer, for the leader's reaper. Stricter than ZooKeeper, which would delete a
 * persistent node here: only a container or a TTL node qualifies, and a TTL node only while it is still
 * expired at the reap's own time (it may have been set since the candidates were listed).
 */
export function prepReap(ctx: OpContext, path: string): Step {
  const invalid = validatePath(path);
  if (invalid) return invalid;
  const parentPath = deletableParent(path);
  if (isZkError(parentPath)) return parentPath;
  const node = ctx.pending.node(path);
  if (node === undefined) return keeperError("NoNode", path);
  if (node.childCount > 0) return keeperError("NotEmpty", path);
  const kind = ephemeralKind(node.ephemeralOwner);
  if (kind !== "container" && kind !== "ttl") {
    return zkError("BadArguments", `${path} is neither a container nor a TTL node`, path);
  }
  if (kind === "ttl" && !isExpired(node, ctx.time)) {
    return zkError("BadArguments", `${path} has not outlived its ttl`, path);
  }
  const parent = ctx.pending.node(parentPath);
  if (parent === undefined) return keeperError("NoNode", parentPath);
  return recordDelete(ctx, parentPath, parent, path);
}

/** ContainerManager's test: the node has not been modified for longer than its ttl */
export function isExpired(node: Pick<NodeRecord, "ephemeralOwner" | "mtime">, now: number): boolean {
  const ttl = ttlOf(node.ephemeralOwner);
  return ttl !== 0 && now - node.mtime > ttl;
}

export function prepSetData(ctx: OpContext, op: SetDataOp): Step {
  const invalid = tooLarge(ctx, op.data, op.path) ?? checkSession(ctx) ?? validatePath(op.path);
  if (invalid) return invalid;
  const node = ctx.pending.node(op.path);
  if (node === undefined) return keeperError("NoNode", op.path);
  if (!checkACL(node.acl, Perms.WRITE, ctx.caller)) return keeperError("NoAuth", op.path);
  const version = nextVersion(node.version, op.version, op.path);
  if (isZkError(version)) return version;
  ctx.pending.put(ctx.zxid, op.path, { ...node, version, mtime: ctx.time });
  return { type: "setData", path: op.path, data: op.data, version };
}

export function prepSetACL(ctx: OpContext, op: SetACLOp): Step {
  const invalid = checkSession(ctx) ?? validatePath(op.path);
  if (invalid) return invalid;
  const acl = fixupACL(op.path, ctx.caller, op.acl);
  if (isZkError(acl)) return acl;
  const node = ctx.pending.node(op.path);
  if (node === undefined) return keeperError("NoNode", op.path);
  if (!checkACL(node.acl, Perms.ADMIN, ctx.caller)) return keeperError("NoAuth", op.path);
  const version = nextVersion(node.aversion, op.version, op.path);
  if (isZkError(version)) return version;
  ctx.pending.put(ctx.zxid, op.path, { ...node, aversion: version, acl });
  return { type: "setACL", path: op.path, acl, version };
}

export function prepCheck(ctx: OpContext, op: CheckOp): Step {
  const invalid = checkSession(ctx) ?? validatePath(op.path);
  if (invalid) return invalid;
  const node = ctx.pending.node(op.path);
  if (node === undefined) return keeperError("NoNode", op.path);
  if (!checkACL(node.acl, Perms.READ, ctx.caller)) return keeperError("NoAuth", op.path);
  const version = nextVersion(node.version, op.version, op.path);
  if (isZkError(version)) return version;
  return { type: "check", path: op.path, version };
}
