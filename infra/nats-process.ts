import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { natsServerBinary } from "./nats-binary.ts";
import { type NatsClusterConfig, type PortChoice, renderNatsConfig } from "./nats-config.ts";

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

export interface NatsPorts {
  client: number;
  monitor: number;
  websocket?: number;
  cluster?: number;
}

export interface NatsExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NatsServerProcess {
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly monitorUrl: string;
  readonly ports: NatsPorts;
  readonly pid: number;
  /** Settles once the process has exited and its run directory is gone. */
  readonly exited: Promise<NatsExit>;
  /** Resolves when /healthz reports JetStream fully up: streams recovered and, when clustered, a meta leader known. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within stopTimeoutMs. */
  stop(): Promise<NatsExit>;
  kill(signal: NodeJS.Signals): void;
}

/** nats-server failed to start; `log` holds its last log lines. */
export class NatsServerError extends Error {
  override readonly name = "NatsServerError";
  readonly log: readonly string[];

  constructor(message: string, log: readonly string[], options?: ErrorOptions) {
    super(log.length === 0 ? message : `${message}\n${log.join("\n")}`, options);
    this.log = log;
  }

  /** True when a port it was told to use was taken: a caller that chose the port may retry with another. */
  get addressInUse(): boolean {
    return this.log.some((line) => /address already in use/i.test(line));
  }
}

const LOG_TAIL = 40;
const POLL_MS = 20;

/** Starts nats-server with JetStream and resolves once it accepts JetStream requests. */
export async function startNatsServer(options: StartNatsServerOptions): Promise<NatsServerProcess> {
  const host = options.host ?? "127.0.0.1";
  const binary = options.binary ?? (await natsServerBinary());
  const runDir = await mkdtemp(join(tmpdir(), "nzk-nats-"));
  await mkdir(options.storeDir, { recursive: true });
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
      serverName: options.serverName,
      cluster: options.cluster,
      portsFileDir: runDir,
    }),
  );

  const [command, args] = orphanProof(binary, ["-c", configFile]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > LOG_TAIL) tail.shift();
    options.logger?.(line);
  };
  readLines(child.stdout, onLine);
  readLines(child.stderr, onLine);
  const exited = new Promise<NatsExit>((resolve) => {
    child.once("exit", (code, signal) => {
      void rm(runDir, { recursive: true, force: true }).then(() => resolve({ code, signal }));
    });
  });
  try {
    await once(child, "spawn");
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw new NatsServerError(`cannot run ${binary}`, [], { cause: error });
  }
  track(child);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  try {
    const ports = await poll("the ports file", deadline, child, () =>
      readPortsFile(runDir, options.websocketPort !== undefined),
    );
    if (options.cluster !== undefined) ports.cluster = options.cluster.port;
    const dial = connectableHost(host);
    const monitorUrl = `http://${dial}:${ports.monitor}`;
    // A clustered member cannot be fully healthy until a quorum of its peers is up, which the caller
    // arranges; here it is enough that its own JetStream is running.
    const clustered = options.cluster !== undefined;
    await poll("JetStream", deadline, child, () =>
      healthz(monitorUrl, clustered ? "?js-enabled-only=true" : ""),
    );
    const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    return {
      url: `nats://${dial}:${ports.client}`,
      wsUrl: ports.websocket === undefined ? undefined : `ws://${dial}:${ports.websocket}`,
      monitorUrl,
      ports,
      pid: child.pid!,
      exited,
      waitHealthy: async (timeoutMs = 30_000) => {
        await poll("a healthy JetStream", Date.now() + timeoutMs, child, () => healthz(monitorUrl, ""));
      },
      stop: () => stop(child, exited, stopTimeoutMs),
      kill: (signal) => {
        child.kill(signal);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error instanceof NatsServerError
      ? error
      : new NatsServerError(String(error), tail, { cause: error });
  }

  async function poll<T>(
    what: string,
    until: number,
    proc: ChildProcess,
    probe: () => Promise<T | undefined>,
  ): Promise<T> {
    for (;;) {
      if (hasExited(proc)) {
        throw new NatsServerError(
          `nats-server exited (code ${proc.exitCode}, signal ${proc.signalCode}) while waiting for ${what}`,
          [...tail],
        );
      }
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until)
        throw new NatsServerError(`timed out waiting for nats-server's ${what}`, [...tail]);
      await delay(POLL_MS);
    }
  }
}

async function stop(child: ChildProcess, exited: Promise<NatsExit>, timeoutMs: number): Promise<NatsExit> {
  if (!hasExited(child)) {
    child.kill("SIGTERM");
    // A paused (SIGSTOPped) server only acts on the SIGTERM once it runs again.
    child.kill("SIGCONT");
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function readLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
}

/** The ports nats-server bound, from the `<exe>_<pid>.ports` file it writes once its listeners are up. */
async function readPortsFile(dir: string, websocket: boolean): Promise<NatsPorts | undefined> {
  const name = (await readdir(dir)).find((file) => file.endsWith(".ports"));
  if (name === undefined) return undefined;
  try {
    // nats-server writes the file in place, so a read may see it half-written: then try again.
    const parsed = JSON.parse(await readFile(join(dir, name), "utf8")) as Record<
      string,
      string[] | undefined
    >;
    const client = portOf(parsed.nats);
    const monitor = portOf(parsed.monitoring);
    const ws = portOf(parsed.websocket);
    if (client === undefined || monitor === undefined || (websocket && ws === undefined)) return undefined;
    return websocket ? { client, monitor, websocket: ws! } : { client, monitor };
  } catch {
    return undefined;
  }
}

function portOf(urls: string[] | undefined): number | undefined {
  const first = urls?.[0];
  return first === undefined ? undefined : Number(new URL(first).port);
}

async function healthz(monitorUrl: string, query: string): Promise<true | undefined> {
  try {
    const response = await fetch(`${monitorUrl}/healthz${query}`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

function connectableHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

const SETPRIV = "/usr/bin/setpriv";

/**
 * A server must not outlive the process that started it. If that process is killed, Linux kills the server
 * too (PR_SET_PDEATHSIG, which setpriv sets and then execs nats-server, keeping its pid). SIGKILL, because
 * a paused server would sit on a SIGTERM forever; with sync_interval: always nothing acknowledged is lost.
 */
function orphanProof(binary: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ["--pdeathsig", "KILL", "--", binary, ...args]] : [binary, args];
}

// When the starting process exits normally without stopping its servers, they are asked to shut down
// cleanly (and woken, in case a test paused one).
const live = new Set<ChildProcess>();
let reaperInstalled = false;

function track(child: ChildProcess): void {
  if (!reaperInstalled) {
    process.on("exit", reapLive);
    reaperInstalled = true;
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

function reapLive(): void {
  for (const child of live) {
    child.kill("SIGTERM");
    child.kill("SIGCONT");
  }
}
