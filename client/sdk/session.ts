/**
 * A session kept alive from the client, with Curator's ConnectionState events. Keepalives go out at a
 * third of the timeout. A failed one (no answer) makes the session `suspended`: it may still live, but
 * nothing held under it (a lock, leadership) can be trusted. An answer after that makes it
 * `reconnected`. When the whole timeout has passed since the last keepalive that was answered was
 * *sent*, the server may already have expired it, so it is `lost`: the clock starts at sending, which
 * is never later than the server's, so the client gives up no later than the server does. A server
 * that answers SessionExpired makes it `expired`. Both lost and expired are final.
 */
import { isRetryable, NzkError } from "./errors.ts";
import type { Http } from "./http.ts";
import type { SessionJson } from "./types.ts";

export type ConnectionState = "connected" | "suspended" | "reconnected" | "lost" | "expired" | "closed";

export type StateListener = (state: ConnectionState) => void;

export class Session {
  readonly sessionId: string;
  readonly timeoutMs: number;
  readonly #http: Http;
  readonly #listeners = new Set<StateListener>();
  #state: ConnectionState = "connected";
  #lastAnsweredSentAt: number;
  #tick: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(http: Http, created: SessionJson, sentAt: number) {
    this.#http = http;
    this.sessionId = created.sessionId;
    this.timeoutMs = created.timeoutMs;
    this.#lastAnsweredSentAt = sentAt;
    this.#armDeadline();
    this.#schedule(this.timeoutMs / 3);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** false once the session is lost, expired or closed: it can never come back */
  get alive(): boolean {
    return this.#state !== "lost" && this.#state !== "expired" && this.#state !== "closed";
  }

  /** true while everything held under the session can be trusted */
  get connected(): boolean {
    return this.#state === "connected" || this.#state === "reconnected";
  }

  onState(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next state change (or the current state at once if the session is already over). */
  nextState(): Promise<ConnectionState> {
    if (!this.alive) return Promise.resolve(this.#state);
    return new Promise((resolve) => {
      const off = this.onState((s) => {
        off();
        resolve(s);
      });
    });
  }

  /** A reply from the server said the session is gone. */
  expired(): void {
    this.#end("expired");
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.#end("closed");
    await this.#http
      .call("DELETE", `/v1/sessions/${this.sessionId}`, { retry: true })
      .catch((err: unknown) => {
        if (!(err instanceof NzkError && err.code === "SessionExpired")) throw err;
      });
  }

  /** Stops the keepalives without telling the server, as a crashed process would. */
  abandon(): void {
    this.#end("lost");
  }

  #schedule(ms: number): void {
    this.#tick = setTimeout(() => void this.#keepalive(), ms);
  }

  #armDeadline(): void {
    clearTimeout(this.#deadline);
    const left = this.#lastAnsweredSentAt + this.timeoutMs - Date.now();
    this.#deadline = setTimeout(() => this.#end("lost"), Math.max(0, left));
  }

  async #keepalive(): Promise<void> {
    const sentAt = Date.now();
    try {
      await this.#http.call("POST", `/v1/sessions/${this.sessionId}/keepalive`, {
        retry: false,
        timeoutMs: this.timeoutMs / 2,
      });
      if (!this.alive) return;
      this.#lastAnsweredSentAt = sentAt;
      this.#armDeadline();
      if (this.#state === "suspended") this.#set("reconnected");
      this.#schedule(this.timeoutMs / 3);
    } catch (err) {
      if (!this.alive) return;
      if (err instanceof NzkError && !isRetryable(err)) {
        this.#end("expired");
        return;
      }
      if (this.connected) this.#set("suspended");
      this.#schedule(Math.min(this.timeoutMs / 6, 1_000));
    }
  }

  #end(state: "lost" | "expired" | "closed"): void {
    if (!this.alive) return;
    clearTimeout(this.#tick);
    clearTimeout(this.#deadline);
    this.#set(state);
  }

  #set(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }
}
