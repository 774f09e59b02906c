/**
 * A member's ZAB state, as ZooKeeper's QuorumPeer.ServerState names them, and the mode shared/API.md's
 * /v1/status reports for each.
 */
export const ZabStates = ["LOOKING", "LEADING", "FOLLOWING", "OBSERVING"] as const;
export type ZabState = (typeof ZabStates)[number];

export type Role = "participant" | "observer";

export type StatusMode = "leading" | "following" | "observing" | "looking";

export function statusMode(state: ZabState): StatusMode {
  return state.toLowerCase() as StatusMode;
}

/** Where a member goes when it does not lead: observers observe, participants follow. */
export function nonLeaderState(role: Role): ZabState {
  return role === "observer" ? "OBSERVING" : "FOLLOWING";
}

/** Observers never stand for election (ZooKeeper's LearnerType.OBSERVER). */
export function mayStand(role: Role): boolean {
  return role === "participant";
}
