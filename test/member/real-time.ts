/**
 * Real-time checks of a history, in the manner of a linearizability checker narrowed to what ZooKeeper
 * promises: writes are linearizable (their zxid order is the order everyone sees, so it must respect
 * real time), and a read after a sync sees every write acknowledged before the read began.
 * Times are from one clock (performance.now() of the process that ran the clients).
 */

/** An acknowledged write: the zxid it was given, when it was sent and when its answer came. */
export interface TimedWrite {
  readonly zxid: number;
  readonly invoked: number;
  readonly acked: number;
}

/**
 * The pairs of writes whose zxid order contradicts real time: one was acknowledged before the other
 * was sent, yet has the higher zxid. Empty when the zxid order is a linearization.
 */
export function zxidOrderViolations(writes: readonly TimedWrite[]): string[] {
  const byZxid = [...writes].sort((a, b) => a.zxid - b.zxid);
  const found: string[] = [];
  /** among the writes with lower zxids so far, the one sent last */
  let latest: TimedWrite | undefined;
  for (const w of byZxid) {
    if (latest !== undefined && w.acked < latest.invoked) {
      found.push(
        `zxid 0x${w.zxid.toString(16)} was acknowledged at ${w.acked.toFixed(1)} ms, before zxid 0x${latest.zxid.toString(16)} was sent at ${latest.invoked.toFixed(1)} ms`,
      );
    }
    if (latest === undefined || w.invoked > latest.invoked) latest = w;
  }
  return found;
}

/** An acknowledged increment of a counter, and the version it made. */
export interface TimedIncrement extends TimedWrite {
  readonly version: number;
}

/** A read of the counter after a sync: the version it showed, when it was sent and answered. */
export interface TimedRead {
  readonly version: number;
  readonly invoked: number;
  readonly completed: number;
}

/**
 * The reads after a sync that missed an increment acknowledged before they were sent (stale), or
 * showed a version whose increment was sent only after they were answered (from the future).
 */
export function syncedReadViolations(
  increments: readonly TimedIncrement[],
  reads: readonly TimedRead[],
): string[] {
  const byAck = [...increments].sort((a, b) => a.acked - b.acked);
  const sentAt = new Map(increments.map((i) => [i.version, i.invoked]));
  const found: string[] = [];
  /** the newest version among the increments acknowledged before the read at hand was sent */
  let newest = -1;
  let next = 0;
  for (const r of [...reads].sort((a, b) => a.invoked - b.invoked)) {
    for (; next < byAck.length && byAck[next]!.acked < r.invoked; next++) {
      newest = Math.max(newest, byAck[next]!.version);
    }
    if (r.version < newest) {
      found.push(
        `a read sent at ${r.invoked.toFixed(1)} ms showed version ${r.version}, though version ${newest} was acknowledged before`,
      );
    }
    const sent = sentAt.get(r.version);
    if (sent !== undefined && sent > r.completed) {
      found.push(
        `a read answered at ${r.completed.toFixed(1)} ms showed version ${r.version}, whose increment was sent at ${sent.toFixed(1)} ms`,
      );
    }
  }
  return found;
}
