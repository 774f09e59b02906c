/**
 * A follower's forwarding of writes to the leader. Writes made within one turn of the event loop go
 * as one NATS request, in order, and come back as one reply once all of them committed: under load a
 * follower sends a few messages per log append rather than one per write, as ZooKeeper's learners
 * stream requests over one connection. The leader submits a batch's writes in order, so they usually
 * share one group commit. A turn's writes that would not fit in one NATS message (max_payload) go as
 * several requests, sent in order, so the leader still receives them in order.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Caller, WriteRequest } from "../core/records.ts";
import { isNoResponders } from "./leader-watch.ts";
import { memberSubject, type WriteForward, type WriteOutcome, type WriteReply } from "./member-links.ts";
import { forwardBudget, forwardedBytes } from "./payload.ts";
import { decodeWire, encodeWire } from "./wire.ts";

/** "retry": the batch reached no leader (no responders, or the addressee does not lead). */
export type ForwardResult = WriteOutcome | "retry" | Error;

interface Queued {
  readonly caller: Caller;
  readonly req: WriteRequest;
  readonly resolve: (result: ForwardResult) => void;
}

export class Forwarder {
  readonly #nc: NatsConnection;
  readonly #apiPrefix: string;
  readonly #timeoutMs: number;
  readonly #queues = new Map<string, Queued[]>();

  constructor(nc: NatsConnection, apiPrefix: string, timeoutMs: number) {
    this.#nc = nc;
    this.#apiPrefix = apiPrefix;
    this.#timeoutMs = timeoutMs;
  }

  send(leaderId: string, caller: Caller, req: WriteRequest): Promise<ForwardResult> {
    return new Promise((resolve) => {
      let queue = this.#queues.get(leaderId);
      if (queue === undefined) {
        queue = [];
        this.#queues.set(leaderId, queue);
        setImmediate(() => this.#flush(leaderId));
      }
      queue.push({ caller, req, resolve });
    });
  }

  #flush(leaderId: string): void {
    const queued = this.#queues.get(leaderId) ?? [];
    this.#queues.delete(leaderId);
    const budget = forwardBudget(this.#nc.info?.max_payload ?? 1024 * 1024);
    let batch: Queued[] = [];
    let bytes = 0;
    for (const q of queued) {
      const size = forwardedBytes(q.req);
      if (batch.length > 0 && bytes + size > budget) {
        void this.#send(leaderId, batch);
        batch = [];
        bytes = 0;
      }
      batch.push(q);
      bytes += size;
    }
    if (batch.length > 0) void this.#send(leaderId, batch);
  }

  async #send(leaderId: string, batch: readonly Queued[]): Promise<void> {
    const forward: WriteForward = { writes: batch.map(({ caller, req }) => ({ caller, req })) };
    let reply: WriteReply;
    try {
      const msg = await this.#nc.request(
        memberSubject(this.#apiPrefix, leaderId, "write"),
        encodeWire(forward),
        {
          timeout: this.#timeoutMs,
        },
      );
      reply = decodeWire<WriteReply>(msg.data);
    } catch (err) {
      for (const q of batch) q.resolve(isNoResponders(err) ? "retry" : (err as Error));
      return;
    }
    if ("notLeader" in reply) {
      for (const q of batch) q.resolve("retry");
      return;
    }
    batch.forEach((q, i) => {
      q.resolve(reply.outcomes[i] ?? new Error("the leader answered fewer writes than were sent"));
    });
  }
}
