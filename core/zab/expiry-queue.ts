/**
 * ZooKeeper's ExpiryQueue as a pure structure: elements expire in buckets whose times are multiples of
 * the interval, so a tracker of a million sessions wakes once per interval rather than once per session.
 * Times are fed in by the caller (the member's monotonic clock); nothing here reads a clock.
 */
export class ExpiryQueue<E> {
  readonly #interval: number;
  readonly #expiryOf = new Map<E, number>();
  readonly #buckets = new Map<number, Set<E>>();
  #next: number;

  constructor(interval: number, now: number) {
    this.#interval = interval;
    this.#next = this.#roundUp(now);
  }

  /** Rounds up past the time so an element never expires before its timeout has fully elapsed. */
  #roundUp(time: number): number {
    return (Math.floor(time / this.#interval) + 1) * this.#interval;
  }

  /** Moves the element to the bucket of now + timeout; returns that expiry time. */
  update(elem: E, timeout: number, now: number): number {
    const expiry = this.#roundUp(now + timeout);
    const prev = this.#expiryOf.get(elem);
    if (prev === expiry) return expiry;
    let bucket = this.#buckets.get(expiry);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(expiry, bucket);
    }
    bucket.add(elem);
    this.#expiryOf.set(elem, expiry);
    if (prev !== undefined) this.#buckets.get(prev)?.delete(elem);
    return expiry;
  }

  remove(elem: E): boolean {
    const prev = this.#expiryOf.get(elem);
    if (prev === undefined) return false;
    this.#expiryOf.delete(elem);
    this.#buckets.get(prev)?.delete(elem);
    return true;
  }

  has(elem: E): boolean {
    return this.#expiryOf.has(elem);
  }

  get size(): number {
    return this.#expiryOf.size;
  }

  /** Milliseconds from now until the next bucket is due (0 when one already is). */
  waitTime(now: number): number {
    return Math.max(0, this.#next - now);
  }

  /** Removes and returns every element whose bucket is due at now, across all intervals that passed. */
  poll(now: number): E[] {
    const expired: E[] = [];
    while (this.#next <= now) {
      const bucket = this.#buckets.get(this.#next);
      this.#buckets.delete(this.#next);
      if (bucket !== undefined) {
        for (const elem of bucket) {
          this.#expiryOf.delete(elem);
          expired.push(elem);
        }
      }
      this.#next += this.#interval;
    }
    return expired;
  }
}
