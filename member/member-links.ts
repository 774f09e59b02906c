/**
 * The subjects members use among themselves, under the API prefix. Each member listens on its own
 * `…member.<id>.*`; followers ping and forward to the leader's.
 */
import type { ZkError } from "../core/errors.ts";
import type { Caller, WriteRequest } from "../core/records.ts";
import type { Committed } from "./leader.ts";

export const memberSubject = (
  apiPrefix: string,
  memberId: string,
  verb: "ping" | "write" | "touch",
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
}

/** The writes a follower's clients made within one turn of its event loop, in the order they made them. */
export interface WriteForward {
  readonly writes: readonly { readonly caller: Caller; readonly req: WriteRequest }[];
}
export type WriteOutcome =
  | { readonly committed: Committed }
  /** not committed at all (the leader lost its leadership meanwhile): the outcome is unknown */
  | { readonly error: ZkError };
export type WriteReply =
  /** one outcome per forwarded write, in order */
  | { readonly outcomes: readonly WriteOutcome[] }
  /** the addressee does not lead: nothing was prepped, so the sender may try the new leader */
  | { readonly notLeader: true };

export interface TouchRequest {
  readonly sessionId: number;
}
export type TouchReply = { readonly known: boolean } | { readonly notLeader: true };
