/**
 * The leader's broadcast (ZAB phase 3): each write is prepped against the tree plus the outstanding
 * proposals, given the next zxid, group-committed into the next log message and appended pipelined.
 * A writer is answered only after JetStream acknowledged the message and the leader applied it, and
 * messages are applied strictly in sequence order whatever order the acknowledgements resolve in.
 * Writes forwarded by followers join the same group commit and pipeline as local ones; their
 * followers are told the zxid as soon as prep gave it, and learn the commit from their own log tail.
 * Any failed append ends this leadership: everything pending is answered ConnectionLoss (its outcome
 * is unknown, as in ZooKeeper) and the member steps down to learn the truth from the log.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { type ZkError, zkError } from "../core/errors.ts";
import { encodeTxns, Preparer } from "../core/index.ts";
import type { Applied, Caller, Txn, WriteRequest } from "../core/records.ts";
import type { CoreConfig } from "../core/tree-view.ts";
import { GroupCommit, type GroupCommitConfig, ZxidAllocator } from "../core/zab/index.ts";
import { LogWriter } from "./log.ts";
import type { Proposal } from "./member-links.ts";
import { requestBytes, txnBytes } from "./payload.ts";
import type { Replica } from "./replica.ts";

export interface LeaderSettings {
  readonly memberId: string;
  readonly subject: string;
  readonly appendTimeoutMs: number;
  readonly group: GroupCommitConfig;
  readonly core: CoreConfig;
  /** the counter the epoch starts after (0; tests start near the overflow) */
  readonly firstCounter?: number;
}

/**
 * A committed write: what apply returned, and for a failed request the error prep found (with its path
 * and message; the log's error txn keeps only the code). Failed requests are committed too, as in
 * ZooKeeper, so that every reply leaves in log order.
 */
export interface Committed {
  readonly applied: Applied;
  readonly error?: ZkError;
}

/** A write before prep: a local writer waits for its commit, a follower only for its proposal. */
interface Write {
  readonly caller: Caller;
  readonly req: WriteRequest;
  readonly resolve?: (outcome: Committed | ZkError) => void;
  readonly proposed?: (proposal: Proposal) => void;
}

interface Pending {
  readonly txn: Txn;
  readonly error: ZkError | undefined;
  readonly resolve: Write["resolve"];
}

/** Counters of the broadcast since the leadership began, for benchmarks. */
export interface BroadcastStats {
  /** txns messages JetStream acknowledged */
  readonly appends: number;
  /** txns in those messages */
  readonly txns: number;
  /**
   * txns messages in flight integrated over time (ms): its increase over an interval, divided by the
   * interval's length, is the mean number in flight
   */
  readonly inFlightMs: number;
}

type InFlight =
  | { readonly kind: "txns"; readonly group: Pending[] }
  | { readonly kind: "epoch"; readonly epoch: number };

export class Leader {
  readonly #replica: Replica;
  readonly #settings: LeaderSettings;
  readonly #writer: LogWriter;
  readonly #preparer: Preparer;
  readonly #zxids: ZxidAllocator;
  readonly #queue: GroupCommit<Pending>;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #acked = new Set<number>();
  /** writes that arrived while the counter overflowed, waiting for the next epoch */
  #held: Write[] = [];
  #nextEpoch: ((current: number) => Promise<number | undefined>) | undefined;
  #failure: Error | undefined;
  #pumpScheduled = false;
  #appends = 0;
  #txns = 0;
  #appendsInFlight = 0;
  #inFlightMs = 0;
  #inFlightSince = performance.now();
  readonly #onLost: (err: Error) => void;

  /**
   * Starts broadcasting after the epoch record at the replica's current sequence. nextEpoch obtains a
   * newer epoch from the election when the counter overflows (undefined: leadership lost).
   */
  constructor(
    nc: NatsConnection,
    replica: Replica,
    settings: LeaderSettings,
    epoch: number,
    nextEpoch: (current: number) => Promise<number | undefined>,
    onLost: (err: Error) => void,
  ) {
    this.#replica = replica;
    this.#settings = settings;
    this.#writer = new LogWriter(nc, settings.subject, replica.seq, epoch, settings.appendTimeoutMs);
    this.#preparer = new Preparer(replica.tree, settings.core);
    this.#zxids = new ZxidAllocator(epoch, settings.firstCounter ?? 0);
    this.#queue = new GroupCommit(settings.group);
    this.#nextEpoch = nextEpoch;
    this.#onLost = onLost;
  }

  get epoch(): number {
    return this.#zxids.epoch;
  }

  get lost(): boolean {
    return this.#failure !== undefined;
  }

  /** Appends the epoch record that fences the log at the replica's tip; false when another got there first. */
  async fence(): Promise<boolean> {
    const epoch = this.#zxids.epoch;
    try {
      const seq = await this.#writer.append({ kind: "epoch", epoch, leader: this.#settings.memberId });
      this.#replica.applyEntry({ kind: "epoch", seq, epoch, leader: this.#settings.memberId });
      return true;
    } catch (err) {
      this.#failure = err as Error;
      return false;
    }
  }

  get stats(): BroadcastStats {
    this.#countInFlight(0);
    return { appends: this.#appends, txns: this.#txns, inFlightMs: this.#inFlightMs };
  }

  /** A local write: resolves once it committed and was applied here. */
  submit(caller: Caller, req: WriteRequest): Promise<Committed | ZkError> {
    return new Promise((resolve) => this.#accept({ caller, req, resolve }));
  }

  /**
   * A follower's write: resolves as soon as prep gave it a zxid (at once, unless the counter is
   * moving to the next epoch). It then joins the group commit like a local write; nothing here waits
   * for its append, so a follower's batches never hold the pipeline back.
   */
  propose(caller: Caller, req: WriteRequest): Promise<Proposal> {
    return new Promise((proposed) => this.#accept({ caller, req, proposed }));
  }

  #accept(write: Write): void {
    if (this.#failure !== undefined) {
      refuse(write, zkError("ConnectionLoss", "this member is no longer the leader"));
      return;
    }
    // Refused before it gets a zxid: JetStream would refuse the message, and that would end the
    // leadership for one client's oversized write.
    if (requestBytes(write.req) > this.#settings.group.maxBytes) {
      const path = "path" in write.req ? write.req.path : undefined;
      refuse(write, zkError("MarshallingError", "the request is larger than a log message can hold", path));
      return;
    }
    if (this.#held.length > 0) {
      this.#held.push(write);
      return;
    }
    this.#prepare(write);
  }

  #prepare(write: Write): void {
    const next = this.#zxids.next();
    if ("overflow" in next) {
      this.#held.push(write);
      if (this.#held.length === 1) void this.#advanceEpoch();
      return;
    }
    const { caller, req, resolve, proposed } = write;
    const { txn, error } = this.#preparer.prepare(caller, { zxid: next.zxid, time: Date.now() }, req);
    this.#queue.push({ txn, error, resolve }, txnBytes(txn.body));
    proposed?.(error === undefined ? { zxid: txn.zxid } : { zxid: txn.zxid, failed: error });
    // Flushing once this turn of the event loop has run its I/O callbacks, not at once, lets the
    // writes that arrive together (the writers just answered, a follower's batch, every HTTP request
    // read in this poll) leave together instead of the first one alone: after each request's microtasks
    // would be too early, as each HTTP request is a callback of its own.
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      setImmediate(() => {
        this.#pumpScheduled = false;
        this.#pump();
      });
    }
  }

  /** ZOOKEEPER-2789 without the election: a newer epoch from the election key, fenced into the log. */
  async #advanceEpoch(): Promise<void> {
    const epoch = await this.#nextEpoch?.(this.#zxids.epoch).catch(() => undefined);
    if (this.#failure !== undefined) return;
    if (epoch === undefined) {
      this.#fail(new Error("lost the leadership while moving to the next epoch"));
      return;
    }
    this.#zxids.advance(epoch);
    this.#send({ kind: "epoch", epoch });
    const held = this.#held;
    this.#held = [];
    for (const write of held) this.#prepare(write);
  }

  #pump(): void {
    for (let group = this.#queue.take(); group !== undefined; group = this.#queue.take()) {
      this.#send({ kind: "txns", group });
    }
  }

  #send(item: InFlight): void {
    const record =
      item.kind === "epoch"
        ? ({ kind: "epoch", epoch: item.epoch, leader: this.#settings.memberId } as const)
        : ({
            kind: "txns",
            lastZxid: item.group[item.group.length - 1]!.txn.zxid,
            data: encodeTxns(item.group.map((p) => p.txn)),
          } as const);
    const seq = this.#writer.last + 1;
    this.#inFlight.set(seq, item);
    if (item.kind === "txns") this.#countInFlight(1);
    this.#writer.append(record).then(
      (stored) => {
        if (this.#failure !== undefined) return;
        if (item.kind === "txns") {
          this.#queue.acked();
          this.#countInFlight(-1);
          this.#appends += 1;
          this.#txns += item.group.length;
        }
        this.#acked.add(stored);
        this.#applyAcked();
        this.#pump();
      },
      (err: Error) => this.#fail(err),
    );
  }

  #applyAcked(): void {
    for (let seq = this.#replica.seq + 1; this.#acked.delete(seq); seq++) {
      const item = this.#inFlight.get(seq)!;
      this.#inFlight.delete(seq);
      if (item.kind === "epoch") {
        this.#replica.applyEntry({ kind: "epoch", seq, epoch: item.epoch, leader: this.#settings.memberId });
        continue;
      }
      const results = this.#replica.applyTxns(
        seq,
        item.group.map((p) => p.txn),
      );
      this.#preparer.release(this.#replica.lastZxid);
      for (let i = 0; i < item.group.length; i++) {
        const p = item.group[i]!;
        p.resolve?.(
          p.error === undefined ? { applied: results[i]! } : { applied: results[i]!, error: p.error },
        );
      }
    }
  }

  #fail(err: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    const lost = zkError("ConnectionLoss", `leadership ended: ${err.message}`);
    for (const item of this.#inFlight.values()) {
      if (item.kind === "txns") for (const p of item.group) p.resolve?.(lost);
    }
    this.#inFlight.clear();
    for (const p of this.#queue.drain()) p.resolve?.(lost);
    for (const write of this.#held) refuse(write, lost);
    this.#held = [];
    this.#preparer.reset();
    this.#onLost(err);
  }

  #countInFlight(change: number): void {
    const now = performance.now();
    this.#inFlightMs += this.#appendsInFlight * (now - this.#inFlightSince);
    this.#inFlightSince = now;
    this.#appendsInFlight += change;
  }

  /** Ends the leadership from outside (lease lost, shutdown). */
  stop(reason: string): void {
    this.#fail(new Error(reason));
  }
}

function refuse(write: Write, error: ZkError): void {
  write.resolve?.(error);
  write.proposed?.({ refused: error });
}
