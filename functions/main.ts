/**
 * A stateless HTTP front end with no member in its process: `NATS_URL=… npx tsx functions/main.ts`.
 * It reaches the members over NATS (NATS_CREDS for a credentials file) and serves the same API as a
 * member's own port, on NZK_HTTP_PORT (default 8080) and NZK_HOST (default 127.0.0.1). Run as many as
 * you like, anywhere the NATS servers are reachable.
 */
import { readFileSync } from "node:fs";
import { credsAuthenticator } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { natsBackend } from "./nats-api-client.ts";
import { serveHttp } from "./node.ts";

function log(level: "info" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
}

const env = process.env;
const natsUrl = env.NATS_URL;
const port = Number(env.NZK_HTTP_PORT ?? "8080");
if (natsUrl === undefined || natsUrl === "") {
  log("error", "NATS_URL: required (the members' NATS servers)");
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  log("error", `NZK_HTTP_PORT: not a port: ${env.NZK_HTTP_PORT}`);
  process.exit(2);
}

const nc = await connect({
  servers: natsUrl.split(","),
  name: "nzk-http",
  maxReconnectAttempts: -1,
  // no stack trace captured for every request in case it fails (member/main.ts)
  noAsyncTraces: true,
  ...(env.NATS_CREDS ? { authenticator: credsAuthenticator(readFileSync(env.NATS_CREDS)) } : {}),
});
const http = await serveHttp(
  natsBackend(nc, {
    ...(env.NZK_API_PREFIX ? { apiPrefix: env.NZK_API_PREFIX } : {}),
    ...(env.NZK_EVENT_PREFIX ? { eventPrefix: env.NZK_EVENT_PREFIX } : {}),
    ...(env.NZK_EVENTS_STREAM ? { eventsStream: env.NZK_EVENTS_STREAM } : {}),
  }),
  { hostname: env.NZK_HOST ?? "127.0.0.1", port },
);
log("info", "nzk http front end serving", { http: http.url, nats: natsUrl });

const stop = async (signal: string): Promise<void> => {
  log("info", "stopping", { signal });
  await http.close();
  await nc.drain().catch(() => {});
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
