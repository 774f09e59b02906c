/**
 * The Cloudflare Workers entry: the same app, reaching the members over NATS's WebSocket listener.
 * A Worker may not keep a connection between requests, so each request opens one (wsconnect) and it
 * is closed when the response body has been sent: for an SSE stream that is when the client leaves.
 * The NATS URL and credentials come from the Worker's environment (wrangler.toml vars and secrets).
 */
import { credsAuthenticator, type NatsConnection, wsconnect } from "@nats-io/nats-core";
import { zkError } from "../core/errors.ts";
import { createApp } from "./app.ts";
import { errorResponse } from "./errors.ts";
import { natsBackend } from "./nats-api-client.ts";

export interface Env {
  /** ws:// or wss:// URL of a nats-server's websocket listener */
  readonly NATS_URL: string;
  /** a NATS credentials file's text (secret) */
  readonly NATS_CREDS?: string;
  readonly NATS_USER?: string;
  readonly NATS_PASS?: string;
  readonly NATS_TOKEN?: string;
  readonly NZK_API_PREFIX?: string;
  readonly NZK_EVENT_PREFIX?: string;
  readonly NZK_EVENTS_STREAM?: string;
  readonly NZK_MAX_DATA_BYTES?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

async function connectNats(env: Env): Promise<NatsConnection> {
  return wsconnect({
    servers: env.NATS_URL,
    maxReconnectAttempts: 0,
    ...(env.NATS_CREDS
      ? { authenticator: credsAuthenticator(new TextEncoder().encode(env.NATS_CREDS)) }
      : {}),
    ...(env.NATS_USER ? { user: env.NATS_USER, pass: env.NATS_PASS ?? "" } : {}),
    ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
  });
}

/** The body passed through, and the connection closed once it has been sent or abandoned. */
function closingWhenSent(res: Response, close: () => Promise<void>, ctx: ExecutionContext): Response {
  if (res.body === null) {
    ctx.waitUntil(close());
    return res;
  }
  const done = new TransformStream<Uint8Array, Uint8Array>({
    flush: () => close(),
  });
  ctx.waitUntil(res.body.pipeTo(done.writable).catch(() => close()));
  return new Response(done.readable, res);
}

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let nc: NatsConnection;
    try {
      nc = await connectNats(env);
    } catch (err) {
      return errorResponse(zkError("ConnectionLoss", `NATS unreachable: ${(err as Error).message}`));
    }
    const backend = natsBackend(nc, {
      ...(env.NZK_API_PREFIX ? { apiPrefix: env.NZK_API_PREFIX } : {}),
      ...(env.NZK_EVENT_PREFIX ? { eventPrefix: env.NZK_EVENT_PREFIX } : {}),
      ...(env.NZK_EVENTS_STREAM ? { eventsStream: env.NZK_EVENTS_STREAM } : {}),
    });
    const app = createApp(backend, {
      remoteAddress: (c) => c.req.header("cf-connecting-ip"),
      ...(env.NZK_MAX_DATA_BYTES ? { maxDataBytes: Number(env.NZK_MAX_DATA_BYTES) } : {}),
    });
    const close = (): Promise<void> => nc.close().catch(() => {});
    try {
      return closingWhenSent(await app.fetch(req, env), close, ctx);
    } catch (err) {
      await close();
      return errorResponse(
        zkError("ConnectionLoss", `the request failed on its way: ${(err as Error).message}`),
      );
    }
  },
};
