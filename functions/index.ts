export { type AppOptions, createApp } from "./app.ts";
export type * from "./backend.ts";
export { WATCH_EVENTS } from "./backend.ts";
export { HTTP_STATUS, httpStatus } from "./errors.ts";
export { EventHub } from "./event-hub.ts";
export { MemberBackend } from "./member-backend.ts";
export { type HttpServer, type HttpServerOptions, nodeFetch, serveHttp } from "./node.ts";
