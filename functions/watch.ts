/**
 * Watches over the events the leader publishes (member/events.ts): each committed change on the
 * subject of its path, and in the durable events stream. A one-shot watch subscribes first, then reads
 * the node after a sync and compares it with the zxid the client last saw: a change the client missed
 * is answered at once, and any later one arrives on the subscription, so nothing falls between the
 * read and the watch. An event stream is an ordered JetStream consumer filtered to the path (and its
 * subtree), from the first retained event after the zxid it resumes from, else from now.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { deliverAfter } from "../client/nats/resume.ts";
import type { ZkError } from "../core/errors.ts";
import { parseEvent } from "../core/event-payload.ts";
import { keeperError } from "../core/keeper-error.ts";
import type { WatchEvent } from "../core/records.ts";
import { DEFAULT_EVENT_PREFIX, pathToSubject, subtreeSubject } from "../core/subjects.ts";
import { parseId } from "../core/zxid.ts";
import type { RequestContext, StatJson } from "../member/index.ts";
import { type Backend, WATCH_EVENTS, type WatchType } from "./backend.ts";
import { isErrorJson } from "./errors.ts";

const DEFAULT_EVENTS_STREAM = "NZK_EVENTS";

export interface OneShot {
  readonly path: string;
  readonly type: WatchType;
  /** the zxid the client last saw (mzxid, or pzxid for children); undefined: from the current state */
  readonly after: number | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** The first event the watch fires on; undefined on timeout or when the client left. */
export async function oneShotWatch(
  backend: Backend,
  ctx: RequestContext,
  watch: OneShot,
): Promise<WatchEvent | undefined | ZkError> {
  const { path, type, timeoutMs, signal } = watch;
  const prefix = backend.eventPrefix ?? DEFAULT_EVENT_PREFIX;
  const sub = backend.nc.subscribe(pathToSubject(path, prefix));
  const stop = (): void => sub.unsubscribe();
  const timer = setTimeout(stop, timeoutMs);
  signal.addEventListener("abort", stop, { once: true });
  try {
    await backend.nc.flush();
    const read = await backend.api.exists(ctx, path, { sync: true });
    const stat = isErrorJson(read) ? undefined : read.stat;
    if (isErrorJson(read) && read.error.code !== "NoNode") return read.error as ZkError;
    const missed = await missedEvent(backend, path, type, watch.after, stat);
    if (missed !== undefined) return missed;
    const since = watch.after ?? baseline(type, stat);
    const kinds = WATCH_EVENTS[type];
    for await (const msg of sub) {
      const event = parseEvent(msg.data);
      if (event !== undefined && event.path === path && event.zxid > since && kinds.includes(event.type))
        return event;
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", stop);
    stop();
  }
}

function baseline(type: WatchType, stat: StatJson | undefined): number {
  if (stat === undefined) return 0;
  return parseId(type === "children" ? stat.pzxid : stat.mzxid) ?? 0;
}

/** The event the client has not seen, judged from the node's Stat against the zxid it last saw. */
async function missedEvent(
  backend: Backend,
  path: string,
  type: WatchType,
  after: number | undefined,
  stat: StatJson | undefined,
): Promise<WatchEvent | ZkError | undefined> {
  if (stat === undefined) {
    if (type !== "exists" && after === undefined) return keeperError("NoNode", path);
    if (after === undefined) return undefined;
    const last = await lastEvent(backend, path);
    if (last?.type === "NodeDeleted" && last.zxid > after) return last;
    return type === "exists" ? undefined : { type: "NodeDeleted", path, zxid: last?.zxid ?? after };
  }
  if (after === undefined) return undefined;
  const czxid = parseId(stat.czxid) ?? 0;
  const mzxid = parseId(stat.mzxid) ?? 0;
  const pzxid = parseId(stat.pzxid) ?? 0;
  if (type === "exists" && czxid > after) return { type: "NodeCreated", path, zxid: czxid };
  if (type !== "children" && mzxid > after) return { type: "NodeDataChanged", path, zxid: mzxid };
  if (type === "children" && pzxid > after) return { type: "NodeChildrenChanged", path, zxid: pzxid };
  return undefined;
}

/** the newest event on the path's own subject, from the events stream */
async function lastEvent(backend: Backend, path: string): Promise<WatchEvent | undefined> {
  try {
    const jsm = await jetstreamManager(backend.nc, { checkAPI: false });
    const msg = await jsm.streams.getMessage(backend.eventsStream ?? DEFAULT_EVENTS_STREAM, {
      last_by_subj: pathToSubject(path, backend.eventPrefix ?? DEFAULT_EVENT_PREFIX),
    });
    return msg === null ? undefined : parseEvent(msg.data);
  } catch {
    return undefined;
  }
}

export interface StreamOptions {
  readonly path: string;
  readonly recursive: boolean;
  /** deliver the retained events after this zxid first */
  readonly since?: number;
  readonly signal: AbortSignal;
}

/**
 * The path's events (and its subtree's when recursive), in zxid order, until the signal aborts. The
 * consumer exists once this resolves, so every event committed after that is delivered.
 */
export async function openEventStream(
  backend: Backend,
  options: StreamOptions,
): Promise<AsyncIterable<WatchEvent>> {
  const { path, recursive, since, signal } = options;
  const prefix = backend.eventPrefix ?? DEFAULT_EVENT_PREFIX;
  const own = pathToSubject(path, prefix);
  const stream = backend.eventsStream ?? DEFAULT_EVENTS_STREAM;
  const consumer = await jetstream(backend.nc).consumers.get(stream, {
    filter_subjects: recursive ? [own, subtreeSubject(path, prefix)] : [own],
    ...(await deliverAfter(backend.nc, stream, since)),
  });
  const messages = await consumer.consume();
  const stop = (): void => void messages.stop();
  signal.addEventListener("abort", stop, { once: true });
  if (signal.aborted) stop();
  return (async function* () {
    try {
      for await (const msg of messages) {
        const event = parseEvent(msg.data);
        if (event !== undefined && (since === undefined || event.zxid > since)) yield event;
      }
    } finally {
      signal.removeEventListener("abort", stop);
      stop();
    }
  })();
}
