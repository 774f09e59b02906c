/**
 * `npm start`: one member. With NATS_URL unset it first starts a private nats-server with JetStream on
 * loopback, its data under NZK_DATA_DIR (so a restart keeps every znode), `sync_interval: always`
 * (so an acknowledged append survives a crash of the machine) and a `max_payload` that carries the
 * largest znode. Logs are JSON lines on stdout.
 *
 * The member serves shared/API.md's HTTP API (functions/) and the ZooKeeper port in its own process.
 * This file is the entry that puts them together, and nothing imports it, so member/ depending on
 * functions/ here makes no cycle (functions/ depends on member/index.ts).
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { credsAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { zkError } from "../core/errors.ts";
import { errorResponse } from "../functions/errors.ts";
import { localBackend, nodeFetch } from "../functions/index.ts";
import { memberBackend, ZkServer } from "../functions/zookeeper/index.ts";
import { type NatsServerProcess, startNatsServer } from "../infra/index.ts";
import { ConfigError, configWarnings, loadConfig } from "./config.ts";
import { minimalApp } from "./http-minimal.ts";
import { type Member, type RunningMember, startMember } from "./index.ts";
import { embeddedMaxPayload, payloadWarning } from "./payload.ts";
import { listenFailure, natsFailure, readCreds } from "./start-failures.ts";

type Fetch = ReturnType<typeof nodeFetch>;

function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      log("error", err.message);
      process.exit(2);
    }
    throw err;
  }

  let running: RunningMember | undefined;
  // The port answers from the start, so a load balancer sees "recovering" rather than a refused
  // connection: until recovery is done only ruok and /v1/status answer (both saying so), then the whole API.
  let handle: Fetch = recoveringApp(() => running?.member);
  const http = serve(
    { fetch: (req, env) => handle(req, env), hostname: config.host, port: config.httpPort },
    (info) => log("info", "http listening", { url: `http://${config.host}:${info.port}` }),
  );
  const onListenError = (err: Error): void => {
    log("error", listenFailure(err, "the HTTP port", `${config.host}:${config.httpPort}`, "NZK_HTTP_PORT"));
    // nothing that needs stopping has started yet; an embedded nats-server goes with this process
    process.exit(1);
  };
  http.once("error", onListenError);
  http.once("listening", () => {
    http.off("error", onListenError);
    // later errors (accepting a connection when out of file descriptors) must not end the member
    http.on("error", (err) => log("warn", "http server error", { error: err.message }));
  });

  let server: NatsServerProcess | undefined;
  let natsUrl = config.natsUrl;
  if (natsUrl === undefined) {
    const storeDir = resolve(config.dataDir, "nats");
    await mkdir(storeDir, { recursive: true });
    const maxPayload = embeddedMaxPayload(config.maxDataBytes);
    server = await startNatsServer({ storeDir, syncAlways: true, maxPayload });
    natsUrl = server.url;
    log("info", "embedded nats-server started", { url: natsUrl, storeDir, pid: server.pid, maxPayload });
  }

  const url = natsUrl;
  const failed = (err: Error): never => {
    throw new Error(natsFailure(err, url, server !== undefined));
  };
  const nc: NatsConnection = await connect({
    servers: url.split(","),
    name: `nzk-${config.memberId}`,
    maxReconnectAttempts: -1,
    // nats.js otherwise captures a stack trace for every request (each log append is one) and every
    // request timer, in case it fails: a few per cent of a leader's CPU under write load.
    noAsyncTraces: true,
    ...(config.natsCreds === undefined
      ? {}
      : { authenticator: credsAuthenticator(readCreds(config.natsCreds)) }),
  }).catch(failed);

  for (const { msg, fields } of configWarnings(config)) log("warn", msg, fields);
  const serverMaxPayload = nc.info?.max_payload;
  const warning =
    serverMaxPayload === undefined ? undefined : payloadWarning(serverMaxPayload, config.maxDataBytes);
  if (warning !== undefined) {
    const { msg, ...fields } = warning;
    log("warn", msg, fields);
  }

  running = await startMember(config, nc, (msg, fields) =>
    log("info", msg, { memberId: config.memberId, ...fields }),
  ).catch(failed);
  const { member } = running;
  // The ZooKeeper port (NZK_ZK_PORT, 0 = off) speaks ZooKeeper's own protocol to unmodified clients;
  // the HTTP API's cons and wchs report its connections and watches too.
  let zk: ZkServer | undefined;
  handle = nodeFetch(localBackend(running, { zookeeper: () => zk }), { maxDataBytes: config.maxDataBytes });
  let stopping = false;
  const stop = async (signal: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    http.close();
    await zk?.close();
    await running?.close();
    await nc.drain().catch(() => {});
    await server?.stop();
    process.exit(code);
  };
  try {
    zk =
      config.zkPort === 0
        ? undefined
        : await ZkServer.listen(memberBackend(member), { host: config.host, port: config.zkPort });
  } catch (err) {
    const address = `${config.host}:${config.zkPort}`;
    log("error", listenFailure(err as Error, "the ZooKeeper port", address, "NZK_ZK_PORT"));
    await stop("listen failed", 1);
    return;
  }
  if (zk !== undefined) log("info", "zookeeper port listening", { address: `${config.host}:${zk.port}` });
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // only once a signal stops it gracefully: whoever waits for this line may signal at once
  log("info", "nzk serving", {
    memberId: config.memberId,
    role: config.role,
    state: member.state,
    http: `http://${config.host}:${config.httpPort}`,
    nats: natsUrl,
    apiPrefix: config.apiPrefix,
    pid: process.pid,
  });
}

function recoveringApp(member: () => Member | undefined): Fetch {
  const app = minimalApp(member);
  app.notFound(() => errorResponse(zkError("ConnectionLoss", "not serving: recovering")));
  return app.fetch;
}

main().catch((err: unknown) => {
  log("error", "start failed", { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
