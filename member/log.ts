/**
 * The log: one JetStream stream, the only durable history. Appends are pipelined (the sequence of each
 * is known before the previous one is acknowledged) and every append carries two expectations that
 * JetStream checks atomically: the stream's last sequence, and the last sequence on the subject of
 * the writer's leadership (`<subject>.<epoch it was elected with>`), which must be the same message.
 * The first alone is not enough under pipelining: a deposed leader's third append in flight can expect
 * exactly the sequence a new leader's two appends reached. The second makes the check "the tip is my
 * own last append", so once anyone else appended, every later append of the deposed leader is refused.
 * A leadership's first append (its epoch record) expects an empty subject and the tip it recovered.
 * That refusal, not the election, is what keeps a deposed leader out.
 */
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { headers, type MsgHdrs, type NatsConnection } from "@nats-io/nats-core";
import { toHex } from "../core/zxid.ts";

export interface LogSettings {
  readonly stream: string;
  readonly subject: string;
  readonly replicas: number;
  /** the largest message the stream takes: a group of txns, or one 1 MiB znode plus overhead */
  readonly maxMsgBytes: number;
}

/**
 * What a log message holds. An epoch record opens a leadership (ZAB's NEWLEADER); a txns record holds
 * one group-committed message of encodeTxns bytes, with the zxid of its last txn in a header so a
 * reader can find a zxid's message without decoding.
 */
export type LogRecord =
  | { readonly kind: "epoch"; readonly epoch: number; readonly leader: string }
  | { readonly kind: "txns"; readonly lastZxid: number; readonly data: Uint8Array };

export type LogEntry = LogRecord & { readonly seq: number };

const H_KIND = "Nzk-Kind";
const H_EPOCH = "Nzk-Epoch";
const H_LEADER = "Nzk-Leader";
const H_ZXID = "Nzk-Zxid";

export class LogAppendError extends Error {
  override readonly name = "LogAppendError";
}

export async function ensureLogStream(nc: NatsConnection, s: LogSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config: Partial<StreamConfig> & { name: string } = {
    name: s.stream,
    subjects: [`${s.subject}.>`],
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_msg_size: s.maxMsgBytes,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    allow_direct: true,
    // Snapshot purges are the only way entries leave the log.
    max_age: 0,
  };
  try {
    await jsm.streams.info(s.stream);
    const { storage: _fixedAtCreation, ...updatable } = config;
    await jsm.streams.update(s.stream, updatable);
  } catch (err) {
    if ((err as { code?: number }).code !== 10059 && !/not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}

/** The last sequence JetStream holds for the log: the tip as the log, not any member, sees it. */
export async function logTip(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.last_seq;
}

/** The first sequence still in the log (after purges), 0 when it is empty. */
export async function logFirst(jsm: JetStreamManager, stream: string): Promise<number> {
  const state = (await jsm.streams.info(stream)).state;
  return state.messages === 0 ? 0 : state.first_seq;
}

function recordHeaders(record: LogRecord): MsgHdrs {
  const h = headers();
  h.set(H_KIND, record.kind);
  if (record.kind === "epoch") {
    h.set(H_EPOCH, String(record.epoch));
    h.set(H_LEADER, record.leader);
  } else {
    h.set(H_ZXID, toHex(record.lastZxid));
  }
  return h;
}

export function decodeEntry(seq: number, h: MsgHdrs | undefined, data: Uint8Array): LogEntry | undefined {
  const kind = h?.get(H_KIND);
  if (kind === "epoch") {
    return { kind, seq, epoch: Number(h!.get(H_EPOCH)), leader: h!.get(H_LEADER) };
  }
  if (kind === "txns") return { kind, seq, lastZxid: Number(h!.get(H_ZXID)), data };
  return undefined;
}

/**
 * The leader's pipelined appender, started at the tip it fenced. After one refused or unanswered
 * append every later one fails too, because its expected sequence can no longer be trusted.
 */
export class LogWriter {
  readonly #js: JetStreamClient;
  readonly #subject: string;
  readonly #timeoutMs: number;
  #last: number;
  /** the sequence of this writer's last append (0: none yet, so its subject must still be empty) */
  #lastMine = 0;
  #broken: Error | undefined;

  /** The first record appended should be the epoch record that fences the log at tip. */
  constructor(nc: NatsConnection, subjectPrefix: string, tip: number, epoch: number, timeoutMs: number) {
    this.#js = jetstream(nc);
    this.#subject = `${subjectPrefix}.${epoch}`;
    this.#timeoutMs = timeoutMs;
    this.#last = tip;
  }

  /** The sequence the last append was given (acknowledged or not). */
  get last(): number {
    return this.#last;
  }

  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Resolves with the record's sequence once JetStream has stored it; rejects with LogAppendError. */
  async append(record: LogRecord): Promise<number> {
    if (this.#broken !== undefined) throw this.#broken;
    const expected = this.#last;
    const expectedMine = this.#lastMine;
    this.#last = expected + 1;
    this.#lastMine = expected + 1;
    const data = record.kind === "txns" ? record.data : new Uint8Array(0);
    try {
      const ack = await this.#js.publish(this.#subject, data, {
        headers: recordHeaders(record),
        expect: { lastSequence: expected, lastSubjectSequence: expectedMine },
        timeout: this.#timeoutMs,
      });
      if (ack.seq !== expected + 1) throw new Error(`stored at ${ack.seq}, expected ${expected + 1}`);
      return ack.seq;
    } catch (err) {
      const failure = new LogAppendError(`append after ${expected} failed: ${(err as Error).message}`, {
        cause: err,
      });
      this.#broken ??= failure;
      throw failure;
    }
  }
}

/** heartbeats (one a second) a tail may miss before it counts as failed; nats.js resets after two */
const SILENT_HEARTBEATS = 4;

/**
 * Reads the log in order from a sequence through an ordered consumer, calling onEntry for each entry.
 * A gap (entries purged before the reader got there) is reported, never skipped over silently.
 */
export class LogTail {
  #stopped = false;
  #messages: { stop(): void } | undefined;
  readonly done: Promise<void>;

  constructor(
    nc: NatsConnection,
    stream: string,
    fromSeq: number,
    onEntry: (entry: LogEntry) => void,
    onError: (err: Error) => void,
  ) {
    this.done = this.#run(nc, stream, fromSeq, onEntry).catch((err: Error) => {
      if (!this.#stopped) onError(err);
    });
  }

  async #run(
    nc: NatsConnection,
    stream: string,
    fromSeq: number,
    onEntry: (entry: LogEntry) => void,
  ): Promise<void> {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(stream, {
      deliver_policy: "by_start_sequence",
      opt_start_seq: Math.max(1, fromSeq),
    });
    if (this.#stopped) return;
    // Pulls that expire every 2 s, so the server's idle heartbeats come every second and nats.js
    // recreates the consumer after two missed ones: a consumer lost with its node (an R3 stream's
    // ephemeral consumer lives on one server) otherwise left the tail silent for 30 s.
    const messages = await consumer.consume({ max_messages: 1000, expires: 2000 });
    this.#messages = messages;
    if (this.#stopped) messages.stop();
    // nats.js recreates the consumer after two missed heartbeats, but where the new one cannot be made
    // (the node holding it was cut off from the cluster) it goes on counting misses for good, and the
    // tail would stay silent with the log moving on: past SILENT_HEARTBEATS it ends as failed, and the
    // member starts another tail on a consumer of its own.
    let silent: Error | undefined;
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === "heartbeats_missed" && status.count >= SILENT_HEARTBEATS) {
          silent = new Error(`log tail silent: ${status.count} heartbeats missed`);
          messages.stop();
        }
      }
    })();
    let expected = Math.max(1, fromSeq);
    for await (const m of messages as AsyncIterable<JsMsg>) {
      if (this.#stopped) break;
      if (m.seq !== expected) throw new Error(`log gap: expected ${expected}, got ${m.seq}`);
      expected += 1;
      const entry = decodeEntry(m.seq, m.headers, m.data);
      if (entry === undefined) throw new Error(`log entry ${m.seq} is not an nzk record`);
      onEntry(entry);
    }
    if (silent !== undefined) throw silent;
    // nats.js ends the iteration without an error when it gives up on the consumer (the server lost it,
    // say, in a restart): a tail that stops by itself is a failure, so the member starts another.
    if (!this.#stopped) throw new Error(`log tail ended at ${expected - 1}`);
  }

  stop(): void {
    this.#stopped = true;
    this.#messages?.stop();
  }
}
