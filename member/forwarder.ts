/**
 * A follower's forwarding of writes to the leader. Writes made within one turn of the event loop go
 * as one NATS message, in order; a turn's writes that would not fit in one message (max_payload) go
 * as several, sent in order, so the leader still receives them in order. The leader answers a batch
 * as soon as it has prepped it, with each write's zxid (member-links.ts, Proposal), and holds nothing
 * for it: the writes join its group commit like its own. The follower then answers each write once it
 * has itself applied that zxid from the log (commit-watch.ts), so the leader's acknowledgement never
 * travels back as another hop and a client reads its write on the member it wrote through.
 *
 * Answers come back on one subscription of this member's, `<apiPrefix>.member.<id>.proposals.>`,
 * rather than through a NATS request each: nats.js gives every request a timer and creates error
 * objects with stack traces for it even when it succeeds. Batches and answers travel in the binary
 * format of forward-codec.ts.
 */
import { type Msg, type NatsConnection, nuid, type Subscription } from "@nats-io/nats-core";
import { isZkError, zkError } from "../core/errors.ts";
import type { Applied, Caller, WriteRequest } from "../core/records.ts";
import { CommitWatch } from "./commit-watch.ts";
import { decodeWriteReply, encodeForward } from "./forward-codec.ts";
import { memberSubject, type WriteForward, type WriteOutcome } from "./member-links.ts";
import { forwardBudget, forwardedBytes } from "./payload.ts";
import type { Replica } from "./replica.ts";

/**
 * "retry": the batch reached no leader (no responders, or the addressee does not lead).
 * "replaced": another leadership began while the write was out, so its outcome is unknown.
 */
export type ForwardResult = WriteOutcome | "retry" | "replaced" | Error;

/** The leadership a write is forwarded to. */
export interface ForwardTarget {
  readonly memberId: string;
  readonly epoch: number;
}

interface Queued {
  readonly caller: Caller;
  readonly req: WriteRequest;
  readonly epoch: number;
  readonly resolve: (result: ForwardResult) => void;
  /** the zxid the leader gave it, once it answered */
  zxid?: number;
  settled: boolean;
}

interface Batch {
  readonly writes: readonly Queued[];
  readonly timer: NodeJS.Timeout;
  answered: boolean;
  unsettled: number;
}

export interface ForwarderSettings {
  readonly apiPrefix: string;
  /** this member's id: answers come back on its member subjects */
  readonly memberId: string;
  /** how long a write may take from being forwarded to being applied here */
  readonly timeoutMs: number;
}

export class Forwarder {
  readonly #nc: NatsConnection;
  readonly #settings: ForwarderSettings;
  readonly #replica: Replica;
  readonly #queues = new Map<string, Queued[]>();
  readonly #commits = new CommitWatch();
  readonly #batches = new Map<number, Batch>();
  /** the subject answers arrive on, followed by the batch number */
  readonly #replyPrefix: string;
  readonly #sub: Subscription;
  #nextBatch = 0;

  constructor(nc: NatsConnection, settings: ForwarderSettings, replica: Replica) {
    this.#nc = nc;
    this.#settings = settings;
    this.#replica = replica;
    // A token of this process's, so two members misconfigured with one id cannot take each other's answers.
    this.#replyPrefix = `${memberSubject(settings.apiPrefix, settings.memberId, "proposals")}.${nuid.next()}`;
    this.#sub = nc.subscribe(`${this.#replyPrefix}.*`, { callback: (_err, msg) => this.#onAnswer(msg) });
  }

  send(target: ForwardTarget, caller: Caller, req: WriteRequest): Promise<ForwardResult> {
    return new Promise((resolve) => {
      const leaderId = target.memberId;
      let queue = this.#queues.get(leaderId);
      if (queue === undefined) {
        queue = [];
        this.#queues.set(leaderId, queue);
        setImmediate(() => this.#flush(leaderId));
      }
      queue.push({ caller, req, epoch: target.epoch, resolve, settled: false });
    });
  }

  /**
   * The leadership now in place (undefined: none, or this member is closing). Every write sent to an
   * earlier one is answered "replaced" at once, as a ZooKeeper follower that loses its leader drops its
   * clients, rather than after the full timeout.
   */
  leaderIs(epoch: number | undefined): void {
    for (const [leaderId, queue] of this.#queues) {
      for (const write of queue) if (write.epoch !== epoch) this.#resolve(write, "replaced");
      this.#queues.set(
        leaderId,
        queue.filter((write) => !write.settled),
      );
    }
    for (const [id, batch] of this.#batches) {
      for (const write of batch.writes) if (write.epoch !== epoch) this.#settleOne(id, write, "replaced");
    }
  }

  /** Every txn this member applies, in log order. */
  applied(applied: Applied): void {
    this.#commits.applied(applied);
  }

  /** Stops listening for answers; writes still out are told ConnectionLoss by their caller's deadline. */
  close(): void {
    this.#sub.unsubscribe();
    for (const id of [...this.#batches.keys()]) this.#expire(id, new Error("member closing"));
  }

  #flush(leaderId: string): void {
    const queued = this.#queues.get(leaderId) ?? [];
    this.#queues.delete(leaderId);
    const budget = forwardBudget(this.#nc.info?.max_payload ?? 1024 * 1024);
    let batch: Queued[] = [];
    let bytes = 0;
    for (const q of queued) {
      const size = forwardedBytes(q.caller, q.req);
      if (batch.length > 0 && bytes + size > budget) {
        this.#send(leaderId, batch);
        batch = [];
        bytes = 0;
      }
      batch.push(q);
      bytes += size;
    }
    if (batch.length > 0) this.#send(leaderId, batch);
  }

  #send(leaderId: string, writes: readonly Queued[]): void {
    const id = ++this.#nextBatch;
    const timer = setTimeout(
      () => this.#expire(id, new Error(`no answer within ${this.#settings.timeoutMs} ms`)),
      this.#settings.timeoutMs,
    );
    this.#batches.set(id, { writes, timer, answered: false, unsettled: writes.length });
    this.#commits.open(id, this.#replica.lastZxid);
    const forward: WriteForward = { writes: writes.map(({ caller, req }) => ({ caller, req })) };
    try {
      this.#nc.publish(memberSubject(this.#settings.apiPrefix, leaderId, "write"), encodeForward(forward), {
        reply: `${this.#replyPrefix}.${id}`,
      });
    } catch (err) {
      this.#expire(id, err as Error);
    }
  }

  #onAnswer(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#replyPrefix.length + 1));
    const batch = this.#batches.get(id);
    // Answered after it expired: its writers were already told.
    if (batch === undefined || batch.answered) return;
    // nats-server's status for a message with a reply subject that no one subscribes to.
    const noResponders = msg.data.length === 0 && msg.headers?.code === 503;
    const reply = noResponders ? undefined : decodeWriteReply(msg.data);
    if (reply === undefined || "notLeader" in reply) {
      this.#settle(id, () => "retry");
      return;
    }
    // The leader may have proposed these writes: their outcome is unknown, not a failure to report.
    if (isZkError(reply)) {
      this.#expire(id, new Error(`the leader's answer is unreadable: ${reply.message}`));
      return;
    }
    batch.answered = true;
    const lastZxid = this.#replica.lastZxid;
    batch.writes.forEach((write, i) => {
      const proposal = reply.proposals[i];
      if (proposal === undefined) {
        this.#settleOne(id, write, new Error("the leader answered fewer writes than were sent"));
      } else if ("refused" in proposal) {
        this.#settleOne(id, write, { error: proposal.refused });
      } else {
        write.zxid = proposal.zxid;
        this.#commits.wait(proposal.zxid, lastZxid, (applied) => {
          if (applied === undefined) {
            const lost = zkError("ConnectionLoss", "the leadership ended before the write committed");
            this.#settleOne(id, write, { error: lost });
          } else {
            const committed =
              proposal.failed === undefined ? { applied } : { applied, error: proposal.failed };
            this.#settleOne(id, write, { committed });
          }
        });
      }
    });
    this.#commits.close(id);
  }

  /** Answers a write, unless it was answered before (then false). */
  #resolve(write: Queued, result: ForwardResult): boolean {
    if (write.settled) return false;
    write.settled = true;
    if (write.zxid !== undefined) this.#commits.forget(write.zxid);
    write.resolve(result);
    return true;
  }

  #settleOne(id: number, write: Queued, result: ForwardResult): void {
    if (!this.#resolve(write, result)) return;
    const batch = this.#batches.get(id);
    if (batch === undefined) return;
    batch.unsettled -= 1;
    if (batch.unsettled === 0) this.#drop(id, batch);
  }

  #settle(id: number, result: () => ForwardResult): void {
    const batch = this.#batches.get(id);
    if (batch === undefined) return;
    this.#drop(id, batch);
    for (const write of batch.writes) this.#resolve(write, result());
  }

  #drop(id: number, batch: Batch): void {
    clearTimeout(batch.timer);
    this.#batches.delete(id);
    this.#commits.close(id);
  }

  #expire(id: number, err: Error): void {
    this.#settle(id, () => err);
  }
}
