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
import { headers, type NatsConnection } from "@nats-io/nats-core";
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

/** Every member remembers recent events; only the leader publishes. */
export class EventPublisher {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  #recent: { zxid: number; events: readonly WatchEvent[] }[] = [];
  #publishing = false;

  constructor(nc: NatsConnection, prefix: string) {
    this.#nc = nc;
    this.#prefix = prefix;
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

  stop(): void {
    this.#publishing = false;
  }

  #publish(zxid: number, events: readonly WatchEvent[]): void {
    const hex = toHex(zxid);
    events.forEach((e, i) => {
      const h = headers();
      h.set(H_ZXID, hex);
      h.set("Nats-Msg-Id", `${hex}-${i}`);
      // A plain publish, which the events stream captures: awaiting a JetStream acknowledgement per
      // event cost the leader more CPU than its writes. What the stream may have missed is
      // republished after a reconnect or a leader change.
      this.#nc.publish(pathToSubject(e.path, this.#prefix), eventPayload(e), { headers: h });
    });
  }
}
