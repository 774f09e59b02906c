/**
 * The subjects members use among themselves, under the API prefix. Each member listens on its own
 * `…member.<id>.*`; followers ping and forward to the leader's, and take the leader's answers to their
 * forwarded writes on their own `…member.<id>.proposals.>`. Forwarded writes and those answers travel in
 * forward-codec.ts's binary format, pings and touches as JSON (wire.ts).
 */
import type { ZkError } from "../core/errors.ts";
import type { Caller, WriteRequest } from "../core/records.ts";
import type { Committed } from "./leader.ts";

export const memberSubject = (
  apiPrefix: string,
  memberId: string,
  verb: "ping" | "write" | "touch" | "proposals",
): string => `${apiPrefix}.member.${memberId}.${verb}`;

export interface PingRequest {
  readonly from: string;
  readonly role: "participant" | "observer";
  readonly lastZxid: number;
  /** sessions the follower's clients touched since its last ping (ZooKeeper's touch table in a PING) */
  readonly touches: readonly number[];
}
export interface PingReply {
  readonly leading: boolean;
  readonly epoch: number;
  /**
   * Leading and in contact with JetStream's quorum itself. A leader that lost that contact (cut off
   * with a minority of NATS, its renewal may wait seconds for a timeout) does not vouch for itself:
   * its answer still shows it alive, so no one stands against it for that alone, but keeps no follower
   * in contact, and the followers that reach only it stop serving within one more contact limit, as a
   * ZooKeeper leader that loses its quorum drops its followers. Absent from older members: true.
   */
  readonly inContact?: boolean;
  /**
   * Not leading yet, but standing: named by the election and catching up to lead (ZAB's
   * synchronisation). Followers count such answers as alive, not as misses, for two request timeouts
   * (its catch-up, then its fence) from the new leadership on, as ZooKeeper gives a prospective leader
   * initLimit rather than syncLimit; without it a follower stood against a claimant that took over
   * 200 ms to catch up.
   */
  readonly standing?: boolean;
}

/** The writes a follower's clients made within one turn of its event loop, in the order they made them. */
export interface WriteForward {
  readonly writes: readonly { readonly caller: Caller; readonly req: WriteRequest }[];
}
/**
 * What the leader answers for one forwarded write as soon as it has prepped it, before the append:
 * the follower learns the commit itself from its own log tail, where JetStream delivers only what it
 * stored, so the leader's acknowledgement never travels back as another hop.
 */
export type Proposal =
  /**
   * The write commits at zxid, unless this leadership ends first (then no entry with zxid ever reaches
   * the log). failed is the error prep found: such a write commits as an error txn, as in ZooKeeper.
   */
  | { readonly zxid: number; readonly failed?: ZkError }
  /** refused before it got a zxid (too large for a log message, or the leadership ended): never committed */
  | { readonly refused: ZkError };
/** How a forwarded write ended, as the follower that forwarded it applied it. */
export type WriteOutcome =
  | { readonly committed: Committed }
  /** not committed (refused), or its outcome is unknown (ConnectionLoss: the leadership ended meanwhile) */
  | { readonly error: ZkError };
export type WriteReply =
  /** one proposal per forwarded write, in order */
  | { readonly proposals: readonly Proposal[] }
  /** the addressee does not lead: nothing was prepped, so the sender may try the new leader */
  | { readonly notLeader: true };

export interface TouchRequest {
  readonly sessionId: number;
}
export type TouchReply = { readonly known: boolean } | { readonly notLeader: true };
