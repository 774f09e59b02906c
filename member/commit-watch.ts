/**
 * How a follower learns that a write it forwarded committed: from its own log tail, not from the
 * leader. The leader answers a forwarded write with its zxid as soon as prep gave it one; the follower
 * then waits until it has itself applied the txn with exactly that zxid, and answers its client with
 * what its own apply returned (the same as the leader's: apply is deterministic). JetStream delivers to
 * the tail only what it stored, so a write is still acknowledged only once its append was.
 *
 * The tail may apply a txn before the leader's answer naming its zxid arrives, so while a forwarded
 * batch waits for that answer, the results of the txns applied meanwhile are kept. A zxid is never
 * below the last zxid the follower had applied when it sent the batch (the leader gives every write a
 * zxid above everything it ever proposed), so older results are let go.
 *
 * Zxids rise along the log, and within one epoch a leader's appends are consecutive: once an entry of a
 * newer epoch is applied, a zxid of an older epoch that was not applied never will be (its leadership
 * ended first), and whoever waits for it is told so.
 */
import type { Applied } from "../core/records.ts";
import { epochOf } from "../core/zxid.ts";

/** undefined: the txn will never be applied (its leadership ended before it committed) */
export type CommitListener = (applied: Applied | undefined) => void;

export class CommitWatch {
  /** the last zxid applied when each open batch was sent, by batch */
  readonly #open = new Map<number, number>();
  /** results applied while some batch was open, in log order (Map keeps insertion order) */
  readonly #recent = new Map<number, Applied>();
  readonly #waiting = new Map<number, CommitListener>();
  #epoch = 0;

  /** A batch is sent after the follower applied lastZxid: its zxids are all above it. */
  open(batch: number, lastZxid: number): void {
    this.#open.set(batch, lastZxid);
  }

  /** The batch's zxids are known (or it failed): results older than every open batch can go. */
  close(batch: number): void {
    this.#open.delete(batch);
    if (this.#open.size === 0) {
      this.#recent.clear();
      return;
    }
    const floor = Math.min(...this.#open.values());
    for (const zxid of this.#recent.keys()) {
      if (zxid > floor) break;
      this.#recent.delete(zxid);
    }
  }

  /**
   * Calls listener once the txn with this zxid is applied, or once it is known it never will be;
   * lastZxid is the last zxid the member applied.
   */
  wait(zxid: number, lastZxid: number, listener: CommitListener): void {
    const applied = this.#recent.get(zxid);
    if (applied !== undefined) listener(applied);
    else if (zxid <= lastZxid) listener(undefined);
    else this.#waiting.set(zxid, listener);
  }

  /** Stops waiting (the write timed out). */
  forget(zxid: number): void {
    this.#waiting.delete(zxid);
  }

  /** Every txn this member applies, in log order. */
  applied(applied: Applied): void {
    const { zxid } = applied;
    if (this.#open.size > 0) this.#recent.set(zxid, applied);
    if (epochOf(zxid) !== this.#epoch) {
      this.#epoch = epochOf(zxid);
      for (const [z, listener] of this.#waiting) {
        if (z >= zxid) continue;
        this.#waiting.delete(z);
        listener(undefined);
      }
    }
    const listener = this.#waiting.get(zxid);
    if (listener === undefined) return;
    this.#waiting.delete(zxid);
    listener(applied);
  }
}
