/**
 * The leader's zxid counter. ZooKeeper forces an election when the 32-bit counter runs out
 * (ZOOKEEPER-2789); nzk's leader instead asks for the next epoch, fences it into the log, and goes on,
 * so an overflow costs one compare-and-set and one append, never an election or a stop of writes.
 */
import { MAX_COUNTER, MAX_EPOCH, makeZxid } from "../zxid.ts";

export type Allocation = { readonly zxid: number } | { readonly overflow: true };

export class ZxidAllocator {
  #epoch: number;
  #counter: number;

  /** counter is the last one used in this epoch: 0 right after the epoch record. */
  constructor(epoch: number, counter = 0) {
    if (!Number.isInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH)
      throw new RangeError(`bad epoch ${epoch}`);
    this.#epoch = epoch;
    this.#counter = counter;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** The last zxid handed out (the epoch record's zxid when none was yet). */
  get last(): number {
    return makeZxid(this.#epoch, this.#counter);
  }

  next(): Allocation {
    if (this.#counter >= MAX_COUNTER) return { overflow: true };
    this.#counter += 1;
    return { zxid: makeZxid(this.#epoch, this.#counter) };
  }

  /** Continues in a newer epoch after an overflow; the counter restarts as after an election. */
  advance(epoch: number): void {
    if (epoch <= this.#epoch || epoch > MAX_EPOCH)
      throw new RangeError(`epoch ${epoch} after ${this.#epoch}`);
    this.#epoch = epoch;
    this.#counter = 0;
  }
}
