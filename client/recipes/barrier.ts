/**
 * Curator's DistributedBarrier (ZooKeeper's "Barriers" recipe): while the node exists, waiters block;
 * removing it releases them all. Waiting re-reads after each watch, so a late watch only delays.
 */
import { isNzkError, type NzkClient } from "../sdk/index.ts";
import { awaitChange, deadlineOf } from "./nodes.ts";

export class Barrier {
  readonly #client: NzkClient;
  readonly path: string;

  constructor(client: NzkClient, path: string) {
    this.#client = client;
    this.path = path;
  }

  async set(): Promise<void> {
    try {
      await this.#client.create(this.path, { parents: true });
    } catch (err) {
      if (!isNzkError(err, "NodeExists")) throw err;
    }
  }

  async remove(): Promise<void> {
    try {
      await this.#client.delete(this.path);
    } catch (err) {
      if (!isNzkError(err, "NoNode")) throw err;
    }
  }

  /** true once the barrier is gone; false when timeoutMs passed first. */
  async wait(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = deadlineOf(options.timeoutMs);
    for (;;) {
      if ((await this.#client.exists(this.path)) === undefined) return true;
      if (Date.now() >= deadline) return false;
      options.signal?.throwIfAborted();
      await awaitChange(this.#client, this.path, deadline, options.signal);
    }
  }
}
