/**
 * Watch events of a member in the same process: every applied txn's events, handed to the one-shot
 * watches and event streams waiting on them, plus a bounded window of recent events that an event
 * stream resumes from. A one-shot watch first compares the tree with the zxid the client last saw and
 * only then waits, in the same turn of the event loop, so no change can slip between the two.
 */
import type { ZkError } from "../core/errors.ts";
import { keeperError } from "../core/keeper-error.ts";
import type { EventType, WatchEvent } from "../core/records.ts";
import type { TreeView } from "../core/tree-view.ts";
import type { Replica } from "../member/replica.ts";
import { type EventStreamOptions, WATCH_EVENTS, type WatchType } from "./backend.ts";

type Listener = (event: WatchEvent) => void;

/** Thrown by an event stream that cannot go on: its reader fell too far behind, or `since` is too old. */
export class EventStreamGap extends Error {
  override readonly name = "EventStreamGap";
  readonly resumeAfter: number | undefined;
  constructor(message: string, resumeAfter: number | undefined) {
    super(message);
    this.resumeAfter = resumeAfter;
  }
}

export class EventHub {
  readonly #listeners = new Set<Listener>();
  readonly #recent: WatchEvent[] = [];
  readonly #window: number;
  /** the highest zxid whose events left the window: a stream cannot resume from before it */
  #forgottenUpTo = 0;

  constructor(window = 100_000) {
    this.#window = window;
  }

  /** Hooks the hub onto a replica's applied events, keeping whatever callback it had. */
  static attach(replica: Replica, window?: number): EventHub {
    const hub = new EventHub(window);
    const previous = replica.onApplied;
    replica.onApplied = (applied, txn) => {
      previous(applied, txn);
      for (const event of applied.events) hub.publish(event);
    };
    return hub;
  }

  get watchCount(): number {
    return this.#listeners.size;
  }

  publish(event: WatchEvent): void {
    this.#recent.push(event);
    if (this.#recent.length > this.#window) {
      const dropped = this.#recent.splice(0, this.#recent.length - this.#window);
      this.#forgottenUpTo = dropped[dropped.length - 1]!.zxid;
    }
    for (const listener of this.#listeners) listener(event);
  }

  watch(
    tree: TreeView,
    path: string,
    type: WatchType,
    after: number | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<WatchEvent | undefined | ZkError> {
    const already = this.alreadyHappened(tree, path, type, after);
    if (already !== undefined) return Promise.resolve(already);
    const since = after ?? tree.lastZxid;
    const kinds: readonly EventType[] = WATCH_EVENTS[type];
    return new Promise((resolve) => {
      const finish = (event: WatchEvent | undefined): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#listeners.delete(listener);
        resolve(event);
      };
      const listener: Listener = (event) => {
        if (event.path === path && event.zxid > since && kinds.includes(event.type)) finish(event);
      };
      const onAbort = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#listeners.add(listener);
      if (signal.aborted) finish(undefined);
    });
  }

  /**
   * Events at the path (or below it) in zxid order: first those after `since` still in the window,
   * then live ones. At most `buffer` may wait unread; past that the stream throws EventStreamGap.
   */
  async *events(options: EventStreamOptions, buffer = 10_000): AsyncGenerator<WatchEvent> {
    const { path, recursive, since, signal } = options;
    const below = path === "/" ? "/" : `${path}/`;
    const matches = (e: WatchEvent): boolean => e.path === path || (recursive && e.path.startsWith(below));
    const queue: WatchEvent[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const listener: Listener = (event) => {
      if (!matches(event)) return;
      if (queue.length >= buffer) overflowed = true;
      else queue.push(event);
      wake?.();
    };
    const onAbort = (): void => wake?.();
    if (since !== undefined) {
      if (since < this.#forgottenUpTo)
        throw new EventStreamGap(
          `events up to ${this.#forgottenUpTo} are no longer held`,
          this.#forgottenUpTo,
        );
      for (const event of this.#recent) if (event.zxid > since && matches(event)) queue.push(event);
    }
    this.#listeners.add(listener);
    signal.addEventListener("abort", onAbort, { once: true });
    let last = since;
    try {
      for (;;) {
        if (signal.aborted) return;
        if (overflowed) throw new EventStreamGap("the reader fell behind", last);
        const event = queue.shift();
        if (event !== undefined) {
          last = event.zxid;
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.#listeners.delete(listener);
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** the event the client has not seen yet, judged from the tree against the zxid it last saw */
  alreadyHappened(
    tree: TreeView,
    path: string,
    type: WatchType,
    after: number | undefined,
  ): WatchEvent | ZkError | undefined {
    const stat = tree.stat(path);
    if (stat === undefined) {
      if (type === "exists") return after === undefined ? undefined : this.#deletedSince(path, after);
      if (after === undefined) return keeperError("NoNode", path);
      return this.#deletedSince(path, after) ?? { type: "NodeDeleted", path, zxid: tree.lastZxid };
    }
    if (after === undefined) return undefined;
    if (type === "exists" && stat.czxid > after) return { type: "NodeCreated", path, zxid: stat.czxid };
    if (type !== "children" && stat.mzxid > after) return { type: "NodeDataChanged", path, zxid: stat.mzxid };
    if (type === "children" && stat.pzxid > after)
      return { type: "NodeChildrenChanged", path, zxid: stat.pzxid };
    return undefined;
  }

  #deletedSince(path: string, after: number): WatchEvent | undefined {
    for (const event of this.#recent)
      if (event.zxid > after && event.path === path && event.type === "NodeDeleted") return event;
    return undefined;
  }
}
