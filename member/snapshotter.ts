/**
 * When to take a snapshot: every N applied txns or M seconds, whichever comes first. A follower or
 * observer writes it, so the leader's event loop (and with it the pings that keep it leader) is never
 * stalled by serializing a large tree; the leader writes one only when no follower is there to. Members
 * skip a snapshot another member already took at a nearby sequence.
 */
import type { Replica } from "./replica.ts";
import type { SnapshotStore } from "./snapshots.ts";

export interface SnapshotPolicy {
  readonly everyTxns: number;
  readonly everyMs: number;
  readonly kept: number;
}

export class Snapshotter {
  readonly #store: SnapshotStore;
  readonly #replica: Replica;
  readonly #policy: SnapshotPolicy;
  readonly #mayWrite: () => boolean;
  readonly #log: (msg: string, fields: Record<string, unknown>) => void;
  readonly #timer: NodeJS.Timeout;
  #since = 0;
  /** the log sequence when this member last took (or skipped) a snapshot */
  #lastSeq = 0;
  #lastAt = performance.now();
  #busy = false;

  constructor(
    store: SnapshotStore,
    replica: Replica,
    policy: SnapshotPolicy,
    mayWrite: () => boolean,
    log: (msg: string, fields: Record<string, unknown>) => void,
  ) {
    this.#store = store;
    this.#replica = replica;
    this.#policy = policy;
    this.#mayWrite = mayWrite;
    this.#log = log;
    this.#timer = setInterval(() => void this.#tick(), Math.min(1000, policy.everyMs));
    this.#timer.unref();
  }

  applied(): void {
    this.#since += 1;
    if (this.#since >= this.#policy.everyTxns) void this.#tick();
  }

  async #tick(): Promise<void> {
    const due =
      this.#since >= this.#policy.everyTxns ||
      (this.#since > 0 && performance.now() - this.#lastAt >= this.#policy.everyMs);
    if (this.#busy || !due || !this.#mayWrite()) return;
    this.#busy = true;
    try {
      const newest = (await this.#store.list()).at(-1);
      // Read after the await, in the same synchronous stretch as save(), which copies the tree before
      // its first await: the tree keeps changing while the list is fetched, and a snapshot labelled
      // with an earlier sequence than its content would have its last entries applied twice on recovery.
      const seq = this.#replica.seq;
      // Another member's snapshot past the midpoint of what this one would cover is enough.
      if (newest === undefined || newest.seq <= (this.#lastSeq + seq) / 2) {
        const ref = await this.#store.save(this.#replica.tree, seq, this.#replica.epoch, this.#policy.kept);
        this.#log("snapshot saved", { name: ref.name, seq: ref.seq, zxid: ref.zxid });
      }
      this.#since = 0;
      this.#lastSeq = seq;
      this.#lastAt = performance.now();
    } catch (err) {
      this.#log("snapshot failed", { error: (err as Error).message });
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
