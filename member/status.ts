/**
 * The member's /v1/status (shared/API.md, "Operations"): its ZAB mode, epoch and last zxid, the leader,
 * the members the leader hears from, and the log's replicas as JetStream reports them (the replicas
 * in sync with the log are the quorum, as ZooKeeper's or Kafka's ISR).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { statusMode } from "../core/zab/index.ts";
import { toHex } from "../core/zxid.ts";
import type { Member } from "./member.ts";

export interface StatusReport {
  readonly mode: "leading" | "following" | "observing" | "looking";
  readonly memberId: string;
  readonly ready: boolean;
  readonly epoch: number;
  readonly lastZxid: string;
  readonly leader: string | null;
  readonly members: readonly { memberId: string; role: string; lastZxid: string }[];
  readonly log: {
    readonly stream: string;
    readonly lastSeq: number;
    readonly appliedSeq: number;
    readonly replicas: readonly { name: string; current: boolean; lag: number; leader: boolean }[];
  };
}

export async function memberStatus(member: Member): Promise<StatusReport> {
  const { config } = member;
  let lastSeq = member.replica.seq;
  let replicas: StatusReport["log"]["replicas"] = [];
  try {
    const info = await (await jetstreamManager(member.nc)).streams.info(config.logStream);
    lastSeq = info.state.last_seq;
    const cluster = info.cluster;
    if (cluster !== undefined) {
      replicas = [
        ...(cluster.leader === undefined
          ? []
          : [{ name: cluster.leader, current: true, lag: 0, leader: true }]),
        ...(cluster.replicas ?? []).map((r) => ({
          name: r.name,
          current: r.current,
          lag: r.lag ?? 0,
          leader: false,
        })),
      ];
    }
  } catch {
    // The status still reports what this member knows when JetStream does not answer.
  }
  const self = { memberId: config.memberId, role: config.role, lastZxid: toHex(member.replica.lastZxid) };
  const others = member.peers
    .filter((p) => p.memberId !== config.memberId)
    .map((p) => ({ memberId: p.memberId, role: p.role, lastZxid: toHex(p.lastZxid) }));
  return {
    mode: statusMode(member.state),
    memberId: config.memberId,
    ready: member.ready,
    epoch: member.epoch,
    lastZxid: toHex(member.replica.lastZxid),
    leader: member.leaderId ?? null,
    members: [self, ...others],
    log: { stream: config.logStream, lastSeq, appliedSeq: member.replica.seq, replicas },
  };
}
