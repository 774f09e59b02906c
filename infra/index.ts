export { freePorts } from "./free-ports.ts";
export { natsServerBinary } from "./nats-binary.ts";
export type { NatsClusterConfig, NatsConfig, PortChoice } from "./nats-config.ts";
export { renderNatsConfig } from "./nats-config.ts";
export type { NatsExit, NatsPorts, NatsServerProcess, StartNatsServerOptions } from "./nats-process.ts";
export { NatsServerError, startNatsServer } from "./nats-process.ts";
