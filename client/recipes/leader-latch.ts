/**
 * Curator's LeaderLatch: each participant adds an ephemeral sequential node under `path`; the one
 * with the lowest sequence leads, each other waits on its predecessor only. Leadership is dropped
 * (notLeader) as soon as the session is suspended, since another participant may be elected once the
 * session expires, and taken back after a reconnect if the node is still first. A lost or expired
 * session ends the latch. While leading, it watches its own node, so that a node deleted by someone
 * else is noticed and replaced.
 */
import { isNzkError, isRetryable, type NzkClient } from "../sdk/index.ts";
import { awaitChange, bySequence, createProtected, deleteQuietly, needSession } from "./nodes.ts";

export type LatchEvent = "isLeader" | "notLeader";
export type LatchState = "latent" | "started" | "closed";

export class LeaderLatch {
  readonly #client: NzkClient;
  readonly path: string;
  readonly id: string;
  readonly #listeners = new Set<(event: LatchEvent) => void>();
  readonly #stop = new AbortController();
  #state: LatchState = "latent";
  #leader = false;
  #node: string | undefined;
  #loop: Promise<void> | undefined;
  #offState: (() => void) | undefined;
  #wake: (() => void) | undefined;
  #poll: AbortController | undefined;

  constructor(client: NzkClient, path: string, id = "") {
    this.#client = client;
    this.path = path;
    this.id = id;
  }

  get isLeader(): boolean {
    return this.#leader && this.#client.session?.connected === true;
  }

  get state(): LatchState {
    return this.#state;
  }

  /** the latch's node, once created */
  get node(): string | undefined {
    return this.#node;
  }

  on(listener: (event: LatchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.#state !== "latent") throw new Error("a latch starts once");
    needSession(this.#client, `leader latch ${this.path}`);
    this.#state = "started";
    this.#node = (await createProtected(this.#client, this.path, "latch-", { data: this.id })).path;
    this.#offState = this.#client.onState((s) => this.#stateChanged(s));
    this.#loop = this.#run().catch(() => this.#setLeader(false));
  }

  /** Resolves true once this participant leads, false if timeoutMs passes or the latch ends first. */
  awaitLeadership(timeoutMs?: number): Promise<boolean> {
    if (this.isLeader) return Promise.resolve(true);
    if (this.#state === "closed") return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
      const off = this.on((e) => e === "isLeader" && done(true));
      const offClosed = this.#client.onState((s) => (s === "lost" || s === "expired") && done(false));
      const done = (v: boolean): void => {
        clearTimeout(timer);
        off();
        offClosed();
        resolve(v);
      };
    });
  }

  /** The ids of the participants in election order (the leader first). */
  async participants(): Promise<string[]> {
    const sorted = bySequence((await this.#client.children(this.path)).children);
    const ids: string[] = [];
    for (const name of sorted) {
      try {
        ids.push((await this.#client.get(`${this.path}/${name}`)).data);
      } catch (err) {
        if (!isNzkError(err, "NoNode")) throw err;
      }
    }
    return ids;
  }

  async close(): Promise<void> {
    if (this.#state !== "started") return;
    this.#state = "closed";
    this.#stop.abort();
    this.#offState?.();
    this.#setLeader(false);
    this.#wake?.();
    await this.#loop;
    if (this.#node !== undefined && this.#client.session?.alive)
      await deleteQuietly(this.#client, this.#node);
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted && this.#client.session?.alive) {
      if (!this.#client.session.connected) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      this.#poll = new AbortController();
      try {
        await this.#step(AbortSignal.any([signal, this.#poll.signal]));
      } catch (err) {
        if (!signal.aborted && !this.#poll.signal.aborted && !isRetryable(err)) throw err;
      }
    }
    this.#setLeader(false);
  }

  /** One look at the contenders: lead or not, then wait for the node that may change that. */
  async #step(signal: AbortSignal): Promise<void> {
    const sorted = bySequence((await this.#client.children(this.path)).children);
    const name = this.#node!.slice(this.path.length + 1);
    const place = sorted.indexOf(name);
    if (place < 0) {
      this.#setLeader(false);
      this.#node = (await createProtected(this.#client, this.path, "latch-", { data: this.id })).path;
      return;
    }
    const watched = place === 0 ? this.#node! : `${this.path}/${sorted[place - 1]}`;
    this.#setLeader(place === 0 && this.#client.session?.connected === true);
    await awaitChange(this.#client, watched, Number.POSITIVE_INFINITY, signal);
  }

  #stateChanged(state: string): void {
    if (state === "suspended") this.#setLeader(false);
    if (state === "lost" || state === "expired") {
      this.#setLeader(false);
      this.#stop.abort();
    }
    this.#poll?.abort();
    this.#wake?.();
  }

  #setLeader(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    for (const listener of [...this.#listeners]) listener(leader ? "isLeader" : "notLeader");
  }
}
