/**
 * The log tail of a member that does not lead: every entry, in order, into the replica. When the tail
 * fails it starts again 100 ms later from where the replica stands; when a purge overtook it (a gap),
 * from the newest snapshot first, as ZooKeeper's learner gets a SNAP instead of a DIFF.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { LogTail } from "./log.ts";
import type { Logger } from "./member.ts";
import type { Replica } from "./replica.ts";
import type { SnapshotStore, StoredSnapshot } from "./snapshots.ts";

/** The line a member logs before it reads a snapshot (at a million znodes: seconds of reading). */
export function logLoading(log: Logger): (s: StoredSnapshot) => void {
  return (s) => log("loading snapshot", { snapshot: s.name, seq: s.seq, bytes: s.bytes });
}

export class FollowerTail {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #replica: Replica;
  readonly #snapshots: SnapshotStore;
  readonly #log: Logger;
  /** false while the member leads (it applies its own appends) or once it closed */
  readonly #mayRun: () => boolean;
  #tail: LogTail | undefined;

  constructor(
    nc: NatsConnection,
    stream: string,
    replica: Replica,
    snapshots: SnapshotStore,
    log: Logger,
    mayRun: () => boolean,
  ) {
    this.#nc = nc;
    this.#stream = stream;
    this.#replica = replica;
    this.#snapshots = snapshots;
    this.#log = log;
    this.#mayRun = mayRun;
  }

  get running(): boolean {
    return this.#tail !== undefined;
  }

  /** Tails from the entry after the replica's, replacing any tail already running. */
  start(): void {
    this.#tail?.stop();
    const tail: LogTail = new LogTail(
      this.#nc,
      this.#stream,
      this.#replica.seq + 1,
      (entry) => this.#replica.applyEntry(entry),
      (err) => this.#onError(tail, err),
    );
    this.#tail = tail;
  }

  /** Tails again from where the replica stands, if a tail runs and may (false when it did not). */
  again(): boolean {
    if (this.#tail === undefined || !this.#mayRun()) return false;
    this.start();
    return true;
  }

  stop(): void {
    this.#tail?.stop();
    this.#tail = undefined;
  }

  #onError(tail: LogTail, err: Error): void {
    if (!this.#mayRun()) return;
    this.#log("log tail failed", { error: err.message });
    setTimeout(() => void this.#restart(tail, /log gap/.test(err.message)), 100).unref();
  }

  /**
   * Only if the failed tail is still the current one: a member that began to lead meanwhile stopped
   * it and applies its own appends, which a second reader would apply again.
   */
  async #restart(failed: LogTail, gap: boolean): Promise<void> {
    if (gap) {
      try {
        const snap = await this.#snapshots.loadNewest(logLoading(this.#log));
        if (snap !== undefined && snap.ref.seq > this.#replica.seq && this.#tail === failed) {
          this.#replica.reset(snap.tree, snap.ref.seq, snap.ref.epoch);
          this.#log("loaded snapshot", { snapshot: snap.ref.name, seq: snap.ref.seq, zxid: snap.ref.zxid });
        }
      } catch (err) {
        // The tail below hits the gap again and comes back here: a retry every 100 ms.
        this.#log("snapshot load failed", { error: (err as Error).message });
      }
    }
    if (!this.#mayRun() || this.#tail !== failed) return;
    this.start();
  }
}
