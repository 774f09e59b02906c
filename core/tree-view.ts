/**
 * The read side of the data tree: what prep, the read operations and the snapshot writer need.
 * DataTree (data-tree.ts) implements it; prep layers its outstanding changes over it.
 */
import type { ACL, SessionInfo, Stat } from "./records.ts";

export interface TreeView {
  /** zxid of the last applied txn */
  readonly lastZxid: number;
  /** number of znodes, the root and /zookeeper included */
  readonly nodeCount: number;
  has(path: string): boolean;
  /** the Stat a client sees, as ZooKeeper's DataNode.copyStat: cversion is 2 × persistedCversion − numChildren */
  stat(path: string): Stat | undefined;
  /**
   * ZooKeeper's StatPersisted.cversion: the number of creates under the node (int32, wrapping), which the
   * sequential suffix and CreateTxn.parentCVersion count from; undefined when the node does not exist
   */
  persistedCversion(path: string): number | undefined;
  /**
   * StatPersisted.ephemeralOwner, container and TTL markers included, for a tree whose stat() shows the
   * client's owner (DataNode.copyStat gives 0 for containers and TTL nodes); a tree whose stat() keeps
   * the markers may leave it out. Undefined when the node does not exist.
   */
  persistedOwner?(path: string): bigint | undefined;
  data(path: string): Uint8Array | undefined;
  acl(path: string): readonly ACL[] | undefined;
  /** child names (not paths), in no particular order */
  childNames(path: string): string[] | undefined;
  /** number of children, 0 when the node does not exist */
  childCount(path: string): number;
  /** paths of the ephemerals the session owns */
  ephemeralsOf(sessionId: number): string[];
  session(sessionId: number): SessionInfo | undefined;
  sessions(): IterableIterator<SessionInfo>;
}

export interface CoreConfig {
  /** largest znode data in bytes (ZooKeeper's jute.maxbuffer), default 1 MiB */
  readonly maxDataBytes: number;
  /**
   * the seed of the path index's hash (core/path-index.ts): it changes no result, only where paths sit
   * in the index, so a member passes a random one and nobody can pick paths that all collide; default 0
   */
  readonly indexSeed?: number;
}

export const DEFAULT_CONFIG: CoreConfig = { maxDataBytes: 1024 * 1024 };
