/**
 * The ZooKeeper port against Apache ZooKeeper, with the same unmodified client (node-zookeeper-client)
 * keeping 64 requests outstanding on one connection: create, setData, getData and exists throughput
 * and latency percentiles, and nzk's ratio to ZooKeeper. Equal durability: ZooKeeper (Debian's
 * package, standalone) runs with forceSync=yes; nzk runs `npm start`'s member with its embedded
 * nats-server, whose JetStream fsyncs every write before acknowledging it (sync_interval: always).
 * Both servers are child processes on loopback with their data in temporary directories.
 *
 *   npx tsx bench/zookeeper.ts            (BENCH_OPS=N requests per operation, default 20000)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePorts } from "../infra/index.ts";
import { ZkClient } from "../test/zookeeper/client.ts";
import { startStandalone, ZOOKEEPER_JAR, zooKeeperInstalled } from "./apache-zookeeper.ts";
import { endProcess } from "./processes.ts";

const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const OUTSTANDING = 64;
const DATA = Buffer.alloc(100, "x");

interface Server {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface Result {
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
}

function stopper(proc: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    await endProcess(proc, "SIGTERM");
    await rm(dir, { recursive: true, force: true });
  };
}

async function startNzk(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-zk-"));
  const [httpPort, zkPort] = await freePorts(2);
  const { NATS_URL: _unset, ...env } = process.env;
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("../member/main.ts", import.meta.url))],
    {
      env: { ...env, NZK_DATA_DIR: dir, NZK_HTTP_PORT: String(httpPort), NZK_ZK_PORT: String(zkPort) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      if (line.includes('"leading"')) resolve();
    });
    proc.once("exit", () => reject(new Error("nzk exited while starting")));
  });
  return { name: "nzk", port: zkPort!, stop: stopper(proc, dir) };
}

async function startZooKeeper(): Promise<Server | undefined> {
  if (!zooKeeperInstalled()) return undefined;
  const zk = await startStandalone();
  return { name: "ZooKeeper", port: zk.servers[0]!.clientPort, stop: zk.stop };
}

/** OPS calls of one operation with OUTSTANDING in flight; latency of each from send to reply. */
async function measure(call: (i: number) => Promise<unknown>): Promise<Result> {
  const latencies = new Float64Array(OPS);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < OPS) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: OUTSTANDING }, worker));
  const elapsed = performance.now() - started;
  latencies.sort();
  return {
    opsPerSec: OPS / (elapsed / 1000),
    p50: latencies[Math.floor(OPS * 0.5)]!,
    p99: latencies[Math.floor(OPS * 0.99)]!,
  };
}

async function run(server: Server): Promise<Record<string, Result>> {
  const c = await ZkClient.connect(`127.0.0.1:${server.port}`, { sessionTimeout: 30_000 });
  try {
    await c.create("/bench");
    // warm-up, so neither side is measured cold
    await Promise.all(Array.from({ length: 2000 }, (_, i) => c.exists(`/bench/warm-${i}`)));
    const results: Record<string, Result> = {};
    results.create = await measure((i) => c.create(`/bench/n-${i}`, DATA));
    results.setData = await measure((i) => c.setData(`/bench/n-${i}`, DATA));
    results.getData = await measure((i) => c.getData(`/bench/n-${i}`));
    results.exists = await measure((i) => c.exists(`/bench/n-${i}`));
    return results;
  } finally {
    c.close();
  }
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

const ms = (x: number) => x.toFixed(2);
const results: Record<string, Record<string, Result>> = {};
for (const start of [startNzk, startZooKeeper]) {
  const server = await start();
  if (server === undefined) {
    console.log(
      `Apache ZooKeeper is not installed (${ZOOKEEPER_JAR}); run test/zookeeper/install-clients.sh`,
    );
    continue;
  }
  try {
    results[server.name] = await run(server);
  } finally {
    await server.stop();
  }
}

const nzk = results.nzk!;
const zk = results.ZooKeeper;
console.log(
  `\nnode-zookeeper-client, ${OUTSTANDING} outstanding requests on one connection, ${OPS} requests per operation, 100-byte data, loopback\n`,
);
table([
  [
    "op",
    "nzk ops/s",
    "nzk p50 ms",
    "nzk p99 ms",
    ...(zk ? ["ZooKeeper ops/s", "ZK p50 ms", "ZK p99 ms", "nzk / ZK"] : []),
  ],
  ...Object.entries(nzk).map(([op, r]) => {
    const z = zk?.[op];
    return [
      op,
      r.opsPerSec.toFixed(0),
      ms(r.p50),
      ms(r.p99),
      ...(z
        ? [z.opsPerSec.toFixed(0), ms(z.p50), ms(z.p99), `${(r.opsPerSec / z.opsPerSec).toFixed(2)}×`]
        : []),
    ];
  }),
]);
