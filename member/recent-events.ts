/**
 * The watch events of the latest txns, which every member keeps so that a new leader can publish what
 * the events stream lacks (member/events.ts). Held in columns (zxid, type, path) of a ring rather than
 * as an object per event and an array per txn: those objects lived long enough to be copied by every
 * young-generation GC, and were more than half of what a create left on a member's heap (about 400 of
 * 730 bytes), so each member's GC time grew with the rate of writes. Whole txns are evicted, oldest
 * first, so the ring never holds part of a txn.
 */
import type { EventType, WatchEvent } from "../core/records.ts";

const TYPES: readonly EventType[] = ["NodeCreated", "NodeDeleted", "NodeDataChanged", "NodeChildrenChanged"];
const CODES = new Map(TYPES.map((type, code) => [type, code]));

/** A txn's events as the ring gives them back. */
export interface RecentTxn {
  readonly zxid: number;
  readonly events: readonly WatchEvent[];
}

export class RecentEvents {
  #zxids: Float64Array;
  #types: Uint8Array;
  #paths: string[];
  /** the slot of the oldest event held */
  #head = 0;
  #size = 0;

  /** capacity: how many events to keep (at least; a larger txn grows the ring to hold it) */
  constructor(capacity: number) {
    this.#zxids = new Float64Array(capacity);
    this.#types = new Uint8Array(capacity);
    this.#paths = new Array<string>(capacity).fill("");
  }

  get size(): number {
    return this.#size;
  }

  /** The newest txn's zxid, 0 when none is held. */
  get newestZxid(): number {
    return this.#size === 0 ? 0 : this.#zxids[this.#slot(this.#size - 1)]!;
  }

  /** Adds a txn's events (zxids increase from txn to txn), evicting the oldest whole txns for room. */
  add(zxid: number, events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    if (events.length > this.#zxids.length) this.#grow(events.length);
    while (this.#size + events.length > this.#zxids.length) this.#evictOldest();
    for (const e of events) {
      const slot = this.#slot(this.#size);
      this.#zxids[slot] = zxid;
      this.#types[slot] = CODES.get(e.type)!;
      this.#paths[slot] = e.path;
      this.#size++;
    }
  }

  /** The txns newer than zxid, oldest first. */
  *after(zxid: number): Generator<RecentTxn> {
    let i = this.#firstAfter(zxid);
    while (i < this.#size) {
      const txn = this.#txnAt(i);
      yield txn;
      i += txn.events.length;
    }
  }

  /** The events of the txn with this zxid, if it is held. */
  txn(zxid: number): RecentTxn | undefined {
    const i = this.#firstAfter(zxid - 1);
    return i < this.#size && this.#zxids[this.#slot(i)] === zxid ? this.#txnAt(i) : undefined;
  }

  #slot(index: number): number {
    return (this.#head + index) % this.#zxids.length;
  }

  /** The index (0: oldest) of the first event newer than zxid. */
  #firstAfter(zxid: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#zxids[this.#slot(mid)]! <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The txn whose first event is at index i. */
  #txnAt(i: number): RecentTxn {
    const zxid = this.#zxids[this.#slot(i)]!;
    const events: WatchEvent[] = [];
    for (let k = i; k < this.#size; k++) {
      const slot = this.#slot(k);
      if (this.#zxids[slot] !== zxid) break;
      events.push({ type: TYPES[this.#types[slot]!]!, path: this.#paths[slot]!, zxid });
    }
    return { zxid, events };
  }

  #evictOldest(): void {
    const zxid = this.#zxids[this.#head]!;
    while (this.#size > 0 && this.#zxids[this.#head] === zxid) {
      this.#paths[this.#head] = "";
      this.#head = (this.#head + 1) % this.#zxids.length;
      this.#size--;
    }
  }

  #grow(atLeast: number): void {
    const capacity = Math.max(atLeast, 2 * this.#zxids.length);
    const zxids = new Float64Array(capacity);
    const types = new Uint8Array(capacity);
    const paths = new Array<string>(capacity).fill("");
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#slot(i);
      zxids[i] = this.#zxids[slot]!;
      types[i] = this.#types[slot]!;
      paths[i] = this.#paths[slot]!;
    }
    this.#zxids = zxids;
    this.#types = types;
    this.#paths = paths;
    this.#head = 0;
  }
}
