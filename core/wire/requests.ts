/**
 * The requests a ZooKeeper 3.9 client sends after the handshake: a RequestHeader and the record its
 * opcode names (zookeeper.jute; MultiOperationRecord for multi and multiRead). Decoding never throws:
 * a short or malformed record is a MarshallingError, an opcode nzk does not serve is "unknown" (ZooKeeper
 * answers those Unimplemented).
 */
import type { ZkError } from "../errors.ts";
import { JuteReader } from "../jute.ts";
import type { ACL } from "../records.ts";
import { OpCode } from "./opcodes.ts";

export type CreateOpcode =
  | typeof OpCode.create
  | typeof OpCode.create2
  | typeof OpCode.createContainer
  | typeof OpCode.createTTL;

export interface CreateRequest {
  readonly type: "create";
  readonly opcode: CreateOpcode;
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  readonly flags: number;
  /** 0 unless createTTL */
  readonly ttl: number;
}
export interface DeleteRequest {
  readonly type: "delete";
  readonly path: string;
  readonly version: number;
}
export interface SetDataRequest {
  readonly type: "setData";
  readonly path: string;
  readonly data: Uint8Array;
  readonly version: number;
}
export interface CheckRequest {
  readonly type: "check";
  readonly path: string;
  readonly version: number;
}
export interface WatchableRead {
  readonly type: "exists" | "getData" | "getChildren" | "getChildren2";
  readonly path: string;
  readonly watch: boolean;
}
export type MultiRequestOp = CreateRequest | DeleteRequest | SetDataRequest | CheckRequest;

export type ClientRequest =
  | CreateRequest
  | DeleteRequest
  | SetDataRequest
  | CheckRequest
  | WatchableRead
  | { readonly type: "getACL"; readonly path: string }
  | { readonly type: "setACL"; readonly path: string; readonly acl: readonly ACL[]; readonly version: number }
  | { readonly type: "sync"; readonly path: string }
  | { readonly type: "getAllChildrenNumber"; readonly path: string }
  | { readonly type: "getEphemerals"; readonly prefix: string }
  | { readonly type: "multi"; readonly ops: readonly MultiRequestOp[] }
  | { readonly type: "multiRead"; readonly ops: readonly WatchableRead[] }
  | {
      readonly type: "setWatches";
      readonly relativeZxid: number;
      readonly data: readonly string[];
      readonly exist: readonly string[];
      readonly child: readonly string[];
      readonly persistent: readonly string[];
      readonly persistentRecursive: readonly string[];
    }
  | { readonly type: "addWatch"; readonly path: string; readonly mode: number }
  | { readonly type: "checkWatches" | "removeWatches"; readonly path: string; readonly watcherType: number }
  | { readonly type: "auth"; readonly scheme: string; readonly auth: Uint8Array }
  | { readonly type: "whoAmI" }
  | { readonly type: "ping" }
  | { readonly type: "closeSession" }
  | { readonly type: "unknown" };

export interface RequestFrame {
  readonly xid: number;
  readonly opcode: number;
  readonly request: ClientRequest;
}

/** the smallest encoded ACL: perms and two empty strings */
const MIN_ACL_BYTES = 12;

function readPath(r: JuteReader): string {
  return r.readString() ?? "";
}

function readStrings(r: JuteReader): string[] {
  return r.readVector((x) => x.readString() ?? "", 4) ?? [];
}

export function readACLs(r: JuteReader): ACL[] {
  return (
    r.readVector((x) => {
      const perms = x.readInt();
      const scheme = x.readString() ?? "";
      const id = x.readString() ?? "";
      return { perms, id: { scheme, id } };
    }, MIN_ACL_BYTES) ?? []
  );
}

function readCreate(r: JuteReader, opcode: CreateOpcode): CreateRequest {
  const path = readPath(r);
  const data = r.readBuffer() ?? new Uint8Array(0);
  const acl = readACLs(r);
  const flags = r.readInt();
  const ttl = opcode === OpCode.createTTL ? r.readLong() : 0;
  return { type: "create", opcode, path, data, acl, flags, ttl };
}

/** One op of a multi or multiRead, by its MultiHeader type; undefined for a type the record does not allow */
function readMultiOp(r: JuteReader, type: number): ClientRequest | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return readCreate(r, type);
    case OpCode.delete:
      return { type: "delete", path: readPath(r), version: r.readInt() };
    case OpCode.setData:
      return {
        type: "setData",
        path: readPath(r),
        data: r.readBuffer() ?? new Uint8Array(0),
        version: r.readInt(),
      };
    case OpCode.check:
      return { type: "check", path: readPath(r), version: r.readInt() };
    case OpCode.getChildren:
      return { type: "getChildren", path: readPath(r), watch: r.readBool() };
    case OpCode.getData:
      return { type: "getData", path: readPath(r), watch: r.readBool() };
    default:
      return undefined;
  }
}

/**
 * MultiOperationRecord: MultiHeaders each followed by its op, ended by a header with done set. As
 * ZooKeeper's client builds it, a multi holds only writes and a multiRead only getData/getChildren.
 */
function readMulti(r: JuteReader, reads: boolean): ClientRequest {
  const ops: ClientRequest[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt();
    if (r.error !== undefined || done) break;
    const op = readMultiOp(r, type);
    const isRead = op !== undefined && (op.type === "getData" || op.type === "getChildren");
    if (op === undefined || isRead !== reads) {
      r.fail(`op type ${type} not allowed in ${reads ? "multiRead" : "multi"}`);
      break;
    }
    ops.push(op);
  }
  return reads
    ? { type: "multiRead", ops: ops as WatchableRead[] }
    : { type: "multi", ops: ops as MultiRequestOp[] };
}

function readSetWatches(r: JuteReader, v2: boolean): ClientRequest {
  const relativeZxid = r.readLong();
  const data = readStrings(r);
  const exist = readStrings(r);
  const child = readStrings(r);
  const persistent = v2 ? readStrings(r) : [];
  const persistentRecursive = v2 ? readStrings(r) : [];
  return { type: "setWatches", relativeZxid, data, exist, child, persistent, persistentRecursive };
}

function readBody(r: JuteReader, opcode: number): ClientRequest {
  switch (opcode) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.setData:
    case OpCode.check:
      return readMultiOp(r, opcode)!;
    case OpCode.exists:
      return { type: "exists", path: readPath(r), watch: r.readBool() };
    case OpCode.getData:
      return { type: "getData", path: readPath(r), watch: r.readBool() };
    case OpCode.getChildren:
      return { type: "getChildren", path: readPath(r), watch: r.readBool() };
    case OpCode.getChildren2:
      return { type: "getChildren2", path: readPath(r), watch: r.readBool() };
    case OpCode.getACL:
      return { type: "getACL", path: readPath(r) };
    case OpCode.setACL:
      return { type: "setACL", path: readPath(r), acl: readACLs(r), version: r.readInt() };
    case OpCode.sync:
      return { type: "sync", path: readPath(r) };
    case OpCode.getAllChildrenNumber:
      return { type: "getAllChildrenNumber", path: readPath(r) };
    case OpCode.getEphemerals:
      return { type: "getEphemerals", prefix: readPath(r) };
    case OpCode.multi:
      return readMulti(r, false);
    case OpCode.multiRead:
      return readMulti(r, true);
    case OpCode.setWatches:
      return readSetWatches(r, false);
    case OpCode.setWatches2:
      return readSetWatches(r, true);
    case OpCode.addWatch:
      return { type: "addWatch", path: readPath(r), mode: r.readInt() };
    case OpCode.checkWatches:
      return { type: "checkWatches", path: readPath(r), watcherType: r.readInt() };
    case OpCode.removeWatches:
      return { type: "removeWatches", path: readPath(r), watcherType: r.readInt() };
    case OpCode.auth: {
      r.readInt();
      const scheme = r.readString() ?? "";
      return { type: "auth", scheme, auth: r.readBuffer() ?? new Uint8Array(0) };
    }
    case OpCode.whoAmI:
      return { type: "whoAmI" };
    case OpCode.ping:
      return { type: "ping" };
    case OpCode.closeSession:
      return { type: "closeSession" };
    default:
      return { type: "unknown" };
  }
}

/** A request frame; trailing bytes are ignored, as ZooKeeper's record readers ignore them. */
export function decodeRequest(frame: Uint8Array): RequestFrame | ZkError {
  const r = new JuteReader(frame);
  const xid = r.readInt();
  const opcode = r.readInt();
  const request = readBody(r, opcode);
  return r.error ?? { xid, opcode, request };
}
