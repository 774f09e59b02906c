/**
 * Watch events on NATS (shared/API.md, "On NATS"). After a txn commits, the leader publishes each of
 * its events on the subject of its path (core/subjects.ts); the events stream captures those subjects,
 * so one publish serves both live subscribers and consumers resuming from a zxid.
 *
 * Events are plain publishes: no reply, so JetStream sends no acknowledgement per event (acknowledging
 * cost nats-server and the leader more CPU than storing). Instead each event carries the stream
 * sequence it must follow (Nats-Expected-Last-Sequence), so the stream stores an event only right
 * after the one before it: it holds a gap-free run of the events in log order, each once, and an
 * event it did not store (dropped, or refused because one before it was) stops the run. The leader
 * looks at the stream's last sequence every CHECK_MS while events are outstanding; when the run has
 * stopped short of what it published an interval earlier, it rebases: it reads which event the stream
 * holds last and publishes again every event after it. It rebases at once when it starts leading and
 * after a reconnect too (the server may have lost unsynced events: on a single server the stream is
 * written with JetStream's asynchronous persistence, 2.12+, as every event can be derived again from
 * the log).
 * Two leaders for a moment (a failover) derive the same sequence for every event from the same log,
 * so whichever copy arrives second is refused: the stream never holds an event twice.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  PersistMode,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { parseEvent } from "../core/event-payload.ts";
import type { WatchEvent } from "../core/records.ts";
import { pathToSubject } from "../core/subjects.ts";
import { toHex } from "../core/zxid.ts";
import { type EventFrame, EventWriter } from "./event-frames.ts";
import { RecentEvents, type RecentTxn } from "./recent-events.ts";

export interface EventSettings {
  readonly stream: string;
  readonly prefix: string;
  readonly replicas: number;
  readonly maxAgeSeconds: number;
}

export type EventLog = (event: string, fields?: Record<string, unknown>) => void;

/** how many recent events every member keeps, for a new leader to republish (about 100,000 creates) */
const RECENT_EVENTS = 2 ** 18;
/** how often the leader compares the stream's last sequence with what it published */
const CHECK_MS = 250;
/** the longest wait between rebases while the stream keeps refusing what was published again */
const MAX_RETRY_MS = 4000;
/**
 * nats-server's default max_control_line: a longer HPUB line makes the server close the connection,
 * so an event whose subject cannot fit is never published (and takes no place in the sequence).
 */
const MAX_SUBJECT = 4096 - 64;
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
    allow_direct: true,
    // Single-server only: nats-server refuses asynchronous persistence on a replicated stream, where
    // the quorum already stands for the fsync it saves.
    ...(s.replicas === 1 ? { persist_mode: PersistMode.Async } : {}),
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

/** An event's place in the log: its txn's zxid and its index in the txn (Infinity: the txn's last). */
interface Position {
  readonly zxid: number;
  readonly index: number;
}

const BEFORE_ALL: Position = { zxid: 0, index: Number.POSITIVE_INFINITY };

const publishable = (e: WatchEvent, prefix: string): boolean =>
  pathToSubject(e.path, prefix).length <= MAX_SUBJECT;

/**
 * Every member remembers recent events; only the leader publishes, from start() until stop(): first a
 * rebase (what the stream lacks), then every applied txn at once, while checks every CHECK_MS find
 * and fill a run the stream stopped.
 */
export class EventPublisher {
  readonly #nc: NatsConnection;
  readonly #writer: EventWriter;
  readonly #prefix: string;
  readonly #stream: string;
  readonly #log: EventLog;
  readonly #timer: NodeJS.Timeout;
  #jsm: Promise<JetStreamManager> | undefined;
  readonly #recent = new RecentEvents(RECENT_EVENTS);
  #phase: "idle" | "rebasing" | "live" = "idle";
  /** bumped by start() and stop(), so an answer for an earlier phase is ignored */
  #generation = 0;
  #rebaseRunning = false;
  #checking = false;
  /** the newest event published (or, after a rebase, found in the stream) */
  #published: Position = BEFORE_ALL;
  /** the stream sequence the next event published must take */
  #nextSeq = 1;
  /** the stream's last sequence at the latest check */
  #seenSeq = 0;
  /** the last sequence published before the latest check: the stream should be there by the next */
  #dueSeq = 0;
  /** the stream's last sequence at the latest rebase, and when it was */
  #rebasedAt = { seq: -1, at: 0 };
  #retryMs = CHECK_MS;
  /** the stream did not answer the latest request (logged once until it answers again) */
  #failing = false;

  constructor(nc: NatsConnection, settings: { prefix: string; stream: string }, log: EventLog = () => {}) {
    this.#nc = nc;
    this.#writer = new EventWriter(nc);
    this.#prefix = settings.prefix;
    this.#stream = settings.stream;
    this.#log = log;
    this.#timer = setInterval(() => this.#check(), CHECK_MS);
    this.#timer.unref();
  }

  /** Called for every applied txn, in log order. */
  applied(zxid: number, events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    this.#recent.add(zxid, events);
    if (this.#phase === "live") this.#publish({ zxid, events });
  }

  /** The leader starts (or, after a reconnect, resumes) publishing from where the stream ends. */
  start(): void {
    this.#generation++;
    this.#phase = "rebasing";
    this.#rebase();
  }

  stop(): void {
    this.#generation++;
    this.#phase = "idle";
  }

  close(): void {
    this.stop();
    clearInterval(this.#timer);
  }

  #publish(txn: RecentTxn): void {
    const p = this.#published;
    const from = txn.zxid > p.zxid ? 0 : txn.zxid === p.zxid ? p.index + 1 : txn.events.length;
    if (from >= txn.events.length) return;
    const frames: EventFrame[] = [];
    for (let i = from; i < txn.events.length; i++) {
      const event = txn.events[i]!;
      const subject = pathToSubject(event.path, this.#prefix);
      if (subject.length > MAX_SUBJECT) continue;
      frames.push({ subject, event, expectedLastSeq: this.#nextSeq - 1 });
      this.#nextSeq++;
    }
    this.#writer.write(toHex(txn.zxid), frames);
    this.#published = { zxid: txn.zxid, index: txn.events.length - 1 };
  }

  /** Asks the stream where its run ends, then publishes every remembered event after that. */
  #rebase(): void {
    if (this.#rebaseRunning) return;
    this.#rebaseRunning = true;
    const generation = this.#generation;
    this.#streamEnd().then(
      ({ seq, position }) => {
        this.#rebaseRunning = false;
        if (generation !== this.#generation) {
          if (this.#phase === "rebasing") this.#rebase();
          return;
        }
        this.#failing = false;
        this.#rebasedAt = { seq, at: performance.now() };
        this.#nextSeq = seq + 1;
        this.#seenSeq = seq;
        this.#dueSeq = seq;
        this.#published = position;
        this.#phase = "live";
        for (const txn of this.#recent.after(position.zxid - 1)) this.#publish(txn);
      },
      (err: Error) => {
        // The next check tries again.
        this.#rebaseRunning = false;
        this.#unreachable(err);
      },
    );
  }

  /** The stream's last sequence and which event it holds there. */
  async #streamEnd(): Promise<{ seq: number; position: Position }> {
    const newest = this.#recent.newestZxid;
    const jsm = await this.#manager();
    const { state } = await jsm.streams.info(this.#stream);
    const seq = state.last_seq;
    if (seq === 0) return { seq, position: BEFORE_ALL };
    const zxid = await this.#zxidAt(jsm, seq);
    if (zxid === undefined) {
      // Aged out (or not an event): what it followed is beyond recall, so publishing resumes with
      // the txns applied from now on.
      return { seq, position: { zxid: newest, index: Number.POSITIVE_INFINITY } };
    }
    const txn = this.#recent.txn(zxid);
    if (txn === undefined) return { seq, position: { zxid, index: Number.POSITIVE_INFINITY } };
    // The stream holds a prefix of the txn's (publishable) events: count how many by reading back.
    const indices = txn.events.flatMap((e, i) => (publishable(e, this.#prefix) ? [i] : []));
    let held = 1;
    while (held < indices.length && seq - held >= state.first_seq) {
      if ((await this.#zxidAt(jsm, seq - held)) !== zxid) break;
      held++;
    }
    return { seq, position: { zxid, index: indices[held - 1] ?? Number.POSITIVE_INFINITY } };
  }

  /** The zxid of the event at seq, from its payload; undefined when it is gone or not an event. */
  async #zxidAt(jsm: JetStreamManager, seq: number): Promise<number | undefined> {
    const m = await jsm.streams.getMessage(this.#stream, { seq });
    return m === null ? undefined : parseEvent(m.data)?.zxid;
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= jetstreamManager(this.#nc).catch((err: unknown) => {
      this.#jsm = undefined;
      throw err;
    });
    return this.#jsm;
  }

  /**
   * Rebases when the stream's run has not moved for a whole interval and still lacks events published
   * before the previous check (a slow server that is still storing is left to catch up), or when it
   * holds more than this leader published (another leader is ahead of it).
   */
  #check(): void {
    if (this.#phase === "rebasing") {
      this.#rebase();
      return;
    }
    if (this.#phase !== "live" || this.#checking || this.#seenSeq >= this.#nextSeq - 1) return;
    this.#checking = true;
    const generation = this.#generation;
    const published = this.#nextSeq - 1;
    this.#manager()
      .then((jsm) => jsm.streams.info(this.#stream))
      .then(
        ({ state }) => {
          this.#checking = false;
          this.#failing = false;
          if (generation !== this.#generation) return;
          const last = state.last_seq;
          const stalled = last === this.#seenSeq && last < this.#dueSeq;
          if (!stalled && last <= this.#nextSeq - 1) {
            this.#seenSeq = last;
            this.#dueSeq = published;
            return;
          }
          // While the stream stays where the last rebase found it, republishing is wasted on it (and
          // repeated to live subscribers): wait twice as long each time.
          if (last !== this.#rebasedAt.seq) this.#retryMs = CHECK_MS;
          else if (performance.now() - this.#rebasedAt.at < this.#retryMs) return;
          else this.#retryMs = Math.min(2 * this.#retryMs, MAX_RETRY_MS);
          this.#log("events stream behind", { last, published: this.#nextSeq - 1 });
          this.#phase = "rebasing";
          this.#rebase();
        },
        (err: Error) => {
          this.#checking = false;
          this.#unreachable(err);
        },
      );
  }

  #unreachable(err: Error): void {
    if (!this.#failing) this.#log("events stream unreachable", { error: err.message });
    this.#failing = true;
  }
}
