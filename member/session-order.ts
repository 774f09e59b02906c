/**
 * Requests that wait for a leader, released in the order they arrived. ZooKeeper executes a session's
 * requests in the order its client sent them (FIFO client order). A member passes writes on at once,
 * in arrival order, while it knows a leader that serves; only the ones that must wait (no leader yet,
 * the leader named by the election still fencing, a forward that reached no leader) could be
 * overtaken, by a write that arrives once the leader serves while they sleep out a retry interval.
 * So every request takes a ticket when it arrives; waiting ones queue by ticket, whenever they
 * started to wait (a forward in flight may come back unanswered after a newer write began waiting);
 * the queue is released as a whole, lowest ticket first, on every leader change and once per retry
 * interval; and a member lets no new write pass while any waits.
 */
export class WaitingForLeader {
  readonly #retryMs: number;
  #tickets = 0;
  #waiting: { readonly ticket: number; readonly resume: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(retryMs: number) {
    this.#retryMs = retryMs;
  }

  /** A request's place in the arrival order. */
  ticket(): number {
    this.#tickets += 1;
    return this.#tickets;
  }

  /** Whether some request waits: a newer one must wait behind it. */
  get busy(): boolean {
    return this.#waiting.length > 0;
  }

  /** Resolves at the next release; requests released together resume in ticket order. */
  wait(ticket: number): Promise<void> {
    return new Promise((resume) => {
      let at = this.#waiting.length;
      while (at > 0 && this.#waiting[at - 1]!.ticket > ticket) at -= 1;
      this.#waiting.splice(at, 0, { ticket, resume });
      this.#timer ??= setTimeout(() => this.release(), this.#retryMs);
    });
  }

  /** Wakes every waiting request, lowest ticket first; those that still cannot go wait again. */
  release(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w.resume();
  }
}
