/**
 * ZooKeeper's AdminServer commands (server/admin/Commands.java) as a stateless handler can answer
 * them, in their JSON shapes: the member's numbers (its status, and its tree when it runs in this
 * process), the sessions the member knows (dump), and what this process itself holds: the watches of
 * this handler instance (each long poll or event stream one connection, as ZooKeeper counts a
 * ServerCnxn) and, beside a member, the ZooKeeper port's connections. Ids are numbers, as Jackson writes
 * ZooKeeper's longs; nzk's ids stay below 2^53, so they are exact.
 */
import { parseId, toHex } from "../core/zxid.ts";
import type { SessionDump } from "../member/index.ts";
import type { PortReport } from "./backend.ts";
import { type HeldWatch, operationOf } from "./held-watches.ts";
import type { ServerStats } from "./metrics.ts";
import type { SessionWatch } from "./zookeeper/four-letter.ts";

export const VERSION = "3.9.3-nzk, built on nzk 0.1.0";

export interface CommandInputs {
  readonly stats: ServerStats;
  /** the watches this handler instance holds open */
  readonly watches: readonly HeldWatch[];
  /** the other listeners of this process (the ZooKeeper port beside a member) */
  readonly ports: readonly PortReport[];
  /** the member's sessions; fetched for dump only */
  readonly dump?: SessionDump;
}

/** ServerCnxn.getConnectionInfo(false): keys nzk does not track keep ZooKeeper's reset values */
export interface ConnectionInfo {
  readonly remote_socket_address: string;
  readonly interest_ops: number;
  readonly outstanding_requests: number;
  readonly packets_received: number;
  readonly packets_sent: number;
  readonly session_id: number;
  readonly last_operation: string;
  readonly established: number;
  readonly session_timeout: number;
  readonly last_cxid: number;
  readonly last_zxid: number;
  readonly last_response_time: number;
  readonly last_latency: number;
  readonly min_latency: number;
  readonly avg_latency: number;
  readonly max_latency: number;
}

const NO_LATENCY = { last_latency: 0, min_latency: 0, avg_latency: 0, max_latency: 0 };

/** Every connection this process serves: its held watches, then the ports' clients. */
export function connections({ watches, ports }: Pick<CommandInputs, "watches" | "ports">): ConnectionInfo[] {
  const held = watches.map((w) => ({
    remote_socket_address: w.remote === undefined ? "unknown" : `/${w.remote}`,
    interest_ops: 0,
    // a long poll waits for its answer; a stream has been answered and goes on sending
    outstanding_requests: w.kind === "stream" ? 0 : 1,
    packets_received: 1,
    packets_sent: w.sent,
    session_id: w.sessionId,
    last_operation: operationOf(w),
    established: w.established,
    session_timeout: 0,
    last_cxid: -1,
    last_zxid: w.lastZxid,
    last_response_time: w.lastSent,
    ...NO_LATENCY,
  }));
  const port = ports.flatMap((p) =>
    p.connections.map((c) => ({
      remote_socket_address: `/${c.remote}`,
      interest_ops: 0,
      outstanding_requests: c.outstanding,
      packets_received: c.received,
      packets_sent: c.sent,
      session_id: c.sessionId,
      last_operation: "NA",
      established: 0,
      session_timeout: c.timeoutMs,
      last_cxid: -1,
      last_zxid: -1,
      last_response_time: 0,
      ...NO_LATENCY,
    })),
  );
  return [...held, ...port];
}

/** ServerCnxn.getConnectionInfo(true), as stat lists them */
const brief = (c: ConnectionInfo) => ({
  remote_socket_address: c.remote_socket_address,
  interest_ops: c.interest_ops,
  outstanding_requests: c.outstanding_requests,
  packets_received: c.packets_received,
  packets_sent: c.packets_sent,
});

/** this handler's watches and the ports' watches, as (session, path) pairs */
function sessionWatches({ watches, ports }: Pick<CommandInputs, "watches" | "ports">): SessionWatch[] {
  return [...watches, ...ports.flatMap((p) => p.watched)];
}

/** Pairs grouped by their first side: keys in order, each key's values in order and once each. */
function grouped<K extends number | string, V extends number | string>(
  pairs: readonly (readonly [K, V])[],
): Map<K, V[]> {
  const byKey = new Map<K, Set<V>>();
  for (const [key, value] of pairs) {
    let values = byKey.get(key);
    if (values === undefined) byKey.set(key, (values = new Set()));
    values.add(value);
  }
  const order = (a: K | V, b: K | V) => (a < b ? -1 : a > b ? 1 : 0);
  return new Map(
    [...byKey].sort(([a], [b]) => order(a, b)).map(([key, values]) => [key, [...values].sort(order)]),
  );
}

/** WatchManager.getWatches: each session's watched paths */
export function watchesBySession(inputs: Pick<CommandInputs, "watches" | "ports">): Map<number, string[]> {
  return grouped(sessionWatches(inputs).map((w) => [w.sessionId, w.path] as const));
}

/** WatchManager.getWatchesByPath: each watched path's sessions */
export function watchesByPath(inputs: Pick<CommandInputs, "watches" | "ports">): Map<string, number[]> {
  return grouped(sessionWatches(inputs).map((w) => [w.path, w.sessionId] as const));
}

/** WatchManager.getWatchesSummary, over this handler's watches and the ports' */
export function watchSummary({ watches, ports }: Pick<CommandInputs, "watches" | "ports">) {
  const paths = new Set(watches.map((w) => w.path)).size;
  return {
    num_connections: watches.length + ports.reduce((n, p) => n + p.watches.connections, 0),
    num_paths: paths + ports.reduce((n, p) => n + p.watches.paths, 0),
    num_total_watches: watches.length + ports.reduce((n, p) => n + p.watches.total, 0),
  };
}

/** SessionTrackerImpl.getSessionExpiryMap: expiry time → sessions, soonest first */
export function expiryMap(dump: SessionDump): Map<number, number[]> {
  const byTime = new Map<number, number[]>();
  for (const s of dump.sessions) {
    if (s.expiresAt === undefined) continue;
    const ids = byTime.get(s.expiresAt) ?? [];
    ids.push(parseId(s.sessionId) ?? 0);
    byTime.set(s.expiresAt, ids);
  }
  return new Map([...byTime].sort(([a], [b]) => a - b));
}

/** DataTree.getEphemerals: the sessions that own ephemerals, and their paths */
export function ephemeralsMap(dump: SessionDump): Map<number, readonly string[]> {
  return new Map(
    dump.sessions
      .filter((s) => s.ephemerals.length > 0)
      .map((s) => [parseId(s.sessionId) ?? 0, s.ephemerals]),
  );
}

type Command = (inputs: CommandInputs) => Record<string, unknown>;

const statsJson = (s: ServerStats) => ({
  packets_sent: 0,
  packets_received: 0,
  fsync_threshold_exceed_count: 0,
  client_response_stats: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
  provider_null: false,
  server_state: zkMode(s.mode),
  outstanding_requests: s.outstandingRequests,
  avg_latency: 0,
  max_latency: 0,
  min_latency: 0,
  last_processed_zxid: s.lastZxid,
  num_alive_client_connections: s.sessionCount ?? 0,
  data_dir_size: 0,
  log_dir_size: 0,
  uptime: 0,
});

/** ZooKeeper says "leader"/"follower"/"observer"/"standalone" where nzk's status says "leading"… */
function zkMode(mode: string): string {
  return { leading: "leader", following: "follower", observing: "observer" }[mode] ?? mode;
}

const srvr: Command = ({ stats }) => ({
  version: VERSION,
  read_only: false,
  server_stats: statsJson(stats),
  client_response: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
  node_count: stats.znodeCount ?? -1,
});

/** Jackson writes a map's long keys as decimal strings */
const keyed = <K, V>(map: Map<K, V>): Record<string, V> =>
  Object.fromEntries([...map].map(([k, v]) => [String(k), v]));

export const COMMANDS: Readonly<
  Record<string, { readonly aliases: readonly string[]; readonly run: Command }>
> = {
  ruok: { aliases: [], run: () => ({}) },
  srvr: { aliases: ["server_stats"], run: srvr },
  stat: {
    aliases: ["stats"],
    run: (inputs) => ({
      ...srvr(inputs),
      connections: connections(inputs).map(brief),
      secure_connections: [],
    }),
  },
  mntr: {
    aliases: ["monitor"],
    run: (inputs) => {
      const s = inputs.stats;
      return {
        version: VERSION,
        avg_latency: 0,
        max_latency: 0,
        min_latency: 0,
        packets_received: 0,
        packets_sent: 0,
        num_alive_connections: s.sessionCount ?? 0,
        outstanding_requests: s.outstandingRequests,
        server_state: zkMode(s.mode),
        znode_count: s.znodeCount ?? -1,
        watch_count: watchSummary(inputs).num_total_watches,
        ephemerals_count: s.ephemeralsCount ?? -1,
        approximate_data_size: -1,
        last_proposal_size: -1,
        synced_followers: 0,
        pending_syncs: 0,
        last_zxid: toHex(s.lastZxid),
        log_lag: s.logLag,
      };
    },
  },
  conf: {
    aliases: ["configuration", "config"],
    run: ({ stats }) => ({
      server_id: stats.memberId,
      client_port: 0,
      max_client_cnxns: 0,
      peer_type: zkMode(stats.mode),
    }),
  },
  cons: {
    aliases: ["connections"],
    run: (inputs) => ({ connections: connections(inputs), secure_connections: [] }),
  },
  dump: {
    aliases: [],
    run: ({ dump }) => ({
      expiry_time_to_session_ids: dump === undefined ? {} : keyed(expiryMap(dump)),
      session_id_to_ephemeral_paths: dump === undefined ? {} : keyed(ephemeralsMap(dump)),
    }),
  },
  envi: {
    aliases: ["environment", "env"],
    run: ({ stats }) => ({
      "zookeeper.version": VERSION,
      "host.name": stats.memberId,
      "java.version": "n/a (nzk runs on JavaScript)",
    }),
  },
  wchs: { aliases: ["watch_summary"], run: watchSummary },
  wchc: {
    aliases: ["watches"],
    run: (inputs) => ({ session_id_to_watched_paths: keyed(watchesBySession(inputs)) }),
  },
  wchp: {
    aliases: ["watches_by_path"],
    run: (inputs) => ({ path_to_session_ids: keyed(watchesByPath(inputs)) }),
  },
  isro: { aliases: ["is_read_only"], run: () => ({ read_only: false }) },
};

export const COMMAND_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(COMMANDS).flatMap(([name, command]) => [
    [name, name],
    ...command.aliases.map((alias): [string, string] => [alias, name]),
  ]),
);
