/**
 * Watch events on NATS (shared/API.md, "On NATS"). After a txn commits, the leader publishes each of
 * its events on the subject of its path (core/subjects.ts); the events stream captures those subjects,
 * so one publish serves both live subscribers and consumers resuming from a zxid. Each event's
 * Nats-Msg-Id is its zxid and index within the txn, so when a new leader republishes the events that
 * its predecessor may not have published, JetStream drops the ones it already holds: a leader change
 * neither loses nor duplicates an event in the stream.
 *
 * The events stream is written with JetStream's asynchronous persistence (2.12+): an fsync per event
 * would cost the log's disk more than the log itself, and every event can be derived again from the
 * log. After a reconnect (the server may have restarted and lost unsynced events) the leader
 * republishes what the stream lacks, as after a leader change.
 */
import {
  DiscardPolicy,
  jetstreamManager,
  PersistMode,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import {
  createInbox,
  headers,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/nats-core";
import type { WatchEvent } from "../core/records.ts";
import { pathToSubject } from "../core/subjects.ts";
import { toHex } from "../core/zxid.ts";

export interface EventSettings {
  readonly stream: string;
  readonly prefix: string;
  readonly replicas: number;
  readonly maxAgeSeconds: number;
}

const H_ZXID = "Nzk-Zxid";
const encoder = new TextEncoder();
/** how many recent txns' events every member keeps, for a new leader to republish */
const RECENT = 100_000;
/** how long an event may go unacknowledged before it is published again */
const RETRY_MS = 1000;
/** JetStream's duplicate window must outlast a failover for Nats-Msg-Id to deduplicate */
const DUPLICATE_WINDOW_NS = 120 * 1_000_000_000;

export function eventPayload(e: WatchEvent): Uint8Array {
  return encoder.encode(JSON.stringify({ type: e.type, path: e.path, zxid: toHex(e.zxid) }));
}

export async function ensureEventsStream(nc: NatsConnection, s: EventSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config: Partial<StreamConfig> & { name: string } = {
    name: s.stream,
    subjects: [s.prefix, `${s.prefix}.>`],
    storage: StorageType.File,
    num_replicas: s.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: s.maxAgeSeconds * 1_000_000_000,
    duplicate_window: DUPLICATE_WINDOW_NS,
    allow_direct: true,
    persist_mode: PersistMode.Async,
  };
  try {
    await jsm.streams.info(s.stream);
    const { storage: _storage, persist_mode: _persist, ...updatable } = config;
    await jsm.streams.update(s.stream, updatable);
  } catch (err) {
    if ((err as { code?: number }).code !== 10059 && !/not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}

/** The zxid of the newest event the stream holds (0 when none). */
export async function lastPublishedZxid(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  if (last === 0) return 0;
  const m = await jsm.streams.getMessage(stream, { seq: last });
  return Number(m?.header.get(H_ZXID) ?? 0);
}

interface Unacked {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly headers: MsgHdrs;
  sentAt: number;
}

/**
 * Every member remembers recent events; only the leader publishes. Publishes carry a reply subject
 * on one inbox, so JetStream's acknowledgements arrive on a single subscription instead of one request
 * (with its timer and error objects) per event, which cost the leader more CPU than its writes. An
 * event not acknowledged within RETRY_MS is published again with the same Nats-Msg-Id, so an event
 * dropped under load is neither lost nor stored twice.
 */
export class EventPublisher {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #inbox: string;
  readonly #sub: Subscription;
  readonly #timer: NodeJS.Timeout;
  readonly #unacked = new Map<string, Unacked>();
  #recent: { zxid: number; events: readonly WatchEvent[] }[] = [];
  #publishing = false;

  constructor(nc: NatsConnection, prefix: string) {
    this.#nc = nc;
    this.#prefix = prefix;
    this.#inbox = createInbox();
    this.#sub = nc.subscribe(`${this.#inbox}.*`, { callback: (_err, msg) => this.#acked(msg) });
    this.#timer = setInterval(() => this.#retry(), RETRY_MS);
    this.#timer.unref();
  }

  /** Called for every applied txn, in log order. */
  applied(zxid: number, events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    this.#recent.push({ zxid, events });
    if (this.#recent.length > 2 * RECENT) this.#recent = this.#recent.slice(-RECENT);
    if (this.#publishing) this.#publish(zxid, events);
  }

  /** The leader starts publishing: first what the stream may lack since `after`, then every new txn. */
  start(after: number): void {
    for (const r of this.#recent) if (r.zxid > after) this.#publish(r.zxid, r.events);
    this.#publishing = true;
  }

  /** A new leader republishes whatever is still unacknowledged here. */
  stop(): void {
    this.#publishing = false;
    this.#unacked.clear();
  }

  get unacknowledged(): number {
    return this.#unacked.size;
  }

  close(): void {
    this.stop();
    clearInterval(this.#timer);
    this.#sub.unsubscribe();
  }

  #publish(zxid: number, events: readonly WatchEvent[]): void {
    const hex = toHex(zxid);
    events.forEach((e, i) => {
      const id = `${hex}-${i}`;
      const h = headers();
      h.set(H_ZXID, hex);
      h.set("Nats-Msg-Id", id);
      const unacked = {
        subject: pathToSubject(e.path, this.#prefix),
        payload: eventPayload(e),
        headers: h,
        sentAt: 0,
      };
      this.#unacked.set(id, unacked);
      this.#send(id, unacked);
    });
  }

  #send(id: string, u: Unacked): void {
    u.sentAt = performance.now();
    this.#nc.publish(u.subject, u.payload, { headers: u.headers, reply: `${this.#inbox}.${id}` });
  }

  #acked(msg: Msg): void {
    // A PubAck is {"stream":…,"seq":…}; an error, or a status message without a body, leaves the
    // event unacknowledged, to be sent again. A substring test spares a JSON parse per event.
    const text = msg.string();
    if (text.startsWith("{") && !text.includes('"error"'))
      this.#unacked.delete(msg.subject.slice(this.#inbox.length + 1));
  }

  #retry(): void {
    if (!this.#publishing) return;
    const due = performance.now() - RETRY_MS;
    for (const [id, u] of this.#unacked) if (u.sentAt < due) this.#send(id, u);
  }
}
