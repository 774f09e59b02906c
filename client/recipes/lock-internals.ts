/**
 * Curator's LockInternals, the heart of the lock recipes (ZooKeeper's "Locks" recipe): an ephemeral
 * sequential node per contender; a predicate over the sorted contenders says whether this one holds
 * the lock or which single node to wait on (no herd effect: a release wakes one waiter). The
 * contenders are read again after every wake-up, so a watch that fires late or for the wrong reason
 * only costs a read. If the contender's own node vanishes (its session expired) the attempt fails.
 */
import type { NzkClient } from "../sdk/index.ts";
import {
  awaitChange,
  bySequence,
  createProtected,
  deadlineOf,
  deleteQuietly,
  needSession,
  sessionGone,
} from "./nodes.ts";

/** acquired, or the name of the one node whose deletion may change that */
export type Verdict = { readonly acquired: true } | { readonly acquired: false; readonly watch: string };

export type Predicate = (sorted: readonly string[], ours: string) => Verdict;

export interface AttemptOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Curator's StandardLockInternalsDriver with one lease: the first holds, the rest wait on their predecessor. */
export const exclusive: Predicate = (sorted, ours) => {
  const i = sorted.indexOf(ours);
  return i === 0 ? { acquired: true } : { acquired: false, watch: sorted[i - 1]! };
};

/** The path of the node that holds the lock, or undefined when the attempt timed out. */
export async function attemptLock(
  client: NzkClient,
  dir: string,
  prefix: string,
  predicate: Predicate,
  options: AttemptOptions = {},
): Promise<string | undefined> {
  needSession(client, `lock ${dir}`);
  const deadline = deadlineOf(options.timeoutMs);
  const ours = await createProtected(client, dir, prefix);
  try {
    for (;;) {
      if (!client.session?.alive) throw sessionGone(client, `lock ${dir}`);
      const sorted = bySequence((await client.children(dir)).children);
      if (!sorted.includes(ours.name))
        throw sessionGone(client, `lock ${dir}: our node ${ours.path} vanished`);
      const verdict = predicate(sorted, ours.name);
      if (verdict.acquired) return ours.path;
      if (Date.now() >= deadline) {
        await deleteQuietly(client, ours.path);
        return undefined;
      }
      options.signal?.throwIfAborted();
      await awaitChange(client, `${dir}/${verdict.watch}`, deadline, options.signal);
    }
  } catch (err) {
    await deleteQuietly(client, ours.path).catch(() => {});
    throw err;
  }
}
