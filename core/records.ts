/**
 * The records of nzk, in one place, as zookeeper.jute is for ZooKeeper: identities and ACLs, Stat,
 * client requests, the txns that prep produces and apply consumes, their results and watch events.
 * 64-bit zxids, times and session ids are numbers (see zxid.ts); ephemeralOwner is a bigint because
 * ZooKeeper packs container and TTL markers into its sign and high byte.
 */
import type { ErrName } from "./errors.ts";

export interface Id {
  readonly scheme: string;
  readonly id: string;
}

export interface ACL {
  readonly perms: number;
  readonly id: Id;
}

/** ZooDefs.Perms */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export const ANYONE_ID: Id = { scheme: "world", id: "anyone" };
export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.ALL, id: ANYONE_ID }];
export const READ_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.READ, id: ANYONE_ID }];

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  /** session id for ephemerals, 0 for persistent, 0x8000000000000000 for containers, 0xff.. | ttl for TTL nodes */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

/** ZooKeeper's CreateMode, by the names shared/API.md uses; the flag is CreateMode.toFlag(). */
export const CreateModes = {
  persistent: 0,
  ephemeral: 1,
  persistent_sequential: 2,
  ephemeral_sequential: 3,
  container: 4,
  persistent_ttl: 5,
  persistent_sequential_ttl: 6,
} as const;
export type CreateMode = keyof typeof CreateModes;

/** What a caller is, for ACL checks and ephemerals. */
export interface Caller {
  /** 0 when the request is outside any session */
  readonly sessionId: number;
  /** identities from addAuth / Basic auth / the client's address (scheme "ip") / "super" */
  readonly auth: readonly Id[];
}

/** The leader's stamp on a request: its zxid and the leader's clock. Core never reads a clock. */
export interface Stamp {
  readonly zxid: number;
  readonly time: number;
}

// ---- client write requests (input of prep) ----

export interface CreateOp {
  readonly op: "create";
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  readonly mode: CreateMode;
  /** milliseconds, required for the ttl modes */
  readonly ttl?: number;
  /** create missing ancestors as persistent nodes with OPEN_ACL_UNSAFE (Curator's creatingParentsIfNeeded) */
  readonly parents?: boolean;
}
export interface DeleteOp {
  readonly op: "delete";
  readonly path: string;
  readonly version: number;
}
export interface SetDataOp {
  readonly op: "setData";
  readonly path: string;
  readonly data: Uint8Array;
  readonly version: number;
}
export interface SetACLOp {
  readonly op: "setACL";
  readonly path: string;
  readonly acl: readonly ACL[];
  readonly version: number;
}
export interface CheckOp {
  readonly op: "check";
  readonly path: string;
  readonly version: number;
}
export type MultiOp = CreateOp | DeleteOp | SetDataOp | CheckOp;

export type WriteRequest =
  | CreateOp
  | DeleteOp
  | SetDataOp
  | SetACLOp
  | CheckOp
  | { readonly op: "multi"; readonly ops: readonly MultiOp[] }
  /** recursive delete of a subtree as one atomic txn */
  | { readonly op: "deleteAll"; readonly path: string }
  /** the session id is the zxid of this txn; the password is chosen by the leader */
  | { readonly op: "createSession"; readonly timeout: number; readonly password: Uint8Array }
  | { readonly op: "closeSession" }
  /** the leader's reaper: delete an empty container or an expired TTL node (ZooKeeper's deleteContainer) */
  | { readonly op: "reap"; readonly path: string };

// ---- txns (output of prep, input of apply, what the log holds) ----

export type TxnBody =
  | {
      readonly type: "create";
      readonly path: string;
      readonly data: Uint8Array;
      readonly acl: readonly ACL[];
      /** session id for ephemerals, else 0 */
      readonly ephemeralOwner: number;
      readonly container: boolean;
      /** ttl in ms for TTL nodes, else 0 */
      readonly ttl: number;
      /** the parent's cversion after this create (ZooKeeper's CreateTxn.parentCVersion) */
      readonly parentCVersion: number;
    }
  | { readonly type: "delete"; readonly path: string }
  | { readonly type: "setData"; readonly path: string; readonly data: Uint8Array; readonly version: number }
  | { readonly type: "setACL"; readonly path: string; readonly acl: readonly ACL[]; readonly version: number }
  | { readonly type: "check"; readonly path: string; readonly version: number }
  | { readonly type: "error"; readonly err: ErrName }
  | { readonly type: "multi"; readonly txns: readonly TxnBody[] }
  | { readonly type: "createSession"; readonly timeout: number; readonly password: Uint8Array }
  /** paths is ZooKeeper's CloseSessionTxn.paths2Delete: the ephemerals to delete, in order */
  | { readonly type: "closeSession"; readonly paths: readonly string[] };

export interface Txn {
  /** the session that issued it (ZooKeeper's TxnHeader.clientId); 0 for the leader's own txns */
  readonly sessionId: number;
  readonly zxid: number;
  readonly time: number;
  readonly body: TxnBody;
}

// ---- results of apply ----

export type OpResult =
  | { readonly type: "create"; readonly path: string; readonly stat: Stat }
  | { readonly type: "delete"; readonly path: string }
  | { readonly type: "setData"; readonly path: string; readonly stat: Stat }
  | { readonly type: "setACL"; readonly path: string; readonly stat: Stat }
  | { readonly type: "check"; readonly path: string }
  /** in a multi: Ok before the failing op, its code, then RuntimeInconsistency (ZooKeeper's multi) */
  | { readonly type: "error"; readonly err: ErrName; readonly path?: string }
  | { readonly type: "multi"; readonly results: readonly OpResult[] }
  | { readonly type: "createSession"; readonly sessionId: number; readonly timeout: number }
  | { readonly type: "closeSession"; readonly sessionId: number };

export type EventType = "NodeCreated" | "NodeDeleted" | "NodeDataChanged" | "NodeChildrenChanged";

export interface WatchEvent {
  readonly type: EventType;
  readonly path: string;
  readonly zxid: number;
}

export interface Applied {
  readonly zxid: number;
  readonly result: OpResult;
  /** in the order ZooKeeper's DataTree fires them */
  readonly events: readonly WatchEvent[];
}

export interface SessionInfo {
  readonly sessionId: number;
  readonly timeout: number;
  readonly password: Uint8Array;
}
