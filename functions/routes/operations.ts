/**
 * Operations (shared/API.md): /v1/status, ZooKeeper's AdminServer commands at /commands/{name} in its
 * JSON shapes (commands.ts; every answer carries "command" and "error", as CommandResponse, and the
 * listings answer in the four-letter words' text to `Accept: text/plain`), /metrics and the OpenAPI
 * document (app.ts). The AdminServer's aliases answer too, so its tooling works unchanged.
 */
import { z } from "@hono/zod-openapi";
import { parseId } from "../../core/zxid.ts";
import type { SessionDump, StatusReport } from "../../member/index.ts";
import type { Backend } from "../backend.ts";
import { COMMAND_NAMES, COMMANDS, type CommandInputs, watchSummary } from "../commands.ts";
import { TEXT_COMMANDS } from "../commands-text.ts";
import { badArguments, isErrorJson, jsonResponse, respond } from "../errors.ts";
import type { HeldWatches } from "../held-watches.ts";
import type { HttpMetrics, ServerStats } from "../metrics.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import type { RouteContext } from "./context.ts";

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
    ...(status.unavailable === undefined ? {} : { unavailable: status.unavailable }),
    watchCount,
    outstandingRequests,
    ...backend.localStats?.(),
  };
}

/** What the commands report from: the member's numbers, this process's watches and connections. */
async function commandInputs(
  backend: Backend,
  metrics: HttpMetrics,
  watches: HeldWatches,
): Promise<CommandInputs | undefined> {
  const held = watches.list();
  const ports = backend.ports?.() ?? [];
  const watchCount = watchSummary({ watches: held, ports }).num_total_watches;
  const stats = await serverStats(backend, watchCount, metrics.inFlight);
  return stats === undefined ? undefined : { stats, watches: held, ports };
}

/** ZooKeeper's four-letter text for a listing when the client asks for text, not JSON */
function wantsText(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/plain\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

export function operationRoutes(
  { app, backend, options }: RouteContext,
  metrics: HttpMetrics,
  watches: HeldWatches,
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
      const name = COMMAND_NAMES.get(params.name ?? "");
      if (name === undefined) return badArguments(`unknown command ${params.name}`);
      let inputs = await commandInputs(backend, metrics, watches);
      if (inputs === undefined) return jsonResponse({ command: name, error: "no member answered" }, 503);
      if (name === "ruok" && !inputs.stats.ready) {
        const why = inputs.stats.unavailable ?? "recovering";
        return jsonResponse({ command: name, error: `not serving: ${why}` }, 503);
      }
      if (name === "dump") {
        const dump = await backend.api.dump();
        if (isErrorJson(dump)) return jsonResponse({ command: name, error: dump.error.message }, 503);
        inputs = { ...inputs, dump: dump as SessionDump };
      }
      const text = TEXT_COMMANDS[name];
      if (text !== undefined && wantsText(c.req.header("accept")))
        return c.text(text(inputs), 200, { "Content-Type": "text/plain; charset=utf-8" });
      return jsonResponse({ ...COMMANDS[name]!.run(inputs), command: name, error: null }, 200);
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
      const inputs = await commandInputs(backend, metrics, watches).catch(() => undefined);
      return c.text(metrics.render(inputs?.stats), 200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
      });
    },
  );
}
