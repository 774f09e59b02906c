/**
 * Operations (shared/API.md): /v1/status, ZooKeeper's AdminServer commands at /commands/{name} in its
 * JSON shapes (every answer carries "command" and "error", as CommandResponse), /metrics and the
 * OpenAPI document (app.ts). The AdminServer's aliases answer too, so its tooling works unchanged.
 */
import { z } from "@hono/zod-openapi";
import { parseId, toHex } from "../../core/zxid.ts";
import type { StatusReport } from "../../member/index.ts";
import type { Backend } from "../backend.ts";
import { badArguments, isErrorJson, respond } from "../errors.ts";
import type { HttpMetrics, ServerStats } from "../metrics.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import type { RouteContext } from "./context.ts";

const VERSION = "3.9.3-nzk, built on nzk 0.1.0";

type Command = (stats: ServerStats) => Record<string, unknown>;

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

const srvr: Command = (s) => ({
  version: VERSION,
  read_only: false,
  server_stats: statsJson(s),
  client_response: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
  node_count: s.znodeCount ?? -1,
});

export const COMMANDS: Readonly<
  Record<string, { readonly aliases: readonly string[]; readonly run: Command }>
> = {
  ruok: { aliases: [], run: () => ({}) },
  srvr: { aliases: ["server_stats"], run: srvr },
  stat: { aliases: ["stats"], run: (s) => ({ ...srvr(s), connections: [], secure_connections: [] }) },
  mntr: {
    aliases: ["monitor"],
    run: (s) => ({
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
      watch_count: s.watchCount,
      ephemerals_count: s.ephemeralsCount ?? -1,
      approximate_data_size: -1,
      last_proposal_size: -1,
      synced_followers: 0,
      pending_syncs: 0,
      last_zxid: toHex(s.lastZxid),
      log_lag: s.logLag,
    }),
  },
  conf: {
    aliases: ["configuration", "config"],
    run: (s) => ({ server_id: s.memberId, client_port: 0, max_client_cnxns: 0, peer_type: zkMode(s.mode) }),
  },
  cons: { aliases: ["connections"], run: () => ({ connections: [], secure_connections: [] }) },
  dump: {
    aliases: [],
    run: () => ({ expiry_time_to_session_ids: {}, session_id_to_ephemeral_paths: {} }),
  },
  envi: {
    aliases: ["environment", "env"],
    run: (s) => ({
      "zookeeper.version": VERSION,
      "host.name": s.memberId,
      "java.version": "n/a (nzk runs on JavaScript)",
    }),
  },
  wchs: {
    aliases: ["watch_summary"],
    run: (s) => ({
      num_connections: s.sessionCount ?? 0,
      num_paths: s.watchCount,
      num_total_watches: s.watchCount,
    }),
  },
  wchc: { aliases: ["watches"], run: () => ({ session_id_to_watched_paths: {} }) },
  wchp: { aliases: ["watches_by_path"], run: () => ({ path_to_session_ids: {} }) },
  isro: { aliases: ["is_read_only"], run: () => ({ read_only: false }) },
};

const byName = new Map<string, string>();
for (const [name, command] of Object.entries(COMMANDS)) {
  byName.set(name, name);
  for (const alias of command.aliases) byName.set(alias, name);
}

const CommandOut = z.record(z.string(), z.unknown()).openapi("CommandResponse");
const Status = z.record(z.string(), z.unknown()).openapi("Status");

/** the numbers of mntr and /metrics: the member's status, and more when the member is in this process */
export async function serverStats(
  backend: Backend,
  watchCount: number,
  outstandingRequests: number,
): Promise<ServerStats | undefined> {
  const reply: unknown = await backend.api.status();
  if (isErrorJson(reply)) return undefined;
  const status = reply as StatusReport;
  return {
    mode: status.mode,
    memberId: status.memberId,
    epoch: status.epoch,
    lastZxid: parseId(status.lastZxid) ?? 0,
    logLag: Math.max(0, status.log.lastSeq - status.log.appliedSeq),
    ready: status.ready,
    watchCount,
    outstandingRequests,
    ...backend.localStats?.(),
  };
}

export function operationRoutes(
  { app, backend, options }: RouteContext,
  metrics: HttpMetrics,
  watches: { readonly count: number },
): void {
  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/status",
      summary: "the member's mode, epoch, last zxid, leader, members and log replicas",
      tags: ["operations"],
      responses: { 200: json(Status, "the status"), ...errorResponses },
    },
    async () => {
      const status = await backend.api.status();
      return respond(status, (status as { ready?: boolean }).ready === false ? 503 : 200);
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/commands/{name}",
      summary:
        "a ZooKeeper AdminServer command: ruok, srvr, stat, mntr, conf, cons, dump, envi, wchs, wchc, wchp, isro",
      tags: ["operations"],
      params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) }),
      responses: { 200: json(CommandOut, "the command's answer"), ...errorResponses },
    },
    async ({ params, c }) => {
      const name = byName.get(params.name ?? "");
      if (name === undefined) return badArguments(`unknown command ${params.name}`);
      const stats = await serverStats(backend, watches.count, metrics.inFlight);
      if (stats === undefined) return c.json({ command: name, error: "no member answered" }, 503);
      if (name === "ruok" && !stats.ready)
        return c.json({ command: name, error: "not serving: recovering" }, 503);
      return c.json({ ...COMMANDS[name]!.run(stats), command: name, error: null });
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/metrics",
      summary: "Prometheus text: requests and latencies per route, znodes, watches, sessions, mode, log lag",
      tags: ["operations"],
      responses: { 200: { description: "text/plain; version=0.0.4" } },
    },
    async ({ c }) => {
      const stats = await serverStats(backend, watches.count, metrics.inFlight).catch(() => undefined);
      return c.text(metrics.render(stats), 200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
      });
    },
  );
}
