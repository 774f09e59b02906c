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
  /** whether the member serves: recovered, and in contact with its leader or JetStream's quorum */
  readonly ready: boolean;
  /** why it does not serve, when it does not */
  readonly unavailable?: string;
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

/** The log's last sequence and replicas as JetStream reports them; undefined when it does not answer. */
async function logReplicas(member: Member) {
  try {
    const info = await (await jetstreamManager(member.nc)).streams.info(member.config.logStream);
    const cluster = info.cluster;
    const replicas: StatusReport["log"]["replicas"] =
      cluster === undefined
        ? []
        : [
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
    return { lastSeq: info.state.last_seq, replicas };
  } catch {
    return undefined;
  }
}

export async function memberStatus(member: Member): Promise<StatusReport> {
  const { config } = member;
  const unavailable = member.unavailable();
  // What this member knows when JetStream does not answer; a member out of contact does not ask, as it
  // would only wait out JetStream's timeout.
  const { lastSeq, replicas } = (unavailable === undefined ? await logReplicas(member) : undefined) ?? {
    lastSeq: member.replica.seq,
    replicas: [],
  };
  const self = { memberId: config.memberId, role: config.role, lastZxid: toHex(member.replica.lastZxid) };
  const others = member.peers
    .filter((p) => p.memberId !== config.memberId)
    .map((p) => ({ memberId: p.memberId, role: p.role, lastZxid: toHex(p.lastZxid) }));
  return {
    mode: statusMode(member.state),
    memberId: config.memberId,
    ready: unavailable === undefined,
    ...(unavailable === undefined ? {} : { unavailable }),
    epoch: member.epoch,
    lastZxid: toHex(member.replica.lastZxid),
    leader: member.leaderId ?? null,
    members: [self, ...others],
    log: { stream: config.logStream, lastSeq, appliedSeq: member.replica.seq, replicas },
  };
}
