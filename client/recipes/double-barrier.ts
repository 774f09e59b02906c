/**
 * Curator's DistributedDoubleBarrier (ZooKeeper's "Double Barriers" recipe): `memberQty` participants
 * enter together and leave together. Entering adds an ephemeral node and waits for a `ready` node,
 * which the participant that completes the count creates. Leaving follows the recipe: the lowest
 * node waits for the highest to go, every other node deletes itself and waits for the lowest, so each
 * waits on one node and none on all. A participant whose session expires leaves by itself.
 */
import { isNzkError, type NzkClient } from "../sdk/index.ts";
import { awaitChange, deadlineOf, deleteQuietly, needSession, sessionGone, uuid } from "./nodes.ts";

const READY = "ready";

export interface BarrierWait {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class DoubleBarrier {
  readonly #client: NzkClient;
  readonly path: string;
  readonly memberQty: number;
  readonly #name = uuid();

  constructor(client: NzkClient, path: string, memberQty: number) {
    this.#client = client;
    this.path = path;
    this.memberQty = memberQty;
  }

  get #ours(): string {
    return `${this.path}/${this.#name}`;
  }

  /** true once memberQty participants have entered; false when timeoutMs passed first. */
  async enter(options: BarrierWait = {}): Promise<boolean> {
    needSession(this.#client, `double barrier ${this.path}`);
    const deadline = deadlineOf(options.timeoutMs);
    const ready = `${this.path}/${READY}`;
    await this.#client.create(this.#ours, { mode: "ephemeral", parents: true });
    for (;;) {
      const got = await this.#client.children(this.path);
      if (got.children.includes(READY)) return true;
      if (got.children.filter((n) => n !== READY).length >= this.memberQty) {
        await this.#client.create(ready).catch((err: unknown) => {
          if (!isNzkError(err, "NodeExists")) throw err;
        });
        return true;
      }
      if (Date.now() >= deadline) {
        await deleteQuietly(this.#client, this.#ours);
        return false;
      }
      options.signal?.throwIfAborted();
      // an exists watch from the parent's pzxid: a ready node made since that read fires at once
      await this.#client.watch(ready, {
        type: "exists",
        zxid: got.stat.pzxid,
        timeoutMs: Math.min(20_000, deadline - Date.now()),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
  }

  /** true once every participant has left; false when timeoutMs passed first. */
  async leave(options: BarrierWait = {}): Promise<boolean> {
    const deadline = deadlineOf(options.timeoutMs);
    let oursShouldExist = true;
    for (;;) {
      const names = (await this.#client.children(this.path)).children.filter((n) => n !== READY).sort();
      const mine = names.indexOf(this.#name);
      if (names.length === 0) {
        await deleteQuietly(this.#client, `${this.path}/${READY}`);
        return true;
      }
      if (mine < 0 && oursShouldExist)
        throw sessionGone(this.#client, `double barrier: our node ${this.#ours} vanished`);
      if (names.length === 1 && mine === 0) {
        await deleteQuietly(this.#client, this.#ours);
        oursShouldExist = false;
        continue;
      }
      if (Date.now() >= deadline) return false;
      options.signal?.throwIfAborted();
      if (mine === 0) {
        await awaitChange(this.#client, `${this.path}/${names.at(-1)}`, deadline, options.signal);
        continue;
      }
      if (oursShouldExist) {
        await deleteQuietly(this.#client, this.#ours);
        oursShouldExist = false;
      }
      await awaitChange(this.#client, `${this.path}/${names[0]}`, deadline, options.signal);
    }
  }
}
