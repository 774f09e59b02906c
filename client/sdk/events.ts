/**
 * An endless, gap-free stream of a path's events (its subtree's when recursive) over the API's SSE
 * route. It starts after a zxid: the caller's, else the one a sync returns, so a reconnect (network
 * trouble, or the server ending a slow reader's stream with `resume`) asks for everything after the
 * last event delivered and nothing is missed or repeated while the events stream retains it.
 */
import { isRetryable, NzkError } from "./errors.ts";
import { type Http, routeOf } from "./http.ts";
import { backoffMs, DEFAULT_RETRY, delay } from "./retry.ts";
import { readSse } from "./sse.ts";
import type { EventType, WatchEvent } from "./types.ts";

export interface EventsOptions {
  readonly recursive?: boolean;
  /** deliver the events after this zxid ("0x…"); default: after the current state */
  readonly since?: string;
  readonly signal?: AbortSignal;
}

const TYPES: ReadonlySet<string> = new Set<EventType>([
  "NodeCreated",
  "NodeDeleted",
  "NodeDataChanged",
  "NodeChildrenChanged",
]);

export async function* eventStream(
  http: Http,
  path: string,
  options: EventsOptions = {},
): AsyncGenerator<WatchEvent> {
  const { signal } = options;
  let since =
    options.since ??
    (await http.call<{ zxid: string }>("POST", routeOf("/v1/sync", path), { ...(signal ? { signal } : {}) }))
      .body.zxid;
  for (let failures = 0; !signal?.aborted; ) {
    try {
      const res = await http.open(routeOf("/v1/events", path), {
        query: { recursive: options.recursive === true ? "true" : undefined, since },
        ...(signal ? { signal } : {}),
      });
      failures = 0;
      for await (const msg of readSse(res.body!)) {
        if (msg.event === "resume") break;
        if (!TYPES.has(msg.event)) continue;
        const event = JSON.parse(msg.data) as WatchEvent;
        since = event.zxid;
        yield event;
      }
    } catch (err) {
      if (signal?.aborted) return;
      // a body cut off mid-stream surfaces as the runtime's own error, which a reconnect cures
      if (err instanceof NzkError && !isRetryable(err)) throw err;
      await delay(backoffMs(DEFAULT_RETRY, failures++), signal).catch(() => {});
    }
  }
}
