import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Exit,
  type Launched,
  launch,
  ProcessError,
  pollWhileRunning,
  terminate,
} from "./child-process.ts";
import { natsServerBinary } from "./nats-binary.ts";
import { type NatsClusterConfig, type PortChoice, renderNatsConfig } from "./nats-config.ts";
import { healthz, type NatsPorts, readPortsFile } from "./nats-probes.ts";

export type { Exit as NatsExit } from "./child-process.ts";
export type { NatsPorts } from "./nats-probes.ts";

export interface StartNatsServerOptions {
  /** JetStream's store directory, created if missing (nats-server keeps its data in `<storeDir>/jetstream`). */
  storeDir: string;
  /** The address every listener binds (default 127.0.0.1: the server is private to this machine). */
  host?: string;
  /** The client port (default "any"). */
  port?: PortChoice;
  /** The HTTP monitoring port (default "any"); always on, since readiness is read from its /healthz. */
  monitorPort?: PortChoice;
  /** A plain websocket listener on this port; none when absent. */
  websocketPort?: PortChoice;
  /** fsync each JetStream write before acknowledging it (default true). */
  syncAlways?: boolean;
  /** The largest message the server accepts, in bytes (`max_payload`; nats-server's default is 1 MB). */
  maxPayload?: number;
  serverName?: string;
  cluster?: NatsClusterConfig;
  /** The nats-server executable (default: natsServerBinary()). */
  binary?: string;
  /** Receives nats-server's log lines; without it they are dropped (the last ones still explain a failure). */
  logger?: (line: string) => void;
  /** How long to wait for the server to be ready (default 30 s). */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before it sends SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
}

export interface NatsServerProcess {
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly monitorUrl: string;
  readonly ports: NatsPorts;
  readonly pid: number;
  /** Settles once the process has exited and its run directory (`<storeDir>/run`: config, ports file) is gone. */
  readonly exited: Promise<Exit>;
  /** Resolves when /healthz reports JetStream fully up: streams recovered and, when clustered, a meta leader known. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within stopTimeoutMs. */
  stop(): Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/** nats-server failed to start or to become ready; `log` holds its last log lines. */
export class NatsServerError extends ProcessError {
  override readonly name = "NatsServerError";

  /** True when a port it was told to use was taken: a caller that chose the port may retry with another. */
  get addressInUse(): boolean {
    return this.log.some((line) => /address already in use/i.test(line));
  }
}

/**
 * Starts nats-server with JetStream and resolves once it serves JetStream: for a standalone server, fully
 * healthy; for a cluster member, with its own JetStream running (full health needs a quorum of members,
 * which the caller starts, then waits for with waitHealthy()).
 */
export async function startNatsServer(options: StartNatsServerOptions): Promise<NatsServerProcess> {
  const host = options.host ?? "127.0.0.1";
  const binary = options.binary ?? (await natsServerBinary());
  // Config and ports file live beside the JetStream data (nats-server keeps that in <storeDir>/jetstream),
  // so whoever removes a store removes them too, even after a crash. A store belongs to one server at a
  // time, so anything already here is a crashed predecessor's, and is cleared first.
  const runDir = join(options.storeDir, "run");
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  const configFile = join(runDir, "nats.conf");
  await writeFile(
    configFile,
    renderNatsConfig({
      host,
      port: options.port ?? "any",
      monitorPort: options.monitorPort ?? "any",
      websocketPort: options.websocketPort,
      storeDir: options.storeDir,
      syncAlways: options.syncAlways ?? true,
      maxPayload: options.maxPayload,
      serverName: options.serverName,
      cluster: options.cluster,
      portsFileDir: runDir,
    }),
  );
  const removeRunDir = () => rm(runDir, { recursive: true, force: true });

  let server: Launched;
  try {
    server = await launch(binary, ["-c", configFile], options.logger, removeRunDir);
  } catch (error) {
    await removeRunDir();
    throw new NatsServerError(`cannot run ${binary}`, [], { cause: error });
  }
  try {
    return await whenReady(server, options, host, runDir);
  } catch (error) {
    server.child.kill("SIGKILL");
    await server.exited;
    if (error instanceof ProcessError) throw new NatsServerError(`nats-server ${error.reason}`, error.log);
    throw error;
  }
}

async function whenReady(
  server: Launched,
  options: StartNatsServerOptions,
  host: string,
  runDir: string,
): Promise<NatsServerProcess> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  const ports = await pollWhileRunning(server, "its ports file", deadline, () =>
    readPortsFile(runDir, options.websocketPort !== undefined),
  );
  if (options.cluster !== undefined) ports.cluster = options.cluster.port;
  const dial = connectableHost(host);
  const monitorUrl = `http://${dial}:${ports.monitor}`;
  const query = options.cluster === undefined ? "" : "?js-enabled-only=true";
  await pollWhileRunning(server, "JetStream", deadline, () => healthz(monitorUrl, query));
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  return {
    url: `nats://${dial}:${ports.client}`,
    wsUrl: ports.websocket === undefined ? undefined : `ws://${dial}:${ports.websocket}`,
    monitorUrl,
    ports,
    pid: server.pid,
    exited: server.exited,
    waitHealthy: async (timeoutMs = 30_000) => {
      await pollWhileRunning(server, "a healthy JetStream", Date.now() + timeoutMs, () =>
        healthz(monitorUrl, ""),
      );
    },
    stop: () => terminate(server, stopTimeoutMs),
    kill: (signal) => {
      server.child.kill(signal);
    },
  };
}

/** An address to reach listeners bound to `host` from this machine. */
function connectableHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
