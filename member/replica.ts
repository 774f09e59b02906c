/**
 * The member's copy of the state machine: a DataTree fed strictly in log order, by the log tail on a
 * follower or by the leader's own acknowledged appends. Nothing reaches the tree without a log
 * sequence, so every member's tree is a function of the log prefix it has applied. Waiters let a
 * member answer a client only once it has itself applied the zxid (or log sequence) it needs.
 */
import { apply, DataTree, decodeTxns } from "../core/index.ts";
import type { Applied, Txn } from "../core/records.ts";
import { epochOf } from "../core/zxid.ts";
import type { LogEntry } from "./log.ts";

/**
 * A fresh seed for a tree's path index (core/path-index.ts), so that nobody can choose in advance paths
 * that collide in this member's index.
 */
export function randomIndexSeed(): number {
  return crypto.getRandomValues(new Int32Array(1))[0]!;
}

interface Waiter {
  readonly at: number;
  readonly resolve: () => void;
}

export class Replica {
  #tree: DataTree;
  /** log sequence of the last applied entry */
  #seq: number;
  /** epoch of the last epoch record applied (epochs without txns are still in the log) */
  #epoch: number;
  #leader: string | undefined;
  #seqWaiters: Waiter[] = [];
  #zxidWaiters: Waiter[] = [];
  /** called with each applied txn's result, in log order */
  onApplied: (applied: Applied, txn: Txn) => void = () => {};

  constructor(tree: DataTree = new DataTree({ indexSeed: randomIndexSeed() }), seq = 0, epoch = 0) {
    this.#tree = tree;
    this.#seq = seq;
    this.#epoch = Math.max(epoch, epochOf(tree.lastZxid));
  }

  get tree(): DataTree {
    return this.#tree;
  }
  get seq(): number {
    return this.#seq;
  }
  get lastZxid(): number {
    return this.#tree.lastZxid;
  }
  get epoch(): number {
    return this.#epoch;
  }
  /** the member that wrote the last epoch record */
  get leader(): string | undefined {
    return this.#leader;
  }

  /** Replaces the state with a snapshot taken at seq (recovery, or a follower that fell behind a purge). */
  reset(tree: DataTree, seq: number, epoch: number): void {
    this.#tree = tree;
    this.#seq = seq;
    this.#epoch = Math.max(epoch, epochOf(tree.lastZxid));
    this.#wake();
  }

  /** Applies one log entry; entries must come in sequence order without gaps. */
  applyEntry(entry: LogEntry): void {
    if (entry.seq !== this.#seq + 1) throw new Error(`log entry ${entry.seq} after ${this.#seq}`);
    if (entry.kind === "epoch") {
      this.#epoch = Math.max(this.#epoch, entry.epoch);
      this.#leader = entry.leader;
      this.#seq = entry.seq;
      this.#wake();
      return;
    }
    const txns = decodeTxns(entry.data);
    if (!Array.isArray(txns)) throw new Error(`log entry ${entry.seq}: ${txns.message}`);
    this.applyTxns(entry.seq, txns);
  }

  /** The leader's path: txns it appended itself, applied once JetStream stored them at seq. */
  applyTxns(seq: number, txns: readonly Txn[]): Applied[] {
    if (seq !== this.#seq + 1) throw new Error(`log entry ${seq} after ${this.#seq}`);
    const results: Applied[] = [];
    for (const txn of txns) {
      const applied = apply(this.#tree, txn);
      results.push(applied);
      this.onApplied(applied, txn);
    }
    this.#seq = seq;
    this.#wake();
    return results;
  }

  waitSeq(seq: number): Promise<void> {
    if (this.#seq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#seqWaiters.push({ at: seq, resolve }));
  }

  /**
   * Resolves true once this member has applied zxid; with timeoutMs, false when that passes first (the
   * waiter is then dropped, so a zxid never reached, a client's bogus one say, leaves nothing behind).
   */
  waitZxid(zxid: number, timeoutMs?: number): Promise<boolean> {
    if (this.#tree.lastZxid >= zxid) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        at: zxid,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#zxidWaiters = this.#zxidWaiters.filter((w) => w !== waiter);
              resolve(false);
            }, timeoutMs);
      this.#zxidWaiters.push(waiter);
    });
  }

  #wake(): void {
    if (this.#seqWaiters.length > 0) this.#seqWaiters = release(this.#seqWaiters, this.#seq);
    if (this.#zxidWaiters.length > 0) this.#zxidWaiters = release(this.#zxidWaiters, this.#tree.lastZxid);
  }
}

function release(waiters: Waiter[], reached: number): Waiter[] {
  const keep: Waiter[] = [];
  for (const w of waiters) {
    if (w.at <= reached) w.resolve();
    else keep.push(w);
  }
  return keep;
}
