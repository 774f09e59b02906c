/**
 * A follower's judgement of its leader from the outcome of its pings, fed with times by the caller.
 * A leader is suspected after `misses` pings in a row went unanswered, or when nothing was heard from
 * it for `silenceMs` (a paused leader answers nothing, yet each ping only fails at its own timeout).
 * Suspicion only permits an election attempt: fencing on the log keeps a wrong suspicion safe.
 */
export interface DetectorConfig {
  readonly misses: number;
  readonly silenceMs: number;
}

export class FailureDetector {
  readonly #config: DetectorConfig;
  #lastHeard: number;
  #missed = 0;

  constructor(config: DetectorConfig, now: number) {
    this.#config = config;
    this.#lastHeard = now;
  }

  /** A new leader (or the same leader re-elected) starts with a clean slate. */
  reset(now: number): void {
    this.#lastHeard = now;
    this.#missed = 0;
  }

  heard(now: number): void {
    this.#lastHeard = Math.max(this.#lastHeard, now);
    this.#missed = 0;
  }

  missed(): void {
    this.#missed += 1;
  }

  suspects(now: number): boolean {
    return this.#missed >= this.#config.misses || now - this.#lastHeard >= this.#config.silenceMs;
  }
}
