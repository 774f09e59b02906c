/**
 * Whether a member may serve. A ZooKeeper server stops serving its clients once it loses its leader (a
 * follower that hears nothing for syncLimit ticks goes LOOKING and closes their connections): its tree
 * may have fallen behind, and its clients' sessions may expire at the leader without it knowing. An nzk
 * member is in contact while it has heard, within limitMs, from the leadership (its leader answering a
 * ping as leader) or from JetStream's quorum (a txn applied from the log, or its own claim or lease
 * renewal acknowledged). Times are the caller's (performance.now()).
 */
export class Contact {
  readonly #limitMs: number;
  #lastHeard: number;

  constructor(limitMs: number, now: number) {
    this.#limitMs = limitMs;
    this.#lastHeard = now;
  }

  heard(now: number): void {
    this.#lastHeard = Math.max(this.#lastHeard, now);
  }

  /** how long since the member last heard from the leadership or the quorum */
  silentMs(now: number): number {
    return Math.max(0, now - this.#lastHeard);
  }

  inContact(now: number): boolean {
    return this.silentMs(now) <= this.#limitMs;
  }
}
