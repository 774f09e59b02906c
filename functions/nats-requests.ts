/**
 * Request/reply for a handler that makes many requests at once: replies come back on one inbox
 * subscription of this client's, and the requests made within one turn of the event loop go out
 * together, in one socket write.
 *
 * nats.js's request() suits neither. It gives every request a timer and two error objects with stack
 * traces, even when it succeeds. And it leaves the write to nats.js's flush after the current
 * callback's microtasks: a handler's HTTP requests each arrive in an I/O callback of their own, so each
 * NATS request was a write of its own, and nats-server and the member then read and answered them one
 * by one too. Published together at setImmediate, after the poll phase's callbacks, they travel as one
 * write to every process on the way.
 */
import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";

interface Queued {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly settle: (reply: Msg | Error) => void;
}

interface Pending {
  readonly at: number;
  readonly settle: (reply: Msg | Error) => void;
}

// workerd has no setImmediate without Node compatibility; a zero timeout is its next turn.
const nextTurn: (f: () => void) => void =
  typeof setImmediate === "function" ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

export class NatsRequests {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #inbox = createInbox();
  /** by request number; numbers grow with time, so the oldest request is first */
  readonly #pending = new Map<number, Pending>();
  #queued: Queued[] = [];
  #sub: Subscription | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #next = 0;

  constructor(nc: NatsConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
  }

  /** The reply, or an Error when none came in time, no one listens on `subject`, or NATS is closed. */
  request(subject: string, data: Uint8Array): Promise<Msg | Error> {
    return new Promise((settle) => {
      if (this.#queued.length === 0) nextTurn(() => this.#flush());
      this.#queued.push({ subject, data, settle });
    });
  }

  #flush(): void {
    const queued = this.#queued;
    this.#queued = [];
    try {
      this.#sub ??= this.#subscribe();
    } catch (err) {
      for (const q of queued) q.settle(err as Error);
      return;
    }
    for (const q of queued) {
      const id = ++this.#next;
      this.#pending.set(id, { at: performance.now(), settle: q.settle });
      try {
        this.#nc.publish(q.subject, q.data, { reply: `${this.#inbox}.${id}` });
      } catch (err) {
        this.#pending.delete(id);
        q.settle(err as Error);
      }
    }
    if (this.#expiry === undefined && this.#pending.size > 0) this.#expireAfter(this.#timeoutMs);
  }

  #subscribe(): Subscription {
    const sub = this.#nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, msg) => {
        if (err === null) this.#onReply(msg);
      },
    });
    // Closed with its connection: whatever is still out will get no reply here.
    void sub.closed.then((reason) => {
      if (this.#sub === sub) this.#sub = undefined;
      clearTimeout(this.#expiry);
      this.#expiry = undefined;
      const err = reason instanceof Error ? reason : new Error("NATS connection closed");
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.settle(err);
      }
    });
    return sub;
  }

  #onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#inbox.length + 1));
    const p = this.#pending.get(id);
    // Answered after it expired: its caller was already told.
    if (p === undefined) return;
    this.#pending.delete(id);
    // nats-server's status for a request that no one subscribes to.
    const noResponders = msg.data.length === 0 && msg.headers?.code === 503;
    p.settle(noResponders ? new Error("no responders") : msg);
    if (this.#pending.size === 0 && this.#expiry !== undefined) {
      clearTimeout(this.#expiry);
      this.#expiry = undefined;
    }
  }

  /** One timer for every request out: set for the oldest, moved on to the next oldest when it fires. */
  #expireAfter(ms: number): void {
    this.#expiry = setTimeout(() => {
      this.#expiry = undefined;
      const old = performance.now() - this.#timeoutMs;
      for (const [id, p] of this.#pending) {
        if (p.at > old) {
          this.#expireAfter(p.at - old);
          return;
        }
        this.#pending.delete(id);
        p.settle(new Error(`no reply within ${this.#timeoutMs} ms`));
      }
    }, ms);
  }
}
