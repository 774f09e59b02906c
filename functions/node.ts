/**
 * The Node entry: the app on @hono/node-server, over a member in this process (localBackend) or any
 * member over NATS (natsBackend). The client's address comes from the socket (for the "ip" ACL
 * scheme). The WHATWG URL that Request carries has already resolved "." and ".." segments, so
 * "/v1/znodes/a/.." would silently name the root; the raw request target is checked first and a
 * relative path is refused as ZooKeeper refuses one.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { RunningMember } from "../member/index.ts";
import { type AppOptions, createApp } from "./app.ts";
import type { Backend } from "./backend.ts";
import { badArguments, errorResponse } from "./errors.ts";
import type { ZkServer } from "./zookeeper/index.ts";

export interface HttpServerOptions extends Omit<AppOptions, "remoteAddress"> {
  readonly hostname?: string;
  /** 0 picks a free port */
  readonly port?: number;
}

export interface HttpServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?#]|$)/i;

export interface LocalBackendOptions {
  /** the ZooKeeper port serving this member, once it listens */
  readonly zookeeper?: () => ZkServer | undefined;
}

/** The Backend of a member running in this process. */
export function localBackend({ member, api }: RunningMember, options: LocalBackendOptions = {}): Backend {
  return {
    api,
    // the member in this process: what it has applied by now, at least what it had when it answered
    answeredZxid: () => member.replica.lastZxid,
    onServingChange: (listener) => member.onServingChange(listener),
    unavailable: () => member.unavailable(),
    nc: member.nc,
    eventPrefix: member.config.eventPrefix,
    eventsStream: member.config.eventsStream,
    localStats: () => {
      const tree = member.replica.tree;
      let sessionCount = 0;
      let ephemeralsCount = 0;
      for (const s of tree.sessions()) {
        sessionCount++;
        ephemeralsCount += tree.ephemeralsOf(s.sessionId).length;
      }
      return { znodeCount: tree.nodeCount, sessionCount, ephemeralsCount };
    },
    ports: () => {
      const zk = options.zookeeper?.();
      return zk === undefined ? [] : [zk.stats()];
    },
  };
}

/** The app's fetch for @hono/node-server, refusing dot segments before the URL parser hides them. */
export function nodeFetch(backend: Backend, options: Omit<AppOptions, "remoteAddress"> = {}) {
  const app = createApp(backend, { ...options, remoteAddress: (c) => getConnInfo(c).remote.address });
  return (req: Request, env: { incoming?: { url?: string } }) => {
    const path = (env.incoming?.url ?? "").split("?")[0] ?? "";
    if (DOT_SEGMENT.test(path)) return errorResponse(badArguments(`relative paths not allowed: ${path}`));
    return app.fetch(req, env);
  };
}

export function serveHttp(backend: Backend, options: HttpServerOptions = {}): Promise<HttpServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve) => {
    const server = serve({ fetch: nodeFetch(backend, options), hostname, port: options.port ?? 8080 }, () => {
      const { port } = server.address() as AddressInfo;
      const close = (): Promise<void> =>
        new Promise((done) => {
          server.close(() => done());
          if ("closeAllConnections" in server) server.closeAllConnections();
        });
      resolve({ url: `http://${hostname}:${port}`, port, close, [Symbol.asyncDispose]: close });
    });
  });
}
