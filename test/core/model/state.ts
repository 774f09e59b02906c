/**
 * The reference model's data: plain maps, written to be obviously right rather than fast.
 * numChildren and dataLength are derived when a Stat is read, so they cannot drift.
 * The mutations mirror DataTree.createNode / deleteNode / setData / setACL, events included.
 */
import {
  type ACL,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
  type SessionInfo,
  type Stat,
  type WatchEvent,
} from "../../../core/records.ts";
import { nameOf, parentOf } from "./paths.ts";

export interface ModelNode {
  data: Uint8Array;
  acl: ACL[];
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  /** StatPersisted.cversion: the number of creates under this node */
  cversion: number;
  aversion: number;
  /** as persisted: a session id, or the container or TTL marker */
  ephemeralOwner: bigint;
  children: Set<string>;
}

export interface ModelState {
  nodes: Map<string, ModelNode>;
  sessions: Map<number, SessionInfo>;
  /** the largest data a request may carry (jute.maxbuffer), a setting rather than state */
  readonly maxDataBytes: number;
}

/** EphemeralType.CONTAINER_EPHEMERAL_OWNER and EphemeralType.TTL.toEphemeralOwner, as unsigned 64-bit. */
export const CONTAINER_OWNER = 0x8000_0000_0000_0000n;
export const TTL_OWNER_MASK = 0xff00_0000_0000_0000n;
/** EphemeralType.TTL.maxValue(): five bytes of milliseconds */
export const MAX_TTL = 0xff_ffff_ffff;

/** EphemeralType.get(owner) === NORMAL: owned by a session, not a container or TTL marker. */
export function isSessionEphemeral(owner: bigint): boolean {
  return owner !== 0n && owner !== CONTAINER_OWNER && (owner & TTL_OWNER_MASK) !== TTL_OWNER_MASK;
}

function emptyNode(acl: readonly ACL[]): ModelNode {
  return {
    data: new Uint8Array(0),
    acl: [...acl],
    czxid: 0,
    mzxid: 0,
    pzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    children: new Set(),
  };
}

/**
 * A fresh DataTree: the root, /zookeeper and /zookeeper/quota with zeroed stats and open ACLs, and
 * /zookeeper/config made read-only by setACL(path, READ_ACL_UNSAFE, -1), which leaves its aversion at -1.
 */
export function initialState(maxDataBytes: number): ModelState {
  const root = emptyNode(OPEN_ACL_UNSAFE);
  root.children.add("zookeeper");
  const zookeeper = emptyNode(OPEN_ACL_UNSAFE);
  zookeeper.children.add("quota");
  zookeeper.children.add("config");
  const config = emptyNode(READ_ACL_UNSAFE);
  config.aversion = -1;
  return {
    nodes: new Map([
      ["/", root],
      ["/zookeeper", zookeeper],
      ["/zookeeper/quota", emptyNode(OPEN_ACL_UNSAFE)],
      ["/zookeeper/config", config],
    ]),
    sessions: new Map(),
    maxDataBytes,
  };
}

export function cloneState(state: ModelState): ModelState {
  return structuredClone(state);
}

/**
 * The Stat a client sees (DataNode.copyStat): cversion counts creates and deletes, derived from the
 * persisted count of creates, and only a session's ephemerals show their owner.
 */
export function statOf(node: ModelNode): Stat {
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: (node.cversion * 2 - node.children.size) | 0,
    aversion: node.aversion,
    ephemeralOwner: isSessionEphemeral(node.ephemeralOwner) ? node.ephemeralOwner : 0n,
    dataLength: node.data.length,
    numChildren: node.children.size,
    pzxid: node.pzxid,
  };
}

export function ephemeralsOf(state: ModelState, sessionId: number): string[] {
  const owner = BigInt(sessionId);
  return [...state.nodes].filter(([, n]) => n.ephemeralOwner === owner).map(([path]) => path);
}

export interface NewNode {
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  readonly ephemeralOwner: bigint;
}

export function createNode(
  state: ModelState,
  node: NewNode,
  zxid: number,
  time: number,
  events: WatchEvent[],
): Stat {
  const parentPath = parentOf(node.path);
  const parent = state.nodes.get(parentPath)!;
  parent.cversion += 1;
  parent.pzxid = zxid;
  parent.children.add(nameOf(node.path));
  const created: ModelNode = {
    ...emptyNode(node.acl),
    data: node.data.slice(),
    czxid: zxid,
    mzxid: zxid,
    pzxid: zxid,
    ctime: time,
    mtime: time,
    ephemeralOwner: node.ephemeralOwner,
  };
  state.nodes.set(node.path, created);
  events.push({ type: "NodeCreated", path: node.path, zxid });
  events.push({ type: "NodeChildrenChanged", path: parentPath, zxid });
  return statOf(created);
}

/** ZooKeeper's delete leaves the parent's cversion alone and moves only its pzxid. */
export function deleteNode(state: ModelState, path: string, zxid: number, events: WatchEvent[]): void {
  const parentPath = parentOf(path);
  const parent = state.nodes.get(parentPath)!;
  parent.children.delete(nameOf(path));
  parent.pzxid = zxid;
  state.nodes.delete(path);
  events.push({ type: "NodeDeleted", path, zxid });
  events.push({ type: "NodeChildrenChanged", path: parentPath, zxid });
}

export function setNodeData(
  state: ModelState,
  path: string,
  data: Uint8Array,
  version: number,
  zxid: number,
  time: number,
  events: WatchEvent[],
): Stat {
  const node = state.nodes.get(path)!;
  node.data = data.slice();
  node.version = version;
  node.mzxid = zxid;
  node.mtime = time;
  events.push({ type: "NodeDataChanged", path, zxid });
  return statOf(node);
}

export function setNodeAcl(state: ModelState, path: string, acl: readonly ACL[], aversion: number): Stat {
  const node = state.nodes.get(path)!;
  node.acl = [...acl];
  node.aversion = aversion;
  return statOf(node);
}
