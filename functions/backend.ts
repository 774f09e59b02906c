/**
 * What the HTTP layer talks to: the member's operations (member/api.ts's NzkApi, in shared/API.md's
 * JSON), either a member in this process or any member over NATS request/reply (nats-api-client.ts);
 * and a NATS connection for watches, which read the events the leader publishes on path subjects and
 * into the durable events stream. The handlers parse, call one of these and map the reply: every
 * ZooKeeper rule (ACLs, versions, sessions, sequence numbers) lives behind them.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { EventType } from "../core/records.ts";
import type { NzkApi, RequestContext } from "../member/index.ts";
import type { ConnectionStats, SessionWatch } from "./zookeeper/four-letter.ts";

/** Numbers for mntr, srvr and /metrics that only a member in this process can read. */
export interface LocalStats {
  readonly znodeCount: number;
  readonly ephemeralsCount: number;
  readonly sessionCount: number;
}

/**
 * Another listener of this process whose clients hold connections and watches: the ZooKeeper port
 * beside a member (its ZkServer.stats() has this shape). cons lists its connections; wchs counts its
 * watches.
 */
export interface PortReport {
  readonly connections: readonly ConnectionStats[];
  readonly watches: { readonly connections: number; readonly paths: number; readonly total: number };
  readonly watched: readonly SessionWatch[];
}

export interface Backend {
  readonly api: NzkApi;
  readonly nc: NatsConnection;
  /** the members' event subject prefix and events stream (member/config.ts defaults when absent) */
  readonly eventPrefix?: string;
  readonly eventsStream?: string;
  /**
   * The zxid the member that answered a request had applied when it answered (ZooKeeper's reply header
   * zxid), for the response's Nzk-Zxid header: the client sends it back so that no member shows it an
   * older view. Undefined when no member answered.
   */
  readonly answeredZxid: (ctx: RequestContext) => number | undefined;
  /** present when a member runs in this process */
  readonly localStats?: () => LocalStats;
  /** the other listeners of this process, when a member runs in it */
  readonly ports?: () => readonly PortReport[];
  /**
   * When a member runs in this process: calls listener whenever it starts or stops serving (it lost
   * contact with its leader); returns the unsubscribe. Watches held here end when it stops.
   */
  readonly onServingChange?: (listener: (serving: boolean) => void) => () => void;
  /** When a member runs in this process: why it does not serve now, or undefined when it does. */
  readonly unavailable?: () => string | undefined;
}

export type WatchType = "data" | "exists" | "children";

/** The events a one-shot watch of each type fires on, as ZooKeeper's WatchManager. */
export const WATCH_EVENTS: Readonly<Record<WatchType, readonly EventType[]>> = {
  data: ["NodeDataChanged", "NodeDeleted"],
  exists: ["NodeCreated", "NodeDataChanged", "NodeDeleted"],
  children: ["NodeChildrenChanged", "NodeDeleted"],
};
