/**
 * Apache ZooKeeper's own figures on this machine for the load bench/broadcast.ts puts on nzk: 1 and 64
 * writers (requests outstanding), each waiting for its previous reply, doing 100-byte creates of fresh
 * persistent nodes and then setData on a node of its own (version -1), for a fixed time per row. Through
 * the leader and through a follower of a 3-server ensemble, and against a standalone server for
 * reference; every server runs with forceSync=yes (Debian's package, bench/apache-zookeeper.ts). The
 * load is node-zookeeper-client on one session, in this process. Each row also shows the CPU time it
 * cost per write in every ZooKeeper JVM and in this process, read from /proc.
 * Run: npx tsx bench/zookeeper-ensemble.ts [seconds per row]
 */
import { ZkClient } from "../test/zookeeper/client.ts";
import {
  compilerCpuMs,
  type Mode,
  mode,
  startEnsemble,
  startStandalone,
  ZOOKEEPER_JAR,
  type ZooKeeperProcesses,
  type ZooKeeperServer,
  zooKeeperInstalled,
} from "./apache-zookeeper.ts";
import { cpuMs, loadAverage, measure, type Row } from "./measure.ts";

const seconds = Number(process.argv[2] ?? 3);
const payload = Buffer.alloc(100, "x");
/** A path's warm-up ends after this many 1 s rounds in a row in which the JVMs' JIT compilers were quiet. */
const QUIET_ROUNDS = 3;
/** Quiet: every compiler thread of every JVM together used at most this much CPU in the round. */
const QUIET_COMPILER_MS = 50;
const MAX_WARM_UP_ROUNDS = 60;

interface Measured extends Row {
  path: string;
  op: string;
  /**
   * What each process spent per write, labelled: S standalone, L leader, C the follower the load is
   * connected to, F another follower, load this process.
   */
  cpuUsPerOp?: { label: string; us: number }[];
}

/** The processes a row costs CPU in, the load's server and the leader first. */
function processes(
  servers: readonly ZooKeeperServer[],
  modes: readonly Mode[],
  target: ZooKeeperServer,
): { label: string; pid: number }[] {
  const label = (s: ZooKeeperServer, i: number) =>
    modes[i] === "leader" ? "L" : modes[i] === "standalone" ? "S" : s === target ? "C" : "F";
  const order = (s: ZooKeeperServer, i: number) => (modes[i] === "leader" ? 0 : s === target ? 1 : 2);
  return servers
    .map((s, i) => ({ label: label(s, i), pid: s.pid, order: order(s, i) }))
    .sort((a, b) => a.order - b.order)
    .map(({ label, pid }) => ({ label, pid }))
    .concat({ label: "load", pid: process.pid });
}

/**
 * Creates and setData with 64 writers, in rounds of a second, until the JIT compilers of the JVMs have
 * been quiet for QUIET_ROUNDS rounds (bounded by MAX_WARM_UP_ROUNDS), so that no row measures ZooKeeper
 * cold or pays for its compilation. Returns the seconds it took.
 */
async function warmUp(c: ZkClient, tag: string, servers: readonly ZooKeeperServer[]): Promise<number> {
  const compilers = () => servers.reduce((sum, s) => sum + compilerCpuMs(s.pid), 0);
  await c.create(`/warm-${tag}`);
  let quiet = 0;
  let round = 0;
  while (quiet < QUIET_ROUNDS && round < MAX_WARM_UP_ROUNDS) {
    round++;
    const before = compilers();
    await measure(1, "warm-up", 64, async (w, i) => {
      await c.create(`/warm-${tag}/${round}-${w}-${i}`, payload);
      await c.setData(`/warm-${tag}/${round}-${w}-${i}`, payload, -1);
    });
    quiet = compilers() - before <= QUIET_COMPILER_MS ? quiet + 1 : 0;
  }
  return round;
}

/**
 * Every row of one path: 1 and 64 writers, creates then setData, over one session to `target`, after
 * a warm-up of that session's path.
 */
async function runPath(
  path: string,
  zk: ZooKeeperProcesses,
  modes: readonly Mode[],
  target: ZooKeeperServer,
): Promise<{ rows: Measured[]; warmUpSeconds: number }> {
  const pids = processes(zk.servers, modes, target);
  const c = await ZkClient.connect(`127.0.0.1:${target.clientPort}`, { sessionTimeout: 30_000 });
  const tag = path.replaceAll(" ", "-");
  try {
    const warmUpSeconds = await warmUp(c, tag, zk.servers);
    const row = async (op: string, writers: number, call: (w: number, i: number) => Promise<unknown>) => {
      const cpu0 = pids.map(({ pid }) => cpuMs(pid));
      const r = await measure(seconds, `${op} ${path}`, writers, async (w, i) => {
        await call(w, i);
      });
      const spent = pids.map(({ label, pid }, i) => {
        const now = cpuMs(pid);
        const before = cpu0[i];
        return now === undefined || before === undefined
          ? undefined
          : { label, us: ((now - before) * 1000) / r.ops };
      });
      const out: Measured = { ...r, path, op };
      if (spent.every((s) => s !== undefined)) out.cpuUsPerOp = spent;
      return out;
    };

    const rows: Measured[] = [];
    for (const writers of [1, 64]) {
      const prefix = `/${tag}-${writers}`;
      rows.push(await row("create", writers, (w, i) => c.create(`${prefix}-${w}-${i}`, payload)));
      for (let w = 0; w < writers; w++) await c.create(`${prefix}-set-${w}`, payload);
      rows.push(await row("setData", writers, (w) => c.setData(`${prefix}-set-${w}`, payload, -1)));
    }
    return { rows, warmUpSeconds };
  } finally {
    c.close();
  }
}

/** Each server's role; the ensemble is ready when this runs, so every server has one. */
async function modesOf(zk: ZooKeeperProcesses): Promise<Mode[]> {
  const modes = await Promise.all(zk.servers.map((s) => mode(s.clientPort)));
  if (modes.some((m) => m === undefined)) throw new Error(`a ZooKeeper server stopped serving: ${modes}`);
  return modes as Mode[];
}

function cpuColumn(cpu: Measured["cpuUsPerOp"]): string {
  if (cpu === undefined) return "";
  const total = cpu.reduce((a, b) => a + b.us, 0);
  return `${Math.round(total)} (${cpu.map((c) => `${c.label} ${Math.round(c.us)}`).join(" + ")})`;
}

async function main(): Promise<void> {
  if (!zooKeeperInstalled()) {
    console.log(
      `Apache ZooKeeper is not installed (${ZOOKEEPER_JAR}); run test/zookeeper/install-clients.sh`,
    );
    return;
  }
  const rows: Measured[] = [];
  const warmUps: string[] = [];
  const run = async (path: string, zk: ZooKeeperProcesses, modes: Mode[], target: ZooKeeperServer) => {
    const out = await runPath(path, zk, modes, target);
    rows.push(...out.rows);
    warmUps.push(`${path} ${out.warmUpSeconds} s`);
  };
  const standalone = await startStandalone();
  try {
    await run("standalone", standalone, await modesOf(standalone), standalone.servers[0]!);
  } finally {
    await standalone.stop();
  }
  const ensemble = await startEnsemble(3);
  try {
    const modes = await modesOf(ensemble);
    await run("via leader", ensemble, modes, ensemble.servers[modes.indexOf("leader")]!);
    await run("via follower", ensemble, modes, ensemble.servers[modes.indexOf("follower")]!);
  } finally {
    await ensemble.stop();
  }

  console.log(
    `\nApache ZooKeeper (${ZOOKEEPER_JAR}), forceSync=yes, standalone and a 3-server ensemble on 127.0.0.1, node-zookeeper-client on one session, 100-byte data, ${seconds} s per row, load average ${loadAverage()}\n`,
  );
  console.log(
    "| path | op | writers | ops/s | p50 ms | p99 ms | CPU µs/op (S standalone / L leader + C follower the load uses + F other follower, + load) |",
  );
  console.log("|---|---|---:|---:|---:|---:|---|");
  for (const r of rows) {
    console.log(
      `| ${r.path} | ${r.op} | ${r.writers} | ${Math.round(r.opsPerSec)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${cpuColumn(r.cpuUsPerOp)} |`,
    );
  }
  console.log(
    `\nwarm-up before each path's rows (64 writers, until the JIT compilers were quiet ${QUIET_ROUNDS} s in a row): ${warmUps.join(", ")}`,
  );
}

await main();
process.exit(0);
