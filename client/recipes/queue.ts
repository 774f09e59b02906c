/**
 * ZooKeeper's "Queues" recipe (Curator's SimpleDistributedQueue): put adds a persistent sequential
 * node; take reads the lowest and deletes it, and whoever's delete succeeds owns the item, so two
 * consumers never take the same one. An empty queue is waited on with a children watch from the pzxid
 * of the read that found it empty. A put is not retried after ConnectionLoss: it may have happened.
 */

import type { Data } from "../sdk/index.ts";
import { bytesOf, isNzkError, type NzkClient } from "../sdk/index.ts";
import { awaitChildren, bySequence, deadlineOf } from "./nodes.ts";

const PREFIX = "qn-";

export class DistributedQueue {
  readonly #client: NzkClient;
  readonly path: string;

  constructor(client: NzkClient, path: string) {
    this.#client = client;
    this.path = path;
  }

  /** Adds an item; resolves to its node's path. */
  async put(data: Data): Promise<string> {
    return (
      await this.#client.create(`${this.path}/${PREFIX}`, {
        data,
        mode: "persistent_sequential",
        parents: true,
      })
    ).path;
  }

  /** The head item without taking it, or undefined when the queue is empty. */
  async peek(): Promise<Uint8Array | undefined> {
    for (const name of await this.#ordered()) {
      try {
        return bytesOf(await this.#client.get(`${this.path}/${name}`));
      } catch (err) {
        if (!isNzkError(err, "NoNode")) throw err;
      }
    }
    return undefined;
  }

  /** Takes the head item; waits for one up to timeoutMs (undefined: forever; 0: not at all). */
  async take(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
    const deadline = deadlineOf(options.timeoutMs);
    for (;;) {
      let pzxid: string | undefined;
      try {
        const got = await this.#client.children(this.path);
        pzxid = got.stat.pzxid;
        for (const name of bySequence(got.children.filter((n) => n.startsWith(PREFIX)))) {
          const item = await this.#takeNode(`${this.path}/${name}`);
          if (item !== undefined) return item;
        }
      } catch (err) {
        if (!isNzkError(err, "NoNode")) throw err;
      }
      if (Date.now() >= deadline) return undefined;
      options.signal?.throwIfAborted();
      if (pzxid === undefined) await this.#client.create(this.path, { parents: true }).catch(() => {});
      else await awaitChildren(this.#client, this.path, pzxid, deadline, options.signal);
    }
  }

  async #ordered(): Promise<string[]> {
    try {
      return bySequence(
        (await this.#client.children(this.path)).children.filter((n) => n.startsWith(PREFIX)),
      );
    } catch (err) {
      if (isNzkError(err, "NoNode")) return [];
      throw err;
    }
  }

  async #takeNode(path: string): Promise<Uint8Array | undefined> {
    try {
      const node = await this.#client.get(path);
      await this.#client.delete(path, { version: node.stat.version });
      return bytesOf(node);
    } catch (err) {
      if (isNzkError(err, "NoNode") || isNzkError(err, "BadVersion")) return undefined;
      throw err;
    }
  }
}
