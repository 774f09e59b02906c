/**
 * The four-letter words on the client port (FourLetterCommands): a connection whose first four bytes
 * spell a known command gets a text answer and is closed. ZooKeeper 3.5+ enables only srvr by default
 * (zookeeper.4lw.commands.whitelist); nzk answers the read-only set: ruok, srvr, stat, mntr, conf, cons,
 * envi, wchs and isro. The other known words get ZooKeeper's "not in the whitelist" answer.
 */
import { arch, hostname, platform, release, tmpdir } from "node:os";
import { toHex } from "../../core/zxid.ts";
import type { ZkBackend } from "./backend.ts";

export const ENABLED = ["ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "wchs", "isro"] as const;
const KNOWN = new Set([...ENABLED, "crst", "dirs", "dump", "gtmk", "stmk", "srst", "wchc", "wchp", "hash"]);

/** The version string nzk reports: the ZooKeeper release whose protocol it speaks, and itself. */
export const VERSION = "3.9.3-nzk-0.1.0, built on 1970-01-01 00:00 UTC";

/** What the words report about the listener. */
export interface PortStats {
  readonly port: number;
  readonly host: string;
  readonly connections: readonly ConnectionStats[];
  readonly received: number;
  readonly sent: number;
  readonly outstanding: number;
  readonly latency: { readonly min: number; readonly avg: number; readonly max: number };
  readonly watches: { readonly connections: number; readonly paths: number; readonly total: number };
  /** each session's watched paths (data and child watches alike), as wchc and wchp list them */
  readonly watched: readonly SessionWatch[];
}

export interface SessionWatch {
  readonly sessionId: number;
  readonly path: string;
}

export interface ConnectionStats {
  /** "address:port" */
  readonly remote: string;
  readonly sessionId: number;
  readonly timeoutMs: number;
  readonly outstanding: number;
  readonly received: number;
  readonly sent: number;
}

function wordOf(value: number): string {
  return String.fromCharCode(
    (value >>> 24) & 0xff,
    (value >>> 16) & 0xff,
    (value >>> 8) & 0xff,
    value & 0xff,
  );
}

/** The answer to the first int of a connection, or undefined when it is not a four-letter word. */
export function fourLetterAnswer(
  first: number,
  backend: ZkBackend,
  stats: () => PortStats,
): string | undefined {
  const word = wordOf(first);
  if (!KNOWN.has(word)) return undefined;
  if (!(ENABLED as readonly string[]).includes(word))
    return `${word} is not executed because it is not in the whitelist.\n`;
  return answer(word as (typeof ENABLED)[number], backend, stats());
}

function mode(backend: ZkBackend): string {
  return backend.info.mode();
}

function server(backend: ZkBackend, s: PortStats): string {
  const lat = s.latency;
  return [
    `Latency min/avg/max: ${lat.min.toFixed(0)}/${lat.avg.toFixed(4)}/${lat.max.toFixed(0)}`,
    `Received: ${s.received}`,
    `Sent: ${s.sent}`,
    `Connections: ${s.connections.length}`,
    `Outstanding: ${s.outstanding}`,
    `Zxid: ${toHex(backend.lastZxid)}`,
    `Mode: ${mode(backend)}`,
    `Node count: ${backend.tree().nodeCount}`,
  ].join("\n");
}

function client(c: ConnectionStats): string {
  return ` /${c.remote}[1](queued=${c.outstanding},recved=${c.received},sent=${c.sent},sid=${toHex(c.sessionId)},to=${c.timeoutMs})`;
}

/** FourLetterCommands.ZK_NOT_SERVING: what ZooKeeper answers the words about a server that does not serve */
export const NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";
const NEEDS_SERVING: ReadonlySet<string> = new Set(["srvr", "stat", "cons", "wchs", "conf", "mntr"]);

function answer(word: (typeof ENABLED)[number], backend: ZkBackend, s: PortStats): string {
  const info = backend.info;
  const serving = backend.unavailable() === undefined;
  if (!serving && NEEDS_SERVING.has(word)) return NOT_SERVING;
  switch (word) {
    case "ruok":
      return "imok";
    case "isro":
      return serving ? "rw" : "null";
    case "srvr":
      return `Zookeeper version: ${VERSION}\n${server(backend, s)}\n`;
    case "stat":
      return `Zookeeper version: ${VERSION}\nClients:\n${s.connections.map(client).join("\n")}\n\n${server(backend, s)}\n`;
    case "cons":
      return `${s.connections.map(client).join("\n")}\n\n`;
    case "wchs":
      return `${s.watches.connections} connections watching ${s.watches.paths} paths\nTotal watches:${s.watches.total}\n`;
    case "conf":
      return [
        `clientPort=${s.port}`,
        `clientPortAddress=${s.host}`,
        `dataDir=${info.dataDir}`,
        `tickTime=${info.tickMs}`,
        `minSessionTimeout=${info.minSessionTimeoutMs}`,
        `maxSessionTimeout=${info.maxSessionTimeoutMs}`,
        `serverId=${info.memberId}`,
        "",
      ].join("\n");
    case "envi":
      return [
        "Environment:",
        `zookeeper.version=${VERSION}`,
        `host.name=${hostname()}`,
        `node.version=${process.version}`,
        `os.name=${platform()}`,
        `os.arch=${arch()}`,
        `os.version=${release()}`,
        `java.io.tmpdir=${tmpdir()}`,
        `user.dir=${process.cwd()}`,
        "",
      ].join("\n");
    case "mntr": {
      const tree = backend.tree();
      let ephemerals = 0;
      for (const session of tree.sessions()) ephemerals += tree.ephemeralsOf(session.sessionId).length;
      const rows: [string, string | number][] = [
        ["zk_version", VERSION],
        ["zk_server_state", mode(backend)],
        ["zk_avg_latency", s.latency.avg],
        ["zk_max_latency", s.latency.max],
        ["zk_min_latency", s.latency.min],
        ["zk_packets_received", s.received],
        ["zk_packets_sent", s.sent],
        ["zk_num_alive_connections", s.connections.length],
        ["zk_outstanding_requests", s.outstanding],
        ["zk_znode_count", tree.nodeCount],
        ["zk_watch_count", s.watches.total],
        ["zk_ephemerals_count", ephemerals],
        ["zk_global_sessions", [...tree.sessions()].length],
        ["zk_last_zxid", toHex(backend.lastZxid)],
      ];
      return rows
        .map(([k, v]) => `${k}\t${v}`)
        .join("\n")
        .concat("\n");
    }
  }
}
