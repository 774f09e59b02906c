/**
 * A member starting while JetStream cannot answer for a moment (a cluster node just died and the
 * streams elect new leaders; a server still recovering its store) waits and asks again, as a
 * ZooKeeper server keeps trying to join its quorum, instead of giving up on its first timeout.
 */
import type { Logger } from "./member.ts";

/** how long a start waits for JetStream before it gives up */
export const JETSTREAM_WAIT_MS = 60_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;

/**
 * Whether an error is JetStream not answering yet rather than refusing: a timeout, no responders, a
 * 503 (no meta leader yet), or too few peers for the replicas asked for (a node is down).
 */
export function transient(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /timeout|timed out|no responders|503|temporarily unavailable|insufficient resources|no suitable peers/i.test(
    message,
  );
}

/** Runs call until it succeeds, asking again after a transient failure until waitMs have passed. */
export async function untilJetStreamAnswers<T>(
  what: string,
  call: () => Promise<T>,
  log: Logger,
  waitMs = JETSTREAM_WAIT_MS,
): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (let retryMs = FIRST_RETRY_MS; ; retryMs = Math.min(2 * retryMs, MAX_RETRY_MS)) {
    try {
      return await call();
    } catch (err) {
      if (!transient(err) || performance.now() + retryMs > deadline) throw err;
      log("waiting for JetStream", { step: what, error: (err as Error).message, retryMs });
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
