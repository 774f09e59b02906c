/**
 * The znodes, one slot each, as columns: typed arrays for the numeric Stat fields and plain arrays for
 * the path and the data. V8 in Node 20 boxes every number above 2^31 held in an object
 * field (zxids, times, session ids all are), so a node object per znode would cost several heap numbers
 * each; a column holds them unboxed. Freed slots are reused, so slot numbers say nothing about history.
 * A node's children are a doubly linked list through sibling columns, in the order they were added:
 * linking and unlinking a child touches a few integers, where a Set per parent would hash and allocate.
 */
import { CONTAINER_OWNER, ttlOwner } from "./ephemeral-type.ts";
import { PathIndex } from "./path-index.ts";

/**
 * What the owner column holds. ZooKeeper packs containers and TTL nodes into the 64-bit ephemeralOwner
 * (see ephemeral-type.ts); the store keeps the kind and the value (session id or ttl) apart.
 */
export const OwnerKind = { none: 0, ephemeral: 1, container: 2, ttl: 3 } as const;
export type OwnerKind = (typeof OwnerKind)[keyof typeof OwnerKind];

/** The ephemeralOwner ZooKeeper stores for a node of this kind. */
export function packOwner(kind: OwnerKind, value: number): bigint {
  switch (kind) {
    case OwnerKind.none:
      return 0n;
    case OwnerKind.ephemeral:
      return BigInt(value);
    case OwnerKind.container:
      return CONTAINER_OWNER;
    case OwnerKind.ttl:
      return ttlOwner(value);
  }
}

const INITIAL_CAPACITY = 1024;

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, capacity: number): T {
  const next = new (old.constructor as new (n: number) => T)(capacity);
  next.set(old);
  return next;
}

export class NodeStore {
  /** "" for a free slot */
  readonly paths: string[] = [];
  /** one-byte strings (see binary-string.ts), "" for empty data */
  readonly data: string[] = [];

  czxid: Float64Array;
  mzxid: Float64Array;
  pzxid: Float64Array;
  ctime: Float64Array;
  mtime: Float64Array;
  /** the ephemeral owner's session id, or the ttl of a TTL node; see kind */
  owner: Float64Array;
  /** AclCache id */
  acl: Float64Array;
  version: Int32Array;
  /** StatPersisted.cversion: creates under this node */
  cversion: Int32Array;
  aversion: Int32Array;
  /** parent slot, -1 for the root */
  parent: Int32Array;
  /** the child list's ends, -1 for a leaf */
  firstChild: Int32Array;
  lastChild: Int32Array;
  /** the neighbours in the parent's child list, -1 at its ends */
  nextSibling: Int32Array;
  prevSibling: Int32Array;
  childCount: Int32Array;
  kind: Uint8Array;

  #capacity: number;
  readonly #free: number[] = [];
  readonly #index: PathIndex;

  /**
   * capacity: slots to make room for at once, as a snapshot loader knows how many it will need;
   * indexSeed: the path hash's seed (see path-index.ts), which changes nothing but the index's layout
   */
  constructor(capacity = INITIAL_CAPACITY, indexSeed = 0) {
    this.#capacity = Math.max(capacity, INITIAL_CAPACITY);
    this.#index = new PathIndex(this.paths, indexSeed, capacity);
    const n = this.#capacity;
    this.czxid = new Float64Array(n);
    this.mzxid = new Float64Array(n);
    this.pzxid = new Float64Array(n);
    this.ctime = new Float64Array(n);
    this.mtime = new Float64Array(n);
    this.owner = new Float64Array(n);
    this.acl = new Float64Array(n);
    this.version = new Int32Array(n);
    this.cversion = new Int32Array(n);
    this.aversion = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.firstChild = new Int32Array(n);
    this.lastChild = new Int32Array(n);
    this.nextSibling = new Int32Array(n);
    this.prevSibling = new Int32Array(n);
    this.childCount = new Int32Array(n);
    this.kind = new Uint8Array(n);
  }

  get size(): number {
    return this.#index.size;
  }

  /** the slot of `path`, -1 when there is no such node */
  slotOf(path: string): number {
    return this.#index.get(path);
  }

  /** the slots in use, in slot order */
  *slots(): Generator<number> {
    for (let slot = 0; slot < this.paths.length; slot++) if (this.paths[slot] !== "") yield slot;
  }

  /** the child slots of `slot`, in the order they were added */
  childSlots(slot: number): number[] {
    const slots: number[] = [];
    for (let child = this.firstChild[slot]!; child >= 0; child = this.nextSibling[child]!) slots.push(child);
    return slots;
  }

  /**
   * Takes a slot for a new node under `parent` (-1 for the root) and links it in as the parent's last
   * child; every column but path, data, parent and the child links is left for the caller to set.
   * Returns -1, changing nothing, when `path` is already a node.
   */
  add(path: string, parent: number): number {
    const free = this.#free.length;
    const slot = free > 0 ? this.#free[free - 1]! : this.paths.length;
    if (this.#index.add(path, slot) >= 0) return -1;
    if (free > 0) {
      this.#free.pop();
      this.paths[slot] = path;
      this.data[slot] = "";
    } else {
      if (slot === this.#capacity) this.#grow();
      this.paths.push(path);
      this.data.push("");
    }
    this.parent[slot] = parent;
    this.firstChild[slot] = -1;
    this.lastChild[slot] = -1;
    this.childCount[slot] = 0;
    this.nextSibling[slot] = -1;
    this.prevSibling[slot] = -1;
    if (parent >= 0) {
      const prev = this.lastChild[parent]!;
      if (prev < 0) this.firstChild[parent] = slot;
      else {
        this.nextSibling[prev] = slot;
        this.prevSibling[slot] = prev;
      }
      this.lastChild[parent] = slot;
      this.childCount[parent]!++;
    }
    return slot;
  }

  /** Unlinks a leaf from its parent and frees its slot. */
  remove(slot: number): void {
    const parent = this.parent[slot]!;
    if (parent >= 0) {
      const prev = this.prevSibling[slot]!;
      const next = this.nextSibling[slot]!;
      if (prev < 0) this.firstChild[parent] = next;
      else this.nextSibling[prev] = next;
      if (next < 0) this.lastChild[parent] = prev;
      else this.prevSibling[next] = prev;
      this.childCount[parent]!--;
    }
    this.#index.delete(this.paths[slot]!);
    this.paths[slot] = "";
    this.data[slot] = "";
    this.#free.push(slot);
  }

  setOwner(slot: number, kind: OwnerKind, value: number): void {
    this.kind[slot] = kind;
    this.owner[slot] = value;
  }

  #grow(): void {
    // by half, not double: at a million znodes each step already adds tens of megabytes
    const capacity = this.#capacity + (this.#capacity >> 1);
    this.czxid = grown(this.czxid, capacity);
    this.mzxid = grown(this.mzxid, capacity);
    this.pzxid = grown(this.pzxid, capacity);
    this.ctime = grown(this.ctime, capacity);
    this.mtime = grown(this.mtime, capacity);
    this.owner = grown(this.owner, capacity);
    this.acl = grown(this.acl, capacity);
    this.version = grown(this.version, capacity);
    this.cversion = grown(this.cversion, capacity);
    this.aversion = grown(this.aversion, capacity);
    this.parent = grown(this.parent, capacity);
    this.firstChild = grown(this.firstChild, capacity);
    this.lastChild = grown(this.lastChild, capacity);
    this.nextSibling = grown(this.nextSibling, capacity);
    this.prevSibling = grown(this.prevSibling, capacity);
    this.childCount = grown(this.childCount, capacity);
    this.kind = grown(this.kind, capacity);
    this.#capacity = capacity;
  }
}
