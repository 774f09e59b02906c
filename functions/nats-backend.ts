/**
 * The Backend over NATS, for handlers with no member in their process: calls are request/reply to
 * whichever member answers (nats-service.ts); one-shot watches subscribe to the path's event subject
 * before asking a member, after a sync, whether the change already happened; event streams are
 * ordered JetStream consumers of the durable events stream, filtered to the path or its subtree.
 * The connection may be TCP (Node) or WebSocket (the Worker): this file never opens one itself.
 */
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { isZkError, type ZkError, zkError } from "../core/errors.ts";
import type { WatchEvent } from "../core/records.ts";
import { DEFAULT_EVENT_PREFIX, pathToSubject, subtreeSubject } from "../core/subjects.ts";
import { parseId } from "../core/zxid.ts";
import {
  type Backend,
  type EventStreamOptions,
  WATCH_EVENTS,
  type WatchCheck,
  type WatchType,
} from "./backend.ts";
import { type Call, type CallReply, callSubject, decodeCall, encodeCall } from "./nats-codec.ts";

export interface NatsBackendOptions {
  readonly apiPrefix?: string;
  readonly eventPrefix?: string;
  readonly eventsStream?: string;
  /** how long a call may take before it is ConnectionLoss */
  readonly timeoutMs?: number;
}

type Method<K extends keyof Backend> = Backend[K] extends (...args: infer A) => infer R
  ? (...args: A) => R
  : never;

export class NatsBackend implements Backend {
  readonly #nc: NatsConnection;
  readonly #apiPrefix: string;
  readonly #eventPrefix: string;
  readonly #eventsStream: string;
  readonly #timeoutMs: number;

  constructor(nc: NatsConnection, options: NatsBackendOptions = {}) {
    this.#nc = nc;
    this.#apiPrefix = options.apiPrefix ?? "nzk.api";
    this.#eventPrefix = options.eventPrefix ?? DEFAULT_EVENT_PREFIX;
    this.#eventsStream = options.eventsStream ?? "NZK_EVENTS";
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  create: Method<"create"> = (...a) => this.#call("create", a);
  getData: Method<"getData"> = (...a) => this.#call("getData", a);
  exists: Method<"exists"> = (...a) => this.#call("exists", a);
  setData: Method<"setData"> = (...a) => this.#call("setData", a);
  delete: Method<"delete"> = async (...a) => (await this.#call<ZkError | null>("delete", a)) ?? undefined;
  getChildren: Method<"getChildren"> = (...a) => this.#call("getChildren", a);
  getChildrenData: Method<"getChildrenData"> = (...a) => this.#call("getChildrenData", a);
  getDescendants: Method<"getDescendants"> = (...a) => this.#call("getDescendants", a);
  getACL: Method<"getACL"> = (...a) => this.#call("getACL", a);
  setACL: Method<"setACL"> = (...a) => this.#call("setACL", a);
  multi: Method<"multi"> = (...a) => this.#call("multi", a);
  sync: Method<"sync"> = (...a) => this.#call("sync", a);
  createSession: Method<"createSession"> = (...a) => this.#call("createSession", a);
  keepalive: Method<"keepalive"> = (...a) => this.#call("keepalive", a);
  closeSession: Method<"closeSession"> = async (...a) =>
    (await this.#call<ZkError | null>("closeSession", a)) ?? undefined;
  sessionInfo: Method<"sessionInfo"> = (...a) => this.#call("sessionInfo", a);
  addAuth: Method<"addAuth"> = async (...a) => (await this.#call<ZkError | null>("addAuth", a)) ?? undefined;
  status: Method<"status"> = async () => {
    const out = await this.#call<Record<string, unknown> | ZkError>("status", []);
    return isZkError(out) ? { mode: "looking", ready: false, error: out } : out;
  };
  stats: Method<"stats"> = async () => {
    const out = await this.#call<Awaited<ReturnType<Backend["stats"]>> | ZkError>("stats", []);
    if (isZkError(out)) throw new Error(out.message);
    return out;
  };

  async watch(
    path: string,
    type: WatchType,
    after: number | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<WatchEvent | undefined | ZkError> {
    const sub = this.#nc.subscribe(pathToSubject(path, this.#eventPrefix));
    const stop = (): void => sub.unsubscribe();
    const timer = setTimeout(stop, timeoutMs);
    signal.addEventListener("abort", stop, { once: true });
    try {
      await this.#nc.flush();
      const check = await this.#call<WatchCheck | ZkError>("watchCheck", [path, type, after]);
      if (isZkError(check)) return check;
      if (check.event !== undefined) return check.event;
      const since = after ?? check.zxid;
      const kinds = WATCH_EVENTS[type];
      for await (const msg of sub) {
        const event = parseEvent(msg.data);
        if (event !== undefined && event.zxid > since && kinds.includes(event.type)) return event;
      }
      return undefined;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      stop();
    }
  }

  async *events(options: EventStreamOptions): AsyncGenerator<WatchEvent> {
    const { path, recursive, since, signal } = options;
    const own = pathToSubject(path, this.#eventPrefix);
    const consumer = await jetstream(this.#nc).consumers.get(this.#eventsStream, {
      filter_subjects: recursive ? [own, subtreeSubject(path, this.#eventPrefix)] : [own],
      // Resuming reads from the start of the retained stream and skips what the client has seen.
      deliver_policy: since === undefined ? DeliverPolicy.New : DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    const stop = (): void => void messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const msg of messages) {
        const event = parseEvent(msg.data);
        if (event !== undefined && (since === undefined || event.zxid > since)) yield event;
      }
    } finally {
      signal.removeEventListener("abort", stop);
      stop();
    }
  }

  async #call<T>(call: Call, args: unknown[]): Promise<T> {
    try {
      const msg = await this.#nc.request(callSubject(this.#apiPrefix, call), encodeCall({ args }), {
        timeout: this.#timeoutMs,
      });
      const reply = decodeCall<CallReply>(msg.data);
      return ("error" in reply ? reply.error : reply.ok) as T;
    } catch (err) {
      return zkError("ConnectionLoss", `no member answered ${call}: ${(err as Error).message}`) as T;
    }
  }
}

/** an event as member/events.ts publishes it: {"type", "path", "zxid": "0x…"} */
function parseEvent(data: Uint8Array): WatchEvent | undefined {
  try {
    const raw = JSON.parse(new TextDecoder().decode(data)) as {
      type: WatchEvent["type"];
      path: string;
      zxid: string;
    };
    const zxid = parseId(raw.zxid);
    return zxid === undefined ? undefined : { type: raw.type, path: raw.path, zxid };
  } catch {
    return undefined;
  }
}
