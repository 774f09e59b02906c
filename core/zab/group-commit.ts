/**
 * ZooKeeper's group commit, as a pure queue: prepared txns wait here while appends are in flight, and
 * each flush takes as many as fit in one log message. A lone writer is never held back: when nothing
 * is in flight the batch leaves at once. While appends are in flight, another one starts (up to
 * maxInFlight) only once as many txns wait as the last group carried, or a group is full. So when the
 * log's fsync is the bottleneck, groups grow instead of splitting into many small messages (each costs
 * one fsync), and when the leader's own work is, appends overlap it.
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
  /** txns in the last group taken */
  #lastGroup = 0;

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
    if (this.#inFlight > 0 && !this.#full() && this.waiting < this.#lastGroup) return undefined;
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
    this.#lastGroup = group.length;
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
