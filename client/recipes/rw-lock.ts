/**
 * Curator's InterProcessReadWriteLock: readers and writers queue under one path (`__READ__` and
 * `__WRIT__` nodes, sorted by sequence). A writer holds when it is first; a reader holds when no
 * writer is ahead of it, and otherwise waits on the first writer ahead, as Curator's read predicate.
 */
import type { NzkClient } from "../sdk/index.ts";
import { Lock } from "./lock.ts";
import { exclusive, type Predicate } from "./lock-internals.ts";

const READ = "__READ__";
const WRITE = "__WRIT__";

const readPredicate: Predicate = (sorted, ours) => {
  const mine = sorted.indexOf(ours);
  const firstWriter = sorted.findIndex((n) => n.includes(WRITE));
  return firstWriter < 0 || mine < firstWriter
    ? { acquired: true }
    : { acquired: false, watch: sorted[firstWriter]! };
};

export class ReadWriteLock {
  readonly readLock: Lock;
  readonly writeLock: Lock;

  constructor(client: NzkClient, path: string) {
    this.readLock = new Lock(client, path, READ, readPredicate);
    this.writeLock = new Lock(client, path, WRITE, exclusive);
  }
}
