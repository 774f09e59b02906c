/**
 * The path → slot index of the node store: an open-addressing hash table in one Int32Array of
 * (hash, slot + 1) pairs, linear probing, deletion by backward shift (no tombstones). A JavaScript Map
 * keyed by fresh path strings costs several dependent cache misses per operation (bucket, chain entry,
 * key string); here a probe reads one pair and rejects a different path by its hash without touching
 * the path, so a create's "is it there? put it there" is about one miss. Paths are compared only when
 * the hashes agree. The hash is seeded, so that paths chosen to collide cannot be chosen in advance.
 */

const EMPTY = 0;
const MIN_CAPACITY = 1024;

/** FNV-1a over the UTF-16 code units, finished with murmur3's fmix32 so the low bits mix well */
export function pathHash(path: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PathIndex {
  readonly #seed: number;
  /** the slot's path, to compare when hashes agree (the store's own column) */
  readonly #paths: readonly string[];
  /** pairs: [2i] the hash, [2i + 1] the slot + 1 (0: empty) */
  #table: Int32Array;
  #mask: number;
  #size = 0;

  constructor(paths: readonly string[], seed: number, expected = 0) {
    this.#paths = paths;
    this.#seed = seed | 0;
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.#table = new Int32Array(capacity * 2);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** the slot of `path`, or -1 */
  get(path: string): number {
    return this.#slotAt(this.#find(path, pathHash(path, this.#seed)));
  }

  has(path: string): boolean {
    return this.get(path) >= 0;
  }

  /**
   * Puts `path` at `slot` unless the path is there already; returns the slot it had then, else -1. The
   * store's path column must hold `path` at `slot` before the next lookup.
   */
  add(path: string, slot: number): number {
    const hash = pathHash(path, this.#seed);
    const at = this.#find(path, hash);
    const existing = this.#slotAt(at);
    if (existing >= 0) return existing;
    this.#table[at] = hash;
    this.#table[at + 1] = slot + 1;
    if (++this.#size * 2 > this.#mask + 1) this.#resize((this.#mask + 1) * 2);
    return -1;
  }

  /** Removes `path`; says whether it was there. */
  delete(path: string): boolean {
    const table = this.#table;
    let hole = this.#find(path, pathHash(path, this.#seed));
    if (table[hole + 1] === EMPTY) return false;
    this.#size--;
    // backward shift: pull each later entry of the run back into the hole unless that would put it
    // before its home position
    const mask2 = this.#mask * 2 + 1;
    let at = hole;
    for (;;) {
      at = (at + 2) & mask2;
      if (table[at + 1] === EMPTY) break;
      const home = (table[at]! & this.#mask) * 2;
      const distanceNow = (at - home) & mask2;
      const distanceToHole = (at - hole) & mask2;
      if (distanceNow >= distanceToHole) {
        table[hole] = table[at]!;
        table[hole + 1] = table[at + 1]!;
        hole = at;
      }
    }
    table[hole] = 0;
    table[hole + 1] = EMPTY;
    return true;
  }

  /** the pair index where `path` is, or the empty pair where it would go */
  #find(path: string, hash: number): number {
    const table = this.#table;
    const mask2 = this.#mask * 2 + 1;
    let at = (hash & this.#mask) * 2;
    for (;;) {
      const held = table[at + 1]!;
      if (held === EMPTY || (table[at] === hash && this.#paths[held - 1] === path)) return at;
      at = (at + 2) & mask2;
    }
  }

  #slotAt(at: number): number {
    return this.#table[at + 1]! - 1;
  }

  #resize(capacity: number): void {
    const old = this.#table;
    const table = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    const mask2 = mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === EMPTY) continue;
      let at = (old[i]! & mask) * 2;
      while (table[at + 1] !== EMPTY) at = (at + 2) & mask2;
      table[at] = old[i]!;
      table[at + 1] = old[i + 1]!;
    }
    this.#table = table;
    this.#mask = mask;
  }
}
