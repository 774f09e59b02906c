/**
 * Snapshots of the whole tree: the nodes with data, stats, ACL ids and owners; the ACL cache with its id
 * counter; the sessions; lastZxid. The bytes depend only on the logical state (nodes in pre-order with
 * children sorted, sessions and ACL lists by id), never on the order things happened in or on slot
 * numbers, so members can compare snapshots byte for byte, and a restored tree hands out the same ACL
 * ids as one that never stopped.
 *
 * Layout (jute encoding): magic "NZKS", int format, long lastZxid, long last ACL id, int n × (long id,
 * vector<ACL>), int n × (long session id, int timeout, buffer password), int n × node, int Adler-32 of
 * everything before it. A node: ustring path, buffer data, long acl id, long czxid, mzxid, pzxid, ctime,
 * mtime, int version, cversion (persisted), aversion, byte owner kind, and for ephemeral and TTL nodes a
 * long session id or ttl.
 */
import { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.ts";
import { adler32 } from "./adler32.ts";
import { DataTree } from "./data-tree.ts";
import { type ZkError, zkError } from "./errors.ts";
import { JuteReader, JuteWriter } from "./jute.ts";
import { writeAcl } from "./jute-acl.ts";
import { NodeStore, OwnerKind } from "./node-store.ts";
import type { ACL, SessionInfo } from "./records.ts";
import type { CoreConfig } from "./tree-view.ts";

const MAGIC = 0x4e5a4b53; // "NZKS"
export const SNAPSHOT_FORMAT = 1;
/** a node's bytes besides its path, its data and its owner value */
const NODE_FIXED_BYTES = 4 + 4 + 8 * 6 + 4 * 3 + 1;
/** magic, format, lastZxid, last ACL id, the three counts and the checksum */
const FIXED_BYTES = 4 + 4 + 8 + 8 + 4 * 3 + 4;

function hasOwnerValue(kind: number): boolean {
  return kind === OwnerKind.ephemeral || kind === OwnerKind.ttl;
}

/** how many nodes snapshotWriter and snapshotReader handle in one step before they yield */
const NODES_PER_STEP = 25_000;
/** how many bytes of checksum a step computes, per node of a step */
const CHECKSUM_BYTES_PER_NODE = 256;

type Columns = Pick<
  NodeStore,
  | "paths"
  | "data"
  | "firstChild"
  | "nextSibling"
  | "acl"
  | "czxid"
  | "mzxid"
  | "pzxid"
  | "ctime"
  | "mtime"
  | "owner"
  | "version"
  | "cversion"
  | "aversion"
  | "kind"
>;

/** The state a snapshot holds, copied out of the tree at one moment. */
interface Frozen {
  readonly lastZxid: number;
  readonly lastAclId: number;
  readonly acls: readonly (readonly [number, readonly ACL[]])[];
  readonly sessions: readonly SessionInfo[];
  readonly root: number;
  readonly nodes: Columns;
}

/**
 * A copy of what the snapshot needs: array copies (memcpy for the typed columns), tens of milliseconds
 * at a million znodes, against seconds for writing it all out. Strings and ACL lists are immutable,
 * so sharing them is copying them.
 */
function freeze(tree: DataTree): Frozen {
  const n = tree.nodes;
  const used = n.paths.length;
  return {
    lastZxid: tree.lastZxid,
    lastAclId: tree.acls.lastId,
    acls: tree.acls.entries(),
    sessions: [...tree.sessions()]
      .map((s) => ({ sessionId: s.sessionId, timeout: s.timeout, password: s.password }))
      .sort((a, b) => a.sessionId - b.sessionId),
    root: n.slotOf("/"),
    nodes: {
      paths: n.paths.slice(),
      data: n.data.slice(),
      firstChild: n.firstChild.slice(0, used),
      nextSibling: n.nextSibling.slice(0, used),
      acl: n.acl.slice(0, used),
      czxid: n.czxid.slice(0, used),
      mzxid: n.mzxid.slice(0, used),
      pzxid: n.pzxid.slice(0, used),
      ctime: n.ctime.slice(0, used),
      mtime: n.mtime.slice(0, used),
      owner: n.owner.slice(0, used),
      version: n.version.slice(0, used),
      cversion: n.cversion.slice(0, used),
      aversion: n.aversion.slice(0, used),
      kind: n.kind.slice(0, used),
    },
  };
}

/**
 * The snapshot of the tree as it is now, written out in steps of nodesPerStep nodes: the generator
 * yields between steps and returns the bytes. The tree is copied when this is called, so it may change
 * between steps (a member applies the log meanwhile; ZooKeeper writes its snapshots on a thread of
 * their own for the same reason) and the bytes are still exactly those of this moment.
 */
export function snapshotWriter(
  tree: DataTree,
  nodesPerStep = NODES_PER_STEP,
): Generator<void, Uint8Array, void> {
  return write(freeze(tree), nodesPerStep);
}

export function serializeSnapshot(tree: DataTree): Uint8Array {
  return inOneGo(snapshotWriter(tree, Number.POSITIVE_INFINITY));
}

/** Runs a generator of steps to its end and returns its result. */
function inOneGo<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Adler-32 of bytes[0, end), a stretch of CHECKSUM_BYTES_PER_NODE × nodesPerStep bytes a step. */
function* checksum(bytes: Uint8Array, end: number, nodesPerStep: number): Generator<void, number, void> {
  let sum = 1;
  const stretch = CHECKSUM_BYTES_PER_NODE * nodesPerStep;
  for (let at = 0; at < end; at += stretch) {
    sum = adler32(bytes, at, Math.min(end, at + stretch), sum);
    if (at + stretch < end) yield;
  }
  return sum;
}

function* write(f: Frozen, nodesPerStep: number): Generator<void, Uint8Array, void> {
  let budget = nodesPerStep;
  const n = f.nodes;
  // Slots in pre-order, children in path order (the same as name order, as they share the prefix).
  const order: number[] = [];
  const byPath = (a: number, b: number) => (n.paths[a]! < n.paths[b]! ? 1 : -1);
  const stack = [f.root];
  while (stack.length > 0) {
    const slot = stack.pop()!;
    order.push(slot);
    const children: number[] = [];
    for (let child = n.firstChild[slot]!; child >= 0; child = n.nextSibling[child]!) children.push(child);
    // pushed in descending order so the smallest comes off the stack first
    for (const child of children.sort(byPath)) stack.push(child);
    if (--budget === 0) {
      yield;
      budget = nodesPerStep;
    }
  }
  // exact when paths and ACL ids are ASCII, so the buffer needs neither growing nor trimming
  let size = FIXED_BYTES;
  for (const slot of order) {
    size += NODE_FIXED_BYTES + n.paths[slot]!.length + n.data[slot]!.length;
    if (hasOwnerValue(n.kind[slot]!)) size += 8;
    if (--budget === 0) {
      yield;
      budget = nodesPerStep;
    }
  }
  for (const s of f.sessions) size += 16 + s.password.length;
  for (const [, acl] of f.acls) {
    size += 12;
    for (const a of acl) size += 12 + a.id.scheme.length + a.id.id.length;
  }

  const w = new JuteWriter(size);
  w.writeInt(MAGIC);
  w.writeInt(SNAPSHOT_FORMAT);
  w.writeLong(f.lastZxid);
  w.writeLong(f.lastAclId);
  w.writeInt(f.acls.length);
  for (const [id, acl] of f.acls) {
    w.writeLong(id);
    w.writeVector(acl, writeAcl);
  }
  w.writeInt(f.sessions.length);
  for (const s of f.sessions) {
    w.writeLong(s.sessionId);
    w.writeInt(s.timeout);
    w.writeBuffer(s.password);
  }
  w.writeInt(order.length);
  for (const slot of order) {
    w.writeString(n.paths[slot]!);
    w.writeBinaryString(n.data[slot]!);
    w.writeLong(n.acl[slot]!);
    w.writeLong(n.czxid[slot]!);
    w.writeLong(n.mzxid[slot]!);
    w.writeLong(n.pzxid[slot]!);
    w.writeLong(n.ctime[slot]!);
    w.writeLong(n.mtime[slot]!);
    w.writeInt(n.version[slot]!);
    w.writeInt(n.cversion[slot]!);
    w.writeInt(n.aversion[slot]!);
    const kind = n.kind[slot]!;
    w.writeByte(kind);
    if (hasOwnerValue(kind)) w.writeLong(n.owner[slot]!);
    if (--budget === 0) {
      yield;
      budget = nodesPerStep;
    }
  }
  const body = w.bytes();
  // the checksum a stretch at a time too: a whole snapshot's takes a quarter of a second
  w.writeInt(yield* checksum(body, body.length, nodesPerStep));
  const out = w.bytes();
  return out.length === out.buffer.byteLength ? out : out.slice();
}

function readAcl(r: JuteReader): ACL {
  const perms = r.readInt();
  const scheme = r.readString() ?? "";
  return { perms, id: { scheme, id: r.readString() ?? "" } };
}

function readAcls(r: JuteReader): AclCache {
  const acls = new AclCache();
  const lastId = r.readLong();
  const count = r.readVectorLength(12);
  for (let i = 0; i < count && r.error === undefined; i++) {
    const id = r.readLong();
    const list = r.readVector(readAcl, 12);
    if (id <= 0 || id > lastId) r.fail(`ACL id ${id} outside 1..${lastId}`);
    else if (list === null) r.fail(`null ACL list ${id}`);
    else acls.restore(id, list);
  }
  acls.restoreLastId(lastId);
  return acls;
}

function readSessions(r: JuteReader): SessionInfo[] {
  const sessions: SessionInfo[] = [];
  const count = r.readVectorLength(16);
  for (let i = 0; i < count && r.error === undefined; i++) {
    const sessionId = r.readLong();
    const timeout = r.readInt();
    sessions.push({ sessionId, timeout, password: r.readBuffer() ?? new Uint8Array(0) });
  }
  return sessions;
}

function* readNodes(
  r: JuteReader,
  acls: AclCache,
  indexSeed: number,
  nodesPerStep: number,
): Generator<void, NodeStore, void> {
  // the count is bounded by the bytes left, so a damaged one cannot make this allocate much
  const count = r.readVectorLength(NODE_FIXED_BYTES);
  // room for a quarter more, so that the creates replayed after a join do not at once copy every column
  const nodes = new NodeStore(count + (count >> 2), indexSeed);
  /** the slots from the root down to the last node read: in pre-order, a node's parent is among them */
  const branch: number[] = [];
  for (let i = 0; i < count && r.error === undefined; i++) {
    const path = r.readString() ?? "";
    let parent = -1;
    if (i === 0) {
      if (path !== "/") r.fail(`first node is ${JSON.stringify(path)}, not the root`);
    } else {
      const lastSlash = path.lastIndexOf("/");
      const parentLength = lastSlash === 0 ? 1 : lastSlash;
      while (branch.length > 0) {
        const top = nodes.paths[branch[branch.length - 1]!]!;
        if (top.length === parentLength && path.startsWith(top)) break;
        branch.pop();
      }
      if (lastSlash < 0 || path.length === lastSlash + 1 || branch.length === 0) {
        r.fail(`node ${JSON.stringify(path)} out of pre-order or malformed`);
        break;
      }
      parent = branch[branch.length - 1]!;
    }
    const data = r.readBinaryString();
    const acl = r.readLong();
    const czxid = r.readLong();
    const mzxid = r.readLong();
    const pzxid = r.readLong();
    const ctime = r.readLong();
    const mtime = r.readLong();
    const version = r.readInt();
    const cversion = r.readInt();
    const aversion = r.readInt();
    const kind = r.readByte();
    const owner = hasOwnerValue(kind) ? r.readLong() : 0;
    if (r.error !== undefined) break;
    if (kind > OwnerKind.ttl) r.fail(`unknown owner kind ${kind} of ${path}`);
    else if (acl !== OPEN_UNSAFE_ACL_ID && !acls.has(acl)) {
      r.fail(`node ${path} has ACL id ${acl}, which the snapshot does not hold`);
    }
    if (r.error !== undefined) break;
    const slot = nodes.add(path, parent);
    if (slot < 0) {
      r.fail(`node ${JSON.stringify(path)} appears twice`);
      break;
    }
    nodes.data[slot] = data;
    nodes.acl[slot] = acl;
    acls.addUsage(acl);
    nodes.czxid[slot] = czxid;
    nodes.mzxid[slot] = mzxid;
    nodes.pzxid[slot] = pzxid;
    nodes.ctime[slot] = ctime;
    nodes.mtime[slot] = mtime;
    nodes.version[slot] = version;
    nodes.cversion[slot] = cversion;
    nodes.aversion[slot] = aversion;
    nodes.setOwner(slot, kind as OwnerKind, owner);
    branch.push(slot);
    if ((i + 1) % nodesPerStep === 0) yield;
  }
  if (r.error === undefined && nodes.size === 0) r.fail("no root node");
  return nodes;
}

export function deserializeSnapshot(bytes: Uint8Array, config?: Partial<CoreConfig>): DataTree | ZkError {
  return inOneGo(snapshotReader(bytes, config, Number.POSITIVE_INFINITY));
}

/**
 * Reads a snapshot in steps of nodesPerStep nodes (its checksum too): the generator yields between
 * steps and returns the tree, or the MarshallingError that makes the snapshot unreadable. A member
 * loading a million znodes this way keeps answering meanwhile (in one go: seconds of a held event
 * loop). The bytes must stay as they are until it returns.
 */
export function* snapshotReader(
  bytes: Uint8Array,
  config?: Partial<CoreConfig>,
  nodesPerStep = NODES_PER_STEP,
): Generator<void, DataTree | ZkError, void> {
  if (bytes.length < 12) return zkError("MarshallingError", "snapshot too short");
  const r = new JuteReader(bytes.subarray(0, bytes.length - 4));
  if (r.readInt() !== MAGIC) return zkError("MarshallingError", "not an nzk snapshot (bad magic)");
  const format = r.readInt();
  if (format !== SNAPSHOT_FORMAT) return zkError("MarshallingError", `unknown snapshot format ${format}`);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0);
  if ((yield* checksum(bytes, bytes.length - 4, nodesPerStep)) !== stored) {
    return zkError("MarshallingError", "snapshot checksum mismatch: the snapshot is damaged");
  }
  const lastZxid = r.readLong();
  const acls = readAcls(r);
  const sessions = readSessions(r);
  const nodes = yield* readNodes(r, acls, config?.indexSeed ?? 0, nodesPerStep);
  r.expectEnd();
  if (r.error !== undefined) return r.error;
  acls.purgeUnused();
  return new DataTree(config, { nodes, acls, sessions, lastZxid });
}
