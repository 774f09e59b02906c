/**
 * Curator's InterProcessMutex: a distributed lock held through an ephemeral sequential node under
 * `path`. It is held only while the session is: once the session is suspended its holder must stop
 * acting as the holder (Curator's advice), and `held` turns false; once lost or expired the node is
 * gone and another contender may already hold the lock. Not reentrant (one acquire per release).
 */
import type { NzkClient } from "../sdk/index.ts";
import { type AttemptOptions, attemptLock, exclusive, type Predicate } from "./lock-internals.ts";
import { deleteQuietly } from "./nodes.ts";

/** One kind of lock node under a path, held by the predicate's verdict. */
export class Lock {
  readonly #client: NzkClient;
  readonly path: string;
  readonly #prefix: string;
  readonly #predicate: Predicate;
  #node: string | undefined;

  constructor(client: NzkClient, path: string, prefix: string, predicate: Predicate) {
    this.#client = client;
    this.path = path;
    this.#prefix = prefix;
    this.#predicate = predicate;
  }

  /** true once acquired; false when timeoutMs passed first. */
  async acquire(options: AttemptOptions = {}): Promise<boolean> {
    if (this.#node !== undefined) throw new Error(`already holding ${this.path}`);
    this.#node = await attemptLock(this.#client, this.path, this.#prefix, this.#predicate, options);
    return this.#node !== undefined;
  }

  async release(): Promise<void> {
    const node = this.#node;
    if (node === undefined) throw new Error(`not holding ${this.path}`);
    this.#node = undefined;
    await deleteQuietly(this.#client, node);
  }

  /** held, and the session can be trusted */
  get held(): boolean {
    return this.#node !== undefined && this.#client.session?.connected === true;
  }

  /** the lock node while held */
  get node(): string | undefined {
    return this.#node;
  }

  /** Runs fn while holding the lock; its signal aborts when the session can no longer be trusted. */
  async withLock<T>(fn: (lost: AbortSignal) => Promise<T>, options: AttemptOptions = {}): Promise<T> {
    if (!(await this.acquire(options))) throw new Error(`timed out acquiring ${this.path}`);
    const lost = new AbortController();
    const off = this.#client.onState((s) => {
      if (s !== "connected" && s !== "reconnected") lost.abort(new Error(`session ${s}`));
    });
    try {
      return await fn(lost.signal);
    } finally {
      off();
      await this.release();
    }
  }
}

export class Mutex extends Lock {
  constructor(client: NzkClient, path: string) {
    super(client, path, "lock-", exclusive);
  }
}
