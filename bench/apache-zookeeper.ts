/**
 * Apache ZooKeeper from Debian's package (QuorumPeerMain on java 17) as child processes on loopback, for
 * the bench scripts: one standalone server, or an ensemble of servers that elect a leader among
 * themselves. Every server writes with forceSync=yes into a temporary directory that stop() removes,
 * and logs (slf4j-simple, when installed) to a file there, which a start that fails prints the end of.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../infra/index.ts";
import { endProcess } from "./processes.ts";

export const ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar";
/** The package's jar names only slf4j-api in its Class-Path: without a binding ZooKeeper logs nothing. */
const SLF4J_SIMPLE = "/usr/share/java/slf4j-simple.jar";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

export interface ZooKeeperServer {
  /** The myid of an ensemble member; 0 for a standalone server. */
  readonly id: number;
  readonly clientPort: number;
  readonly pid: number;
}

/** A started server or ensemble; stop() ends every process it started and removes its directory. */
export interface ZooKeeperProcesses {
  readonly servers: readonly ZooKeeperServer[];
  stop(): Promise<void>;
}

export type Mode = "standalone" | "leader" | "follower" | "observer";

interface Running extends ZooKeeperServer {
  readonly proc: ChildProcess;
  readonly log: string;
}

export function zooKeeperInstalled(): boolean {
  return existsSync(ZOOKEEPER_JAR);
}

/** Sends a four-letter word and returns the whole answer, or undefined if the server did not answer. */
export function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on("data", (d: Buffer) => {
      text += d.toString();
    });
    socket.on("error", () => resolve(undefined));
    socket.on("close", (hadError) => resolve(hadError || text === "" ? undefined : text));
    socket.write(word);
  });
}

/** The server's role as `srvr` reports it, or undefined while it is not serving. */
export async function mode(port: number): Promise<Mode | undefined> {
  const answer = await fourLetterWord(port, "srvr");
  return answer?.match(/^Mode: (standalone|leader|follower|observer)$/m)?.[1] as Mode | undefined;
}

/** One line of `mntr`'s tab-separated answer, e.g. zk_synced_followers. */
export async function monitor(port: number, key: string): Promise<string | undefined> {
  const answer = await fourLetterWord(port, "mntr");
  return answer
    ?.split("\n")
    .find((line) => line.startsWith(`${key}\t`))
    ?.split("\t")[1];
}

/**
 * CPU time (user + system, in ms) the JVM's JIT compiler threads have used, from Linux's /proc; 0 where
 * there is no /proc. What a warm-up waits on: until C2 is done, it costs more CPU than the requests.
 */
export function compilerCpuMs(pid: number): number {
  let ms = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!name.includes("CompilerThre")) continue;
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      // utime and stime, in clock ticks of 10 ms
      ms += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ms;
}

function baseConfig(dataDir: string, clientPort: number): string[] {
  return [
    "tickTime=2000",
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    "clientPortAddress=127.0.0.1",
    "forceSync=yes",
    "admin.enableServer=false",
    "4lw.commands.whitelist=ruok,srvr,mntr",
    "maxClientCnxns=0",
  ];
}

function spawnServer(dir: string, id: number, clientPort: number, heap: string): Running {
  const log = join(dir, "server.log");
  const out = openSync(log, "a");
  const classpath = [
    "/etc/zookeeper/conf",
    ZOOKEEPER_JAR,
    ...(existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : []),
  ];
  const proc = spawn(
    "java",
    [
      `-Xmx${heap}`,
      `-Dzookeeper.log.dir=${dir}`,
      "-cp",
      classpath.join(":"),
      "org.apache.zookeeper.server.quorum.QuorumPeerMain",
      join(dir, "zoo.cfg"),
    ],
    { stdio: ["ignore", out, out] },
  );
  closeSync(out);
  if (proc.pid === undefined) throw new Error("could not start java");
  return { id, clientPort, pid: proc.pid, proc, log };
}

function stopServer(server: Running): Promise<void> {
  return endProcess(server.proc, "SIGTERM", STOP_TIMEOUT_MS);
}

function logTail(server: Running): string {
  try {
    return readFileSync(server.log, "utf8").trimEnd().split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls until ready() holds, failing with what each server logged last if a server exits or time runs out. */
async function waitUntil(servers: Running[], what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    if (await ready()) return;
    const exited = servers.find((s) => s.proc.exitCode !== null || s.proc.signalCode !== null);
    if (exited !== undefined || performance.now() > deadline) {
      const why = exited
        ? `server ${exited.id} exited (${exited.proc.exitCode ?? exited.proc.signalCode})`
        : `not within ${START_TIMEOUT_MS / 1000} s`;
      const logs = servers.map((s) => `--- server ${s.id} (${s.log}) ---\n${logTail(s)}`).join("\n");
      throw new Error(`ZooKeeper: ${what}: ${why}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Starts servers with start(root, running) and waits until ready(); if anything fails on the way, stops
 * whatever started and removes the directory before rethrowing.
 */
async function launch(
  what: string,
  start: (root: string, running: Running[]) => Promise<void>,
  ready: (running: Running[]) => Promise<boolean>,
): Promise<ZooKeeperProcesses> {
  const root = await mkdtemp(join(tmpdir(), "nzk-bench-apache-zk-"));
  const running: Running[] = [];
  const stop = async () => {
    await Promise.all(running.map(stopServer));
    await rm(root, { recursive: true, force: true });
  };
  try {
    await start(root, running);
    await waitUntil(running, what, () => ready(running));
  } catch (error) {
    await stop();
    throw error;
  }
  const servers = running.map(({ id, clientPort, pid }) => ({ id, clientPort, pid }));
  return { servers, stop };
}

/** One standalone server, ready once `srvr` says it serves (`ruok` answers imok before it does). */
export function startStandalone(heap = "1g"): Promise<ZooKeeperProcesses> {
  return launch(
    "standalone server did not start",
    async (root, running) => {
      const [clientPort] = await freePorts(1);
      await writeFile(join(root, "zoo.cfg"), [...baseConfig(join(root, "data"), clientPort!), ""].join("\n"));
      running.push(spawnServer(root, 0, clientPort!, heap));
    },
    async ([server]) => (await mode(server!.clientPort)) === "standalone",
  );
}

/**
 * An ensemble of `size` servers (myid 1..size), each with its own directory, client, quorum and election
 * port. Ready once every server reports a role, exactly one leads, and the leader counts every other
 * server as a synced follower.
 */
export function startEnsemble(size = 3, heap = "1g"): Promise<ZooKeeperProcesses> {
  return launch(
    `${size}-server ensemble did not form`,
    async (root, running) => {
      const ports = await freePorts(3 * size);
      const ids = Array.from({ length: size }, (_, i) => i + 1);
      const peers = ids.map((id) => `server.${id}=127.0.0.1:${ports[3 * id - 2]}:${ports[3 * id - 1]}`);
      for (const id of ids) {
        const dir = join(root, `server-${id}`);
        const dataDir = join(dir, "data");
        await mkdir(dataDir, { recursive: true });
        await writeFile(join(dataDir, "myid"), `${id}\n`);
        const config = [...baseConfig(dataDir, ports[3 * id - 3]!), "initLimit=10", "syncLimit=5", ...peers];
        await writeFile(join(dir, "zoo.cfg"), [...config, ""].join("\n"));
      }
      for (const id of ids)
        running.push(spawnServer(join(root, `server-${id}`), id, ports[3 * id - 3]!, heap));
    },
    async (running) => {
      const modes = await Promise.all(running.map((s) => mode(s.clientPort)));
      if (modes.includes(undefined)) return false;
      const leaders = running.filter((_, i) => modes[i] === "leader");
      if (leaders.length !== 1) return false;
      const synced = await monitor(leaders[0]!.clientPort, "zk_synced_followers");
      return Number(synced) === size - 1;
    },
  );
}
