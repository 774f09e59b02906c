/**
 * ZooKeeper's group commit, as a pure queue: prepared txns wait here while appends are in flight, and
 * each flush takes as many as fit in one log message. A lone writer is never held back: when nothing
 * is in flight the batch leaves at once. While an append is in flight, a further one is started only
 * for a full group: the log's cost is per message (one fsync each), so under load fewer, fuller
 * messages carry more writes per second than many small ones in flight together, and pipelining is
 * kept for when groups fill up (large data, or more writers than a group holds).
 */
export interface GroupCommitConfig {
  /** appends in flight at once */
  readonly maxInFlight: number;
  /** encoded bytes of txns in one log message */
  readonly maxBytes: number;
  /** txns in one log message */
  readonly maxTxns: number;
}

export class GroupCommit<T> {
  readonly #config: GroupCommitConfig;
  #waiting: { item: T; bytes: number }[] = [];
  #head = 0;
  #inFlight = 0;

  constructor(config: GroupCommitConfig) {
    this.#config = config;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  push(item: T, bytes: number): void {
    this.#waiting.push({ item, bytes });
  }

  /** The next group to append, if one should leave now; its slot stays taken until acked(). */
  take(): T[] | undefined {
    if (this.#inFlight >= this.#config.maxInFlight || this.waiting === 0) return undefined;
    if (this.#inFlight > 0 && !this.#full()) return undefined;
    const group: T[] = [];
    let bytes = 0;
    while (this.#head < this.#waiting.length && group.length < this.#config.maxTxns) {
      const next = this.#waiting[this.#head]!;
      // A txn larger than the limit still goes, alone: prep already bounded its size.
      if (group.length > 0 && bytes + next.bytes > this.#config.maxBytes) break;
      group.push(next.item);
      bytes += next.bytes;
      this.#head += 1;
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
    this.#inFlight += 1;
    return group;
  }

  #full(): boolean {
    if (this.waiting >= this.#config.maxTxns) return true;
    let bytes = 0;
    for (let i = this.#head; i < this.#waiting.length; i++) {
      bytes += this.#waiting[i]!.bytes;
      if (bytes >= this.#config.maxBytes) return true;
    }
    return false;
  }

  acked(): void {
    this.#inFlight -= 1;
  }

  /** Empties the queue after a failed append: everything waiting is answered with the failure. */
  drain(): T[] {
    const rest = this.#waiting.slice(this.#head).map((w) => w.item);
    this.#waiting = [];
    this.#head = 0;
    this.#inFlight = 0;
    return rest;
  }
}
