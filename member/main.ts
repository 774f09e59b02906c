/**
 * `npm start`: one member. With NATS_URL unset it first starts a private nats-server with JetStream on
 * loopback, its data under NZK_DATA_DIR (so a restart keeps every znode) and `sync_interval: always`
 * (so an acknowledged append survives a crash of the machine). Logs are JSON lines on stdout.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { credsAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { memberBackend, ZkServer } from "../functions/zookeeper/index.ts";
import { type NatsServerProcess, startNatsServer } from "../infra/index.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { minimalApp } from "./http-minimal.ts";
import { type RunningMember, startMember } from "./index.ts";

function log(level: "info" | "error", msg: string, fields: Record<string, unknown> = {}): void {
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

  let server: NatsServerProcess | undefined;
  let natsUrl = config.natsUrl;
  if (natsUrl === undefined) {
    const storeDir = resolve(config.dataDir, "nats");
    await mkdir(storeDir, { recursive: true });
    server = await startNatsServer({ storeDir, syncAlways: true });
    natsUrl = server.url;
    log("info", "embedded nats-server started", { url: natsUrl, storeDir, pid: server.pid });
  }

  const nc: NatsConnection = await connect({
    servers: natsUrl,
    name: `nzk-${config.memberId}`,
    maxReconnectAttempts: -1,
    ...(config.natsCreds === undefined
      ? {}
      : { authenticator: credsAuthenticator(readFileSync(config.natsCreds)) }),
  });

  let running: RunningMember | undefined;
  const http = serve(
    { fetch: minimalApp(() => running?.member).fetch, hostname: config.host, port: config.httpPort },
    (info) => log("info", "http listening", { url: `http://${config.host}:${info.port}` }),
  );

  running = await startMember(config, nc, (msg, fields) =>
    log("info", msg, { memberId: config.memberId, ...fields }),
  );
  const { member } = running;
  // The ZooKeeper port (NZK_ZK_PORT, 0 = off) speaks ZooKeeper's own protocol to unmodified clients.
  const zk =
    config.zkPort === 0
      ? undefined
      : await ZkServer.listen(memberBackend(member), { host: config.host, port: config.zkPort });
  if (zk !== undefined) log("info", "zookeeper port listening", { address: `${config.host}:${zk.port}` });
  log("info", "nzk serving", {
    memberId: config.memberId,
    role: config.role,
    state: member.state,
    http: `http://${config.host}:${config.httpPort}`,
    nats: natsUrl,
    apiPrefix: config.apiPrefix,
    pid: process.pid,
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    http.close();
    await zk?.close();
    await running?.close();
    await nc.drain().catch(() => {});
    await server?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  log("error", "start failed", { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
