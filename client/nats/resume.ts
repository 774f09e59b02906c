/**
 * Where a consumer of the events stream resumes from a zxid: the first sequence whose event is newer,
 * by binary search (the stream holds its events in zxid order), so it does not read every retained
 * event of its subjects from the oldest; about 20 reads for a million events. Used by the SDK's NATS
 * transport and the HTTP API's event streams.
 */
import { DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { parseEvent } from "../../core/event-payload.ts";

/**
 * The first sequence of the stream whose event is newer than zxid (the stream's last sequence + 1 when
 * none is). undefined when a read finds no event (aged out meanwhile, or a message that is not an
 * event) or the stream cannot be read: the caller then starts from the oldest and skips by zxid.
 */
export async function firstSeqAfter(
  nc: NatsConnection,
  stream: string,
  zxid: number,
): Promise<number | undefined> {
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const { state } = await jsm.streams.info(stream);
    // events before lo are at most zxid, events from hi on are newer
    let lo = state.first_seq;
    let hi = state.last_seq + 1;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const msg = await jsm.streams.getMessage(stream, { seq: mid });
      const at = msg === null ? undefined : parseEvent(msg.data)?.zxid;
      if (at === undefined) return undefined;
      if (at > zxid) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  } catch {
    return undefined;
  }
}

/**
 * Where a consumer of the events stream starts: after zxid (at the first newer event, or at the oldest
 * when the search cannot tell, the consumer then skipping by zxid), or with new events only when no
 * zxid is given.
 */
export async function deliverAfter(
  nc: NatsConnection,
  stream: string,
  zxid: number | undefined,
): Promise<{ deliver_policy: DeliverPolicy; opt_start_seq?: number }> {
  if (zxid === undefined) return { deliver_policy: DeliverPolicy.New };
  const start = await firstSeqAfter(nc, stream, zxid);
  return start === undefined
    ? { deliver_policy: DeliverPolicy.All }
    : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start };
}
