/**
 * The SDK's NATS transport, for event-driven consumers that can reach the NATS system nzk runs on
 * (shared/API.md, "On NATS"). Each committed change is published on the subject of its path, so a
 * one-shot watch is a subscription for one message, a recursive watch is the `>` wildcard, and the
 * durable events stream lets a consumer resume after a zxid. Plain subscriptions see only what is
 * published while they exist; a caller that must not miss a change between a read and its watch
 * subscribes first and reads after, or uses the stream from the zxid it read at.
 */
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { DEFAULT_EVENT_PREFIX, pathToSubject, subtreeSubject } from "../../core/subjects.ts";
import { parseId } from "../../core/zxid.ts";
import type { WatchEvent } from "../sdk/index.ts";
import { deliverAfter } from "./resume.ts";

export interface NatsWatchOptions {
  /** the members' event subject prefix (NZK_EVENT_PREFIX; default nzk.ev) */
  readonly prefix?: string;
  /** the durable events stream (default NZK_EVENTS) */
  readonly stream?: string;
}

export interface ConsumeOptions {
  readonly recursive?: boolean;
  /** deliver the retained events after this zxid ("0x…"); default: only new ones */
  readonly since?: string;
  /** a durable consumer name: a restarted consumer resumes after its last acknowledged event */
  readonly durable?: string;
}

export interface StreamedEvent {
  readonly event: WatchEvent;
  /** acknowledges the event to a durable consumer, so it is not delivered again */
  ack(): void;
}

const decoder = new TextDecoder();

export function parseEvent(data: Uint8Array): WatchEvent | undefined {
  try {
    const raw = JSON.parse(decoder.decode(data)) as WatchEvent;
    return typeof raw.path === "string" && typeof raw.type === "string" && parseId(raw.zxid) !== undefined
      ? raw
      : undefined;
  } catch {
    return undefined;
  }
}

export class NatsWatches {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #stream: string;

  constructor(nc: NatsConnection, options: NatsWatchOptions = {}) {
    this.#nc = nc;
    this.#prefix = options.prefix ?? DEFAULT_EVENT_PREFIX;
    this.#stream = options.stream ?? "NZK_EVENTS";
  }

  /**
   * A one-shot watch: resolves with the next event on the path. The subscription is registered with
   * the server before this returns `ready`, so a read made after awaiting `ready` cannot miss it.
   */
  async once(
    path: string,
    signal?: AbortSignal,
  ): Promise<{ ready: Promise<void>; event: Promise<WatchEvent> }> {
    const sub = this.#nc.subscribe(pathToSubject(path, this.#prefix), { max: 1 });
    signal?.addEventListener("abort", () => sub.unsubscribe(), { once: true });
    const event = (async () => {
      for await (const msg of sub) {
        const e = parseEvent(msg.data);
        if (e !== undefined) return e;
      }
      throw signal?.reason ?? new Error(`watch on ${path} ended`);
    })();
    return { ready: this.#nc.flush(), event };
  }

  /** Every event on the path (and its subtree when recursive) while the subscription lasts. */
  subscribe(
    path: string,
    options: { recursive?: boolean } = {},
  ): AsyncIterable<WatchEvent> & {
    readonly ready: Promise<void>;
    close(): void;
  } {
    const subs: Subscription[] = [this.#nc.subscribe(pathToSubject(path, this.#prefix))];
    if (options.recursive === true) subs.push(this.#nc.subscribe(subtreeSubject(path, this.#prefix)));
    const queue: WatchEvent[] = [];
    let wake: (() => void) | undefined;
    let open = subs.length;
    for (const sub of subs)
      void (async () => {
        for await (const msg of sub) {
          const e = parseEvent(msg.data);
          if (e !== undefined) queue.push(e);
          wake?.();
        }
        open--;
        wake?.();
      })();
    return {
      ready: this.#nc.flush(),
      close: () => {
        for (const sub of subs) sub.unsubscribe();
      },
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (open === 0) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
  }

  /**
   * The events stream from a zxid, in log order; with `durable`, a named consumer that remembers
   * what was acknowledged. Stops when the signal aborts.
   */
  async *consume(
    path: string,
    options: ConsumeOptions = {},
    signal?: AbortSignal,
  ): AsyncGenerator<StreamedEvent> {
    const own = pathToSubject(path, this.#prefix);
    const filter_subjects = options.recursive === true ? [own, subtreeSubject(path, this.#prefix)] : [own];
    const since = options.since === undefined ? undefined : parseId(options.since);
    const from = await deliverAfter(this.#nc, this.#stream, since);
    const js = jetstream(this.#nc);
    let consumer: Consumer;
    if (options.durable === undefined) {
      consumer = await js.consumers.get(this.#stream, { filter_subjects, ...from });
    } else {
      const jsm = await jetstreamManager(this.#nc);
      await jsm.consumers.add(this.#stream, {
        durable_name: options.durable,
        filter_subjects,
        ...from,
        ack_policy: AckPolicy.Explicit,
      });
      consumer = await js.consumers.get(this.#stream, options.durable);
    }
    // a durable consumer pulls one event at a time, so a stop leaves at most one unacknowledged and
    // a resumed consumer gets the events in log order
    const messages: ConsumerMessages = await consumer.consume(
      options.durable === undefined ? {} : { max_messages: 1 },
    );
    const stop = (): void => void messages.stop();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const msg of messages) {
        // what was already pulled when the caller stopped goes back at once, not after the ack wait
        if (signal?.aborted) {
          msg.nak();
          continue;
        }
        const event = parseEvent(msg.data);
        if (event === undefined || (since !== undefined && (parseId(event.zxid) ?? 0) <= since)) {
          msg.ack();
          continue;
        }
        yield { event, ack: () => msg.ack() };
      }
    } finally {
      signal?.removeEventListener("abort", stop);
      stop();
    }
  }
}
