/**
 * Watches (shared/API.md, "Watches"). The one-shot long poll answers the first event after the zxid
 * the client last saw, so a change between its read and its watch is never missed. The SSE stream
 * resumes after Last-Event-ID or `since` out of the durable events stream; it holds at most a bounded
 * number of unsent events for a slow reader, then ends with a `resume` event naming the zxid to
 * reconnect from, so a reader that cannot keep up costs the server a fixed amount of memory.
 */
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { isZkError, zkError } from "../../core/errors.ts";
import type { WatchEvent } from "../../core/records.ts";
import { parseId, toHex } from "../../core/zxid.ts";
import type { Backend } from "../backend.ts";
import { badArguments } from "../errors.ts";
import type { HeldWatches } from "../held-watches.ts";
import { route } from "../route.ts";
import { errorResponses, json, ZnodePathParam } from "../schemas/common.ts";
import { EventsQuery, WatchEventOut, WatchQuery } from "../schemas/events.ts";
import { oneShotWatch, openEventStream } from "../watch.ts";
import { type RouteContext, validZnode } from "./context.ts";

export interface EventRouteOptions {
  readonly sseBufferEvents: number;
  readonly maxWatchMs: number;
  /** the watches and streams this instance is serving now */
  readonly watches: HeldWatches;
}

const tags = ["watches"];

export const eventJson = (e: WatchEvent) => ({ type: e.type, path: e.path, zxid: toHex(e.zxid) });

/** ConnectionLoss for a watch asked of a member in this process that does not serve now. */
function notServing(backend: Backend, path: string) {
  const why = backend.unavailable?.();
  return why === undefined ? undefined : zkError("ConnectionLoss", why, path);
}

/**
 * A watch's signal: it aborts when its request does, when abort() is called, or when the member in
 * this process stops serving (it lost contact with its leader), so that the client goes to another
 * member, as a ZooKeeper server that loses its leader drops its clients' connections and their
 * watches. done() aborts it and lets go of the request and the member.
 */
function watchSignal(backend: Backend, request: AbortSignal) {
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort();
  request.addEventListener("abort", onRequestAbort, { once: true });
  let stoppedServing = false;
  const off = backend.onServingChange?.((serving) => {
    if (serving) return;
    stoppedServing = true;
    abort.abort();
  });
  return {
    signal: abort.signal,
    /** whether it aborted because the member stopped serving */
    get stoppedServing() {
      return stoppedServing;
    },
    abort: () => abort.abort(),
    done: () => {
      abort.abort();
      request.removeEventListener("abort", onRequestAbort);
      off?.();
    },
  };
}

export function eventRoutes({ app, backend, options }: RouteContext, limits: EventRouteOptions): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/watch/{path}",
      summary: "one-shot watch: the first event after zxid, at once if it already happened; 204 on timeout",
      tags,
      params: ZnodePathParam,
      query: WatchQuery,
      responses: {
        200: json(WatchEventOut, "the event"),
        204: { description: "timed out" },
        ...errorResponses,
      },
    },
    async ({ path, query, ctx, c }) => {
      const invalid = validZnode(path) ?? notServing(backend, path);
      if (invalid) return invalid;
      const timeoutMs = Math.min(query.timeoutMs ?? 30_000, limits.maxWatchMs);
      const after = query.zxid === undefined ? undefined : parseId(query.zxid);
      const held = limits.watches.hold({
        kind: query.type,
        path,
        recursive: false,
        token: ctx.token,
        remote: ctx.remoteAddress,
        lastZxid: after,
      });
      const watching = watchSignal(backend, c.req.raw.signal);
      const event = await oneShotWatch(backend, ctx, {
        path,
        type: query.type,
        after,
        timeoutMs,
        signal: watching.signal,
      }).finally(() => {
        held.end();
        watching.done();
      });
      if (isZkError(event)) return event;
      if (watching.stoppedServing)
        return zkError("ConnectionLoss", "this member stopped serving; watch again through another", path);
      if (event === undefined) return c.body(null, 204);
      return c.json(eventJson(event));
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/events/{path}",
      summary: "Server-Sent Events of the path (or its subtree), resumable with Last-Event-ID or since",
      tags,
      params: ZnodePathParam,
      query: EventsQuery,
      responses: {
        200: { description: "text/event-stream: id <zxid>, event <type>, data WatchEvent" },
        ...errorResponses,
      },
    },
    async ({ path, query, ctx, c }) => {
      const invalid = validZnode(path) ?? notServing(backend, path);
      if (invalid) return invalid;
      const resumeFrom = query.since ?? c.req.header("last-event-id");
      const since = resumeFrom === undefined ? undefined : parseId(resumeFrom);
      if (resumeFrom !== undefined && since === undefined)
        return badArguments(`cannot resume from ${resumeFrom}`);
      const watching = watchSignal(backend, c.req.raw.signal);
      let events: AsyncIterable<WatchEvent>;
      try {
        events = await openEventStream(backend, {
          path,
          recursive: query.recursive === "true",
          signal: watching.signal,
          ...(since === undefined ? {} : { since }),
        });
      } catch (err) {
        watching.done();
        return zkError("ConnectionLoss", `the events stream is unreachable: ${(err as Error).message}`, path);
      }
      const held = limits.watches.hold({
        kind: "stream",
        path,
        recursive: query.recursive === "true",
        token: ctx.token,
        remote: ctx.remoteAddress,
        lastZxid: since,
      });
      return streamSSE(c, async (stream) => {
        stream.onAbort(watching.abort);
        try {
          await serve(stream, events, path, since, limits.sseBufferEvents, held.sent);
        } finally {
          held.end();
          watching.done();
        }
      });
    },
  );
}

/** Writes the events as SSE, dropping the client with a `resume` event once it is too far behind. */
async function serve(
  stream: SSEStreamingApi,
  events: AsyncIterable<WatchEvent>,
  path: string,
  since: number | undefined,
  buffer: number,
  sent: () => void,
): Promise<void> {
  const queue = new BoundedQueue<WatchEvent>(buffer);
  let lastSent = since;
  const pump = (async () => {
    try {
      for await (const event of events) {
        if (!queue.push(event)) break;
      }
      queue.end();
    } catch {
      queue.overflow();
    }
  })();
  await stream.writeSSE({ event: "open", data: JSON.stringify({ path, since: since ?? null }) });
  for (;;) {
    const next = await queue.shift();
    if (next === "end") break;
    if (next === "overflow") {
      await stream.writeSSE({
        event: "resume",
        data: JSON.stringify({
          reason: "the stream cannot go on from here: reconnect with since",
          since: lastSent === undefined ? null : toHex(lastSent),
        }),
      });
      break;
    }
    await stream.writeSSE({
      id: toHex(next.zxid),
      event: next.type,
      data: JSON.stringify(eventJson(next)),
    });
    sent();
    lastSent = next.zxid;
  }
  await pump.catch(() => {});
}

/** A FIFO of at most `limit` items; pushing past it marks the queue overflowed for its reader. */
class BoundedQueue<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #state: "open" | "end" | "overflow" = "open";
  #wake: (() => void) | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(item: T): boolean {
    if (this.#state !== "open") return false;
    if (this.#items.length >= this.#limit) {
      this.#state = "overflow";
      this.#items.length = 0;
    } else this.#items.push(item);
    this.#wake?.();
    return this.#state === "open";
  }

  overflow(): void {
    this.#state = "overflow";
    this.#items.length = 0;
    this.#wake?.();
  }

  end(): void {
    if (this.#state === "open") this.#state = "end";
    this.#wake?.();
  }

  async shift(): Promise<T | "end" | "overflow"> {
    for (;;) {
      if (this.#state === "overflow") return "overflow";
      const item = this.#items.shift();
      if (item !== undefined) return item;
      if (this.#state === "end") return "end";
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
