/**
 * ZooKeeper's DataTree: the znodes, the ACL cache, the sessions and their ephemerals, and the primitive
 * changes apply.ts composes into txns (createNode, deleteNode, setData, setACL, killSession). A change
 * that does not fit the tree returns ZooKeeper's error code and leaves the tree as it was.
 */
import { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.ts";
import { binaryToBytes } from "./binary-string.ts";
import { NodeStore, OwnerKind, packOwner } from "./node-store.ts";
import { type ACL, READ_ACL_UNSAFE, type SessionInfo, type Stat } from "./records.ts";
import { type CoreConfig, DEFAULT_CONFIG, type TreeView } from "./tree-view.ts";

/** the codes a primitive change can fail with */
export type TreeError = "NoNode" | "NodeExists" | "NotEmpty" | "BadArguments";

/** what a tree is rebuilt from (snapshot.ts); the ephemerals are derived from the nodes' owners */
export interface TreeParts {
  readonly nodes: NodeStore;
  readonly acls: AclCache;
  readonly sessions: Iterable<SessionInfo>;
  readonly lastZxid: number;
}

/** "/" for children of the root, as ZooKeeper maps its root alias "" */
export function parentPath(path: string, lastSlash: number): string {
  return lastSlash === 0 ? "/" : path.slice(0, lastSlash);
}

export class DataTree implements TreeView {
  readonly config: CoreConfig;
  readonly nodes: NodeStore;
  readonly acls: AclCache;
  lastZxid: number;
  readonly #sessions = new Map<number, SessionInfo>();
  readonly #ephemerals = new Map<number, Set<string>>();

  constructor(config?: Partial<CoreConfig>, parts?: TreeParts) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (parts === undefined) {
      this.nodes = new NodeStore(undefined, this.config.indexSeed ?? 0);
      this.acls = new AclCache();
      this.lastZxid = 0;
      this.#addSystemNodes();
      return;
    }
    this.nodes = parts.nodes;
    this.acls = parts.acls;
    this.lastZxid = parts.lastZxid;
    for (const s of parts.sessions) this.#sessions.set(s.sessionId, s);
    const n = this.nodes;
    for (const slot of n.slots()) {
      if (n.kind[slot] === OwnerKind.ephemeral) this.#trackEphemeral(n.owner[slot]!, n.paths[slot]!);
    }
  }

  /** As ZooKeeper's constructor: "/", "/zookeeper", "/zookeeper/quota" with zero stats and the uncounted
   * open ACL, then "/zookeeper/config" given READ_ACL_UNSAFE by setACL(path, acl, -1), hence aversion -1. */
  #addSystemNodes(): void {
    const n = this.nodes;
    const root = n.add("/", -1);
    n.acl[root] = OPEN_UNSAFE_ACL_ID;
    const proc = n.add("/zookeeper", root);
    n.acl[proc] = OPEN_UNSAFE_ACL_ID;
    n.acl[n.add("/zookeeper/quota", proc)] = OPEN_UNSAFE_ACL_ID;
    n.acl[n.add("/zookeeper/config", proc)] = OPEN_UNSAFE_ACL_ID;
    this.setACL("/zookeeper/config", READ_ACL_UNSAFE, -1);
  }

  // ---- TreeView ----

  get nodeCount(): number {
    return this.nodes.size;
  }

  has(path: string): boolean {
    return this.nodes.slotOf(path) >= 0;
  }

  stat(path: string): Stat | undefined {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? undefined : this.statOf(slot);
  }

  persistedCversion(path: string): number | undefined {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? undefined : this.nodes.cversion[slot];
  }

  data(path: string): Uint8Array | undefined {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? undefined : binaryToBytes(this.nodes.data[slot]!);
  }

  acl(path: string): readonly ACL[] | undefined {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? undefined : this.acls.lookup(this.nodes.acl[slot]!);
  }

  childNames(path: string): string[] | undefined {
    const slot = this.nodes.slotOf(path);
    if (slot < 0) return undefined;
    const n = this.nodes;
    const from = path === "/" ? 1 : path.length + 1;
    const names: string[] = [];
    for (let child = n.firstChild[slot]!; child >= 0; child = n.nextSibling[child]!) {
      names.push(n.paths[child]!.slice(from));
    }
    return names;
  }

  childCount(path: string): number {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? 0 : this.nodes.childCount[slot]!;
  }

  ephemeralsOf(sessionId: number): string[] {
    const paths = this.#ephemerals.get(sessionId);
    return paths === undefined ? [] : [...paths];
  }

  session(sessionId: number): SessionInfo | undefined {
    return this.#sessions.get(sessionId);
  }

  sessions(): IterableIterator<SessionInfo> {
    return this.#sessions.values();
  }

  // ---- beyond TreeView ----

  persistedOwner(path: string): bigint | undefined {
    const slot = this.nodes.slotOf(path);
    return slot < 0 ? undefined : packOwner(this.nodes.kind[slot] as OwnerKind, this.nodes.owner[slot]!);
  }

  /**
   * DataNode.copyStat: cversion in the client's terms (creates + deletes), and ephemeralOwner only for a
   * session's ephemeral (getClientEphemeralOwner), so clients that test it against 0 do not take
   * containers and TTL nodes for ephemerals; persistedOwner has the markers.
   */
  statOf(slot: number): Stat {
    const n = this.nodes;
    const numChildren = n.childCount[slot]!;
    return {
      czxid: n.czxid[slot]!,
      mzxid: n.mzxid[slot]!,
      ctime: n.ctime[slot]!,
      mtime: n.mtime[slot]!,
      version: n.version[slot]!,
      cversion: (Math.imul(n.cversion[slot]!, 2) - numChildren) | 0,
      aversion: n.aversion[slot]!,
      ephemeralOwner: n.kind[slot] === OwnerKind.ephemeral ? BigInt(n.owner[slot]!) : 0n,
      dataLength: n.data[slot]!.length,
      numChildren,
      pzxid: n.pzxid[slot]!,
    };
  }

  /** ZooKeeper's getContainers: paths of the container nodes */
  containers(): string[] {
    return this.#pathsOfKind(OwnerKind.container);
  }

  /** ZooKeeper's getTtls: paths of the TTL nodes */
  ttls(): string[] {
    return this.#pathsOfKind(OwnerKind.ttl);
  }

  /** the ttl in ms of a TTL node, undefined for any other path */
  ttlOf(path: string): number | undefined {
    const slot = this.nodes.slotOf(path);
    return slot >= 0 && this.nodes.kind[slot] === OwnerKind.ttl ? this.nodes.owner[slot] : undefined;
  }

  // ---- changes ----

  /**
   * ZooKeeper's createNode. The parent's cversion and pzxid move only when parentCVersion (-1: one more
   * than now) is above the parent's cversion, compared as Java ints, so a cversion at 2^31 − 1 stays there.
   * Returns the new slot.
   */
  createNode(
    path: string,
    data: string,
    acl: readonly ACL[],
    kind: OwnerKind,
    owner: number,
    parentCVersion: number,
    zxid: number,
    time: number,
  ): number | TreeError {
    const n = this.nodes;
    const lastSlash = path.lastIndexOf("/");
    if (lastSlash < 0) return "NoNode";
    const parent = n.slotOf(parentPath(path, lastSlash));
    if (parent < 0) return "NoNode";
    const slot = n.add(path, parent);
    if (slot < 0) return "NodeExists";
    const cversion = parentCVersion === -1 ? (n.cversion[parent]! + 1) | 0 : parentCVersion | 0;
    if (cversion > n.cversion[parent]!) {
      n.cversion[parent] = cversion;
      n.pzxid[parent] = zxid;
    }
    n.data[slot] = data;
    n.acl[slot] = this.acls.intern(acl);
    n.czxid[slot] = zxid;
    n.mzxid[slot] = zxid;
    n.pzxid[slot] = zxid;
    n.ctime[slot] = time;
    n.mtime[slot] = time;
    n.version[slot] = 0;
    n.cversion[slot] = 0;
    n.aversion[slot] = 0;
    n.setOwner(slot, kind, owner);
    if (kind === OwnerKind.ephemeral) this.#trackEphemeral(owner, path);
    return slot;
  }

  /**
   * ZooKeeper's deleteNode: the parent's pzxid moves forward, its persisted cversion does not (the client
   * cversion still rises, as one child fewer). Unlike ZooKeeper, a node with children is refused
   * (NotEmpty) rather than orphaning them, and so is the root.
   */
  deleteNode(path: string, zxid: number): TreeError | undefined {
    const n = this.nodes;
    const slot = n.slotOf(path);
    if (slot < 0) return "NoNode";
    const parent = n.parent[slot]!;
    if (parent < 0) return "BadArguments";
    if (n.childCount[slot] !== 0) return "NotEmpty";
    if (zxid > n.pzxid[parent]!) n.pzxid[parent] = zxid;
    this.acls.removeUsage(n.acl[slot]!);
    if (n.kind[slot] === OwnerKind.ephemeral) this.#untrackEphemeral(n.owner[slot]!, path);
    n.remove(slot);
    return undefined;
  }

  /** ZooKeeper's setData: the version is the txn's, not an increment. Returns the slot. */
  setData(path: string, data: string, version: number, zxid: number, time: number): number | TreeError {
    const n = this.nodes;
    const slot = n.slotOf(path);
    if (slot < 0) return "NoNode";
    n.data[slot] = data;
    n.mtime[slot] = time;
    n.mzxid[slot] = zxid;
    n.version[slot] = version;
    return slot;
  }

  /** ZooKeeper's setACL: the old list's usage goes before the new one is interned. Returns the slot. */
  setACL(path: string, acl: readonly ACL[], version: number): number | TreeError {
    const n = this.nodes;
    const slot = n.slotOf(path);
    if (slot < 0) return "NoNode";
    this.acls.removeUsage(n.acl[slot]!);
    n.aversion[slot] = version;
    n.acl[slot] = this.acls.intern(acl);
    return slot;
  }

  addSession(session: SessionInfo): void {
    this.#sessions.set(session.sessionId, session);
  }

  /**
   * ZooKeeper's killSession: deletes the txn's paths in order, then any ephemeral of the session the txn
   * did not name (sorted, where ZooKeeper's order is a HashSet's), and forgets the session. Returns the
   * paths deleted, in order; paths already gone are skipped, as ZooKeeper ignores their NoNode.
   */
  killSession(sessionId: number, paths: readonly string[], zxid: number): string[] {
    const left = this.#ephemerals.get(sessionId);
    this.#ephemerals.delete(sessionId);
    this.#sessions.delete(sessionId);
    const deleted: string[] = [];
    for (const path of paths) {
      if (this.deleteNode(path, zxid) === undefined) deleted.push(path);
      left?.delete(path);
    }
    if (left !== undefined) {
      for (const path of [...left].sort()) if (this.deleteNode(path, zxid) === undefined) deleted.push(path);
    }
    return deleted;
  }

  #trackEphemeral(sessionId: number, path: string): void {
    const paths = this.#ephemerals.get(sessionId);
    if (paths === undefined) this.#ephemerals.set(sessionId, new Set([path]));
    else paths.add(path);
  }

  #untrackEphemeral(sessionId: number, path: string): void {
    const paths = this.#ephemerals.get(sessionId);
    if (paths === undefined) return;
    paths.delete(path);
    if (paths.size === 0) this.#ephemerals.delete(sessionId);
  }

  #pathsOfKind(kind: OwnerKind): string[] {
    const n = this.nodes;
    const paths: string[] = [];
    for (const slot of n.slots()) if (n.kind[slot] === kind) paths.push(n.paths[slot]!);
    return paths;
  }
}
