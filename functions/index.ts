export { type AppOptions, createApp } from "./app.ts";
export { type Backend, type LocalStats, type PortReport, WATCH_EVENTS, type WatchType } from "./backend.ts";
export { HTTP_STATUS, httpStatus } from "./errors.ts";
export { type NatsBackendOptions, natsApi, natsBackend } from "./nats-api-client.ts";
export {
  type HttpServer,
  type HttpServerOptions,
  type LocalBackendOptions,
  localBackend,
  nodeFetch,
  serveHttp,
} from "./node.ts";
