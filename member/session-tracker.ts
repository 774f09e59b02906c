/**
 * The leader's session expiry (ZooKeeper's SessionTrackerImpl): sessions sit in ExpiryQueue buckets of
 * one tick, every touch moves a session to a later bucket, and a session whose bucket comes due is
 * handed to onExpire, which turns it into a closeSession txn. Only the leader runs one; a new leader
 * starts every session with a fresh timeout, as ZooKeeper does after an election.
 */
import { ExpiryQueue } from "../core/zab/index.ts";

export class SessionTracker {
  readonly #queue: ExpiryQueue<number>;
  readonly #timeouts = new Map<number, number>();
  /** each session's bucket, for dump (the queue keeps it, but only to poll by) */
  readonly #expiresAt = new Map<number, number>();
  readonly #onExpire: (sessionId: number) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    tickMs: number,
    onExpire: (sessionId: number) => void,
    now: () => number = performance.now.bind(performance),
  ) {
    this.#now = now;
    this.#queue = new ExpiryQueue(tickMs, now());
    this.#onExpire = onExpire;
    this.#schedule();
  }

  get size(): number {
    return this.#timeouts.size;
  }

  add(sessionId: number, timeoutMs: number): void {
    this.#timeouts.set(sessionId, timeoutMs);
    this.#expiresAt.set(sessionId, this.#queue.update(sessionId, timeoutMs, this.#now()));
  }

  /** Pushes the session's expiry out by its timeout; false when the tracker does not know it. */
  touch(sessionId: number): boolean {
    const timeout = this.#timeouts.get(sessionId);
    if (timeout === undefined) return false;
    this.#expiresAt.set(sessionId, this.#queue.update(sessionId, timeout, this.#now()));
    return true;
  }

  remove(sessionId: number): void {
    this.#timeouts.delete(sessionId);
    this.#expiresAt.delete(sessionId);
    this.#queue.remove(sessionId);
  }

  /** When the session's bucket comes due, on the tracker's clock; what ZooKeeper's dump reports. */
  expiresAt(sessionId: number): number | undefined {
    return this.#expiresAt.get(sessionId);
  }

  #schedule(): void {
    if (this.#closed) return;
    // Waking a little after the bucket is due keeps one timer per tick, not one per session.
    this.#timer = setTimeout(() => this.#tick(), this.#queue.waitTime(this.#now()) + 1);
    this.#timer.unref();
  }

  #tick(): void {
    for (const sessionId of this.#queue.poll(this.#now())) {
      // Forgotten at once, so a touch racing the closeSession txn fails rather than reviving it.
      this.#timeouts.delete(sessionId);
      this.#expiresAt.delete(sessionId);
      this.#onExpire(sessionId);
    }
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
