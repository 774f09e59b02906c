/**
 * The HTTP API as one Hono app over a Backend (shared/API.md). It holds no registry state: any number
 * of instances, on any runtime, serve the same registry. Runtime adapters (node.ts, worker.ts) only
 * supply the backend and the client's address.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { zkError } from "../core/errors.ts";
import type { Backend } from "./backend.ts";
import { errorResponse, failureResponse } from "./errors.ts";
import { HeldWatches } from "./held-watches.ts";
import { HttpMetrics } from "./metrics.ts";
import type { AppEnv, RouteOptions } from "./route.ts";
import { aclRoutes } from "./routes/acl.ts";
import { childrenRoutes } from "./routes/children.ts";
import type { RouteContext } from "./routes/context.ts";
import { eventRoutes } from "./routes/events.ts";
import { multiRoutes } from "./routes/multi.ts";
import { operationRoutes } from "./routes/operations.ts";
import { serviceRoutes } from "./routes/services.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { syncRoutes } from "./routes/sync.ts";
import { znodeRoutes } from "./routes/znodes.ts";

export interface AppOptions {
  /** the largest znode data the registry takes (jute.maxbuffer); bodies may be a third larger as base64 */
  readonly maxDataBytes?: number;
  /** the client's address, for ZooKeeper's "ip" ACL scheme */
  readonly remoteAddress?: (c: Context) => string | undefined;
  /** how many unread events an SSE client may fall behind before it is told to resume later */
  readonly sseBufferEvents?: number;
  /** the longest a one-shot watch may wait */
  readonly maxWatchMs?: number;
}

export function createApp(backend: Backend, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const metrics = new HttpMetrics();
  const maxDataBytes = options.maxDataBytes ?? 1024 * 1024;
  const routeOptions: RouteOptions = {
    maxBodyBytes: Math.ceil((maxDataBytes * 4) / 3) + 64 * 1024,
    remoteAddress: options.remoteAddress ?? (() => undefined),
    answeredZxid: backend.answeredZxid,
    metrics,
  };
  const context: RouteContext = { app, backend, options: routeOptions };

  znodeRoutes(context);
  childrenRoutes(context);
  aclRoutes(context);
  multiRoutes(context);
  syncRoutes(context);
  sessionRoutes(context);
  const watches = new HeldWatches();
  eventRoutes(context, {
    sseBufferEvents: options.sseBufferEvents ?? 1024,
    maxWatchMs: options.maxWatchMs ?? 10 * 60_000,
    watches,
  });
  serviceRoutes(context);
  operationRoutes(context, metrics, watches);

  const openapi = {
    openapi: "3.1.0",
    info: { title: "nzk", version: "1", description: "ZooKeeper's coordination service over HTTP" },
  };
  app.get("/openapi.json", (c) =>
    metrics.serve("GET /openapi.json", () => c.json(app.getOpenAPI31Document(openapi))),
  );
  app.notFound((c) =>
    metrics.serve("unmatched", () =>
      errorResponse(zkError("BadArguments", `no route ${c.req.method} ${new URL(c.req.url).pathname}`)),
    ),
  );
  app.onError((err) => failureResponse(err));
  return app;
}
