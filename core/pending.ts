/**
 * ZooKeeper's outstanding changes (ZooKeeperServer.outstandingChanges and outstandingChangesForPath):
 * what prep has promised but apply has not yet done, layered over the tree so that each request is
 * checked against the state every earlier request will have left. Sessions opened or closing are
 * outstanding changes too, as ZooKeeper's session tracker learns of them at prep time.
 */
import type { ACL, Stat } from "./records.ts";
import type { TreeView } from "./tree-view.ts";

/** The owner as persisted, markers included, whichever way the tree shows it in stat(). */
export function persistedOwner(tree: TreeView, path: string, stat: Stat): bigint {
  return tree.persistedOwner?.(path) ?? stat.ephemeralOwner;
}

/** What prep needs to know of a znode (ZooKeeper's ChangeRecord without the digest and data). */
export interface NodeRecord {
  readonly version: number;
  readonly aversion: number;
  /** StatPersisted.cversion: creates under the node, the sequential suffix's counter */
  readonly cversion: number;
  readonly ephemeralOwner: bigint;
  readonly mtime: number;
  readonly childCount: number;
  readonly acl: readonly ACL[];
}

interface Change {
  readonly zxid: number;
  readonly path: string;
  /** undefined: the node is deleted */
  readonly node: NodeRecord | undefined;
}

interface SessionChange {
  readonly zxid: number;
  readonly sessionId: number;
  readonly open: boolean;
}

/** A queue drained from the front without Array.shift's cost. */
class Queue<T extends { readonly zxid: number }> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** removes and returns the items with zxid <= upTo */
  drain(upTo: number): T[] {
    const start = this.#head;
    while (this.#head < this.#items.length && this.#items[this.#head]!.zxid <= upTo) this.#head++;
    const drained = this.#items.slice(start, this.#head);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return drained;
  }

  /** removes the items at the tail with this zxid */
  dropTail(zxid: number): void {
    while (this.length > 0 && this.#items.at(-1)!.zxid === zxid) this.#items.pop();
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

export class PendingChanges {
  readonly tree: TreeView;
  readonly #changes = new Queue<Change>();
  readonly #byPath = new Map<string, Change>();
  readonly #sessionChanges = new Queue<SessionChange>();
  readonly #bySession = new Map<number, SessionChange>();
  /** while a multi is prepared: each path's entry before the multi touched it, to roll back */
  #undo: [string, Change | undefined][] | undefined;

  constructor(tree: TreeView) {
    this.tree = tree;
  }

  get size(): number {
    return this.#changes.length + this.#sessionChanges.length;
  }

  /** ZooKeeper's getRecordForPath: the node as the outstanding changes leave it, or undefined */
  node(path: string): NodeRecord | undefined {
    const change = this.#byPath.get(path);
    if (change !== undefined) return change.node;
    const stat = this.tree.stat(path);
    if (stat === undefined) return undefined;
    return {
      version: stat.version,
      aversion: stat.aversion,
      cversion: this.tree.persistedCversion(path) ?? 0,
      ephemeralOwner: persistedOwner(this.tree, path, stat),
      mtime: stat.mtime,
      childCount: stat.numChildren,
      acl: this.tree.acl(path) ?? [],
    };
  }

  exists(path: string): boolean {
    const change = this.#byPath.get(path);
    return change !== undefined ? change.node !== undefined : this.tree.has(path);
  }

  /** the paths with an outstanding change, and the node each will have (undefined: deleted) */
  *changed(): IterableIterator<[string, NodeRecord | undefined]> {
    for (const [path, change] of this.#byPath) yield [path, change.node];
  }

  put(zxid: number, path: string, node: NodeRecord | undefined): void {
    const change: Change = { zxid, path, node };
    this.#undo?.push([path, this.#byPath.get(path)]);
    this.#changes.push(change);
    this.#byPath.set(path, change);
  }

  /** whether a session is open once the outstanding changes are done */
  sessionOpen(sessionId: number): boolean {
    const change = this.#bySession.get(sessionId);
    return change !== undefined ? change.open : this.tree.session(sessionId) !== undefined;
  }

  putSession(zxid: number, sessionId: number, open: boolean): void {
    const change: SessionChange = { zxid, sessionId, open };
    this.#sessionChanges.push(change);
    this.#bySession.set(sessionId, change);
  }

  /** starts recording what a multi changes, so that rollback can undo it */
  begin(): void {
    this.#undo = [];
  }

  /** PrepRequestProcessor.rollbackPendingChanges: forgets the changes of the failed multi at zxid */
  rollback(zxid: number): void {
    this.#changes.dropTail(zxid);
    const undo = this.#undo ?? [];
    for (let i = undo.length - 1; i >= 0; i--) {
      const [path, before] = undo[i]!;
      if (before === undefined) this.#byPath.delete(path);
      else this.#byPath.set(path, before);
    }
    this.#undo = [];
  }

  end(): void {
    this.#undo = undefined;
  }

  /** FinalRequestProcessor's cleanup: the tree now holds every change up to appliedZxid */
  release(appliedZxid: number): void {
    for (const change of this.#changes.drain(appliedZxid)) {
      if (this.#byPath.get(change.path) === change) this.#byPath.delete(change.path);
    }
    for (const change of this.#sessionChanges.drain(appliedZxid)) {
      if (this.#bySession.get(change.sessionId) === change) this.#bySession.delete(change.sessionId);
    }
  }

  clear(): void {
    this.#changes.clear();
    this.#byPath.clear();
    this.#sessionChanges.clear();
    this.#bySession.clear();
    this.#undo = undefined;
  }
}
