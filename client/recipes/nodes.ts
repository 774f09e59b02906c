/**
 * What every sequential recipe shares. A protected node (Curator's `_c_<uuid>-` prefix) can be found
 * again after a create whose answer was lost, so a retry never leaves an orphan that would block a
 * lock forever. Waiting is a long-poll watch from the zxid last seen, followed by a fresh read: a
 * watch that fires late, or not at all before its poll times out, only costs a re-check.
 */
import { type Data, isNzkError, isRetryable, type NzkClient, NzkError } from "../sdk/index.ts";
import type { CreateMode } from "../sdk/types.ts";

const PROTECTED = "_c_";
const POLL_MS = 20_000;

export function uuid(): string {
  return crypto.randomUUID();
}

/** The 10-digit sequence ZooKeeper appends; -1 for a name without one. */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  return m === null ? -1 : Number(m[1]);
}

/** Sequential children in sequence order (protected prefixes sort by their suffix, as Curator). */
export function bySequence(names: readonly string[]): string[] {
  return names.filter((n) => sequenceOf(n) >= 0).sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

export interface Protected {
  readonly path: string;
  readonly name: string;
}

export async function createProtected(
  client: NzkClient,
  dir: string,
  prefix: string,
  options: { data?: Data; mode?: CreateMode } = {},
): Promise<Protected> {
  const marker = `${PROTECTED}${uuid()}-`;
  for (let attempt = 0; ; attempt++) {
    try {
      const made = await client.create(`${dir}/${marker}${prefix}`, {
        mode: options.mode ?? "ephemeral_sequential",
        parents: true,
        ...(options.data === undefined ? {} : { data: options.data }),
      });
      return { path: made.path, name: made.path.slice(dir.length + 1) };
    } catch (err) {
      if (!isRetryable(err) || attempt >= 5) throw err;
      const found = await findMarked(client, dir, marker);
      if (found !== undefined) return { path: `${dir}/${found}`, name: found };
    }
  }
}

async function findMarked(client: NzkClient, dir: string, marker: string): Promise<string | undefined> {
  try {
    return (await client.children(dir)).children.find((n) => n.startsWith(marker));
  } catch (err) {
    if (isNzkError(err, "NoNode")) return undefined;
    throw err;
  }
}

/** Deletes a node that may already be gone. */
export async function deleteQuietly(client: NzkClient, path: string): Promise<void> {
  try {
    await client.delete(path);
  } catch (err) {
    if (!isNzkError(err, "NoNode") && !isNzkError(err, "SessionExpired")) throw err;
  }
}

/** Resolves once the node is gone, or when it may have changed, or at the deadline. */
export async function awaitChange(
  client: NzkClient,
  path: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  const stat = await client.exists(path);
  if (stat === undefined) return;
  const left = Math.min(POLL_MS, deadline - Date.now());
  if (left <= 0) return;
  await client.watch(path, {
    type: "data",
    zxid: stat.mzxid,
    timeoutMs: left,
    ...(signal ? { signal } : {}),
  });
}

/** Resolves once the children of `path` may differ from those seen at `pzxid`, or at the deadline. */
export async function awaitChildren(
  client: NzkClient,
  path: string,
  pzxid: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  const left = Math.min(POLL_MS, deadline - Date.now());
  if (left <= 0) return;
  try {
    await client.watch(path, {
      type: "children",
      zxid: pzxid,
      timeoutMs: left,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (!isNzkError(err, "NoNode")) throw err;
  }
}

/** The session the recipe's nodes belong to is gone: whatever they held is gone with it. */
export function sessionGone(client: NzkClient, what: string): NzkError {
  return new NzkError(
    { code: "SessionExpired", zkCode: -112, message: `${what}: the session is ${client.state ?? "absent"}` },
    0,
  );
}

export function needSession(client: NzkClient, what: string): void {
  if (client.session === undefined || !client.session.alive) throw sessionGone(client, what);
}

export const deadlineOf = (timeoutMs: number | undefined): number =>
  timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
