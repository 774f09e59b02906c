/**
 * A counting semaphore (Curator's InterProcessSemaphoreV2, in effect): each acquirer adds an
 * ephemeral sequential lease under `path/leases` and holds one of the `maxLeases` leases while fewer
 * than maxLeases leases are ahead of it. Sequence numbers only grow, so a holder's place never gets
 * worse and at most maxLeases hold at once; acquirers are served in order. A waiter watches the
 * children, since any of the leases ahead of it may be returned first.
 */
import type { NzkClient } from "../sdk/index.ts";
import {
  awaitChildren,
  bySequence,
  createProtected,
  deadlineOf,
  deleteQuietly,
  needSession,
  sessionGone,
} from "./nodes.ts";

export interface Lease {
  readonly path: string;
  release(): Promise<void>;
}

export class Semaphore {
  readonly #client: NzkClient;
  readonly #dir: string;
  readonly maxLeases: number;

  constructor(client: NzkClient, path: string, maxLeases: number) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError("maxLeases must be 1 or more");
    this.#client = client;
    this.#dir = `${path}/leases`;
    this.maxLeases = maxLeases;
  }

  /** A lease, or undefined when timeoutMs passed first. */
  async acquire(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Lease | undefined> {
    needSession(this.#client, `semaphore ${this.#dir}`);
    const deadline = deadlineOf(options.timeoutMs);
    const ours = await createProtected(this.#client, this.#dir, "lease-");
    try {
      for (;;) {
        if (!this.#client.session?.alive) throw sessionGone(this.#client, `semaphore ${this.#dir}`);
        const got = await this.#client.children(this.#dir);
        const sorted = bySequence(got.children);
        const place = sorted.indexOf(ours.name);
        if (place < 0) throw sessionGone(this.#client, `semaphore: our lease ${ours.path} vanished`);
        if (place < this.maxLeases)
          return { path: ours.path, release: () => deleteQuietly(this.#client, ours.path) };
        if (Date.now() >= deadline) {
          await deleteQuietly(this.#client, ours.path);
          return undefined;
        }
        options.signal?.throwIfAborted();
        await awaitChildren(this.#client, this.#dir, got.stat.pzxid, deadline, options.signal);
      }
    } catch (err) {
      await deleteQuietly(this.#client, ours.path).catch(() => {});
      throw err;
    }
  }
}
