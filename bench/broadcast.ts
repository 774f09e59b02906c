/**
 * The ordered broadcast's throughput and latency, next to the raw JetStream bound measured in the same
 * run on a stream of the same configuration (file storage, one replica, fsync always): publishes with
 * an expected last sequence, one txn per message, pipelined 64 deep. With 1 and 64 concurrent writers,
 * 100-byte creates and setData:
 * - through the leader: the leader runs in this process and is called in-process, as the HTTP layer
 *   calls its member;
 * - through a follower, called in-process: a second member runs in a process of its own with the load
 *   (bench/follower-load.ts); it forwards to the leader and answers once it applied the write itself;
 * - through a follower's NATS API: a second member runs as its own process (`npm start` joining this
 *   NATS) and is reached over the NATS API from a load process, as an edge handler reaches it.
 * Each row also shows, from the leader's own counters, how many txns one log message carried and how
 * many appends were in flight on average, and the CPU time the row cost per write in every process
 * involved (nats-server, leader, follower, load), read from /proc.
 * Run: npx tsx bench/broadcast.ts [seconds per row] [max appends in flight] [events: on|off] [runs]
 * ("off" turns watch events off on both members, to show what they cost). With several runs (each on
 * a fresh server and members, one after the other), every cell is the median over the runs, with the
 * lowest and highest in brackets; "× raw" divides by the raw bound of the same run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { isZkError } from "../core/errors.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../core/records.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema } from "../member/config.ts";
import type { BroadcastStats } from "../member/leader.ts";
import { ensureLogStream } from "../member/log.ts";
import { Member } from "../member/member.ts";
import { cpuMs, loadAverage, MEASURING, measure, type Row, WARM_UP_SECONDS } from "./measure.ts";
import { endProcess } from "./processes.ts";

const seconds = Number(process.argv[2] ?? 3);
const maxInFlight = Number(process.argv[3] ?? ConfigSchema.parse({}).maxInFlight);
const events = process.argv[4] !== "off";
const runs = Number(process.argv[5] ?? 1);
const payload = new Uint8Array(100).fill(120);

/** A row with what the leader's counters and the processes' CPU time said while it ran. */
interface Measured extends Row {
  txnsPerAppend?: number;
  appendsInFlight?: number;
  /** nats-server, leader (with the in-process load of the leader rows), follower (npm start), load process */
  cpuUsPerOp?: number[];
}

async function rawBound(url: string): Promise<Row> {
  const nc = await connect({ servers: url });
  await ensureLogStream(nc, { stream: "RAW", subject: "raw", replicas: 1, maxMsgBytes: 1024 * 1024 });
  const js = jetstream(nc);
  let last = 0;
  // 64 in flight, each expecting the sequence of the one before it.
  const row = await measure(seconds, "raw JetStream (expected last seq, 1 per msg)", 64, async () => {
    const expected = last++;
    await js.publish("raw.1", payload, { expect: { lastSequence: expected } });
  });
  await (await jetstreamManager(nc)).streams.delete("RAW");
  await nc.close();
  return row;
}

/**
 * Runs a load script in a process of its own: bench/follower-load.ts (a follower of its own, called
 * in-process) or bench/api-load.ts (the NATS API, which only the follower process serves here).
 */
async function loadProcess(
  script: "follower-load" | "api-load",
  url: string,
  call: "create" | "set",
  writers: number,
  tag: string,
  onMeasuring: () => void,
): Promise<Row & { loadCpuMs: number }> {
  const file = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const args = [url, call, String(writers), String(seconds), tag, events ? "on" : "off"];
  const proc = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let last = "";
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    if (line === MEASURING) onMeasuring();
    else last = line;
  });
  const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(last) as Row & { loadCpuMs: number };
}

async function startFollower(url: string) {
  const main = fileURLToPath(new URL("../member/main.ts", import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      NATS_URL: url,
      NZK_MEMBER_ID: "follower",
      NZK_HTTP_PORT: "0",
      NZK_ZK_PORT: "0",
      NZK_EVENTS: String(events),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      if (line.includes('"nzk serving"')) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`follower exited with ${code}`)));
  });
  return proc;
}

/** Stops a process and waits until it has exited. */
async function stop(proc: ChildProcess | undefined): Promise<undefined> {
  if (proc !== undefined) await endProcess(proc, "SIGINT");
  return undefined;
}

/** Every row of one run, the raw bound first, on a fresh server and members. */
async function runOnce(): Promise<Measured[]> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-"));
  const server = await startNatsServer({ storeDir: dir, syncAlways: true });
  let follower: ChildProcess | undefined;
  try {
    const raw = await rawBound(server.url);
    const nc = await connect({ servers: server.url, name: "leader", noAsyncTraces: true });
    const leader = await Member.start(
      ConfigSchema.parse({ memberId: "leader", snapshotEveryTxns: 10_000_000, maxInFlight, events }),
      nc,
    );
    while (leader.state !== "LEADING") await new Promise((r) => setTimeout(r, 10));
    follower = await startFollower(server.url);
    /**
     * Runs a row, and adds the leader's counters and the CPU every process spent on it from the moment
     * the row calls begin() (after its warm-up, and for a load process after it joined).
     */
    const withCounters = async (
      run: (begin: () => void) => Promise<Row & { loadCpuMs?: number }>,
    ): Promise<Measured> => {
      const pids = [server.pid, process.pid, ...(follower === undefined ? [] : [follower.pid!])];
      let cpu0: (number | undefined)[] = [];
      let stats0: BroadcastStats | undefined;
      let t0 = 0;
      const row = await run(() => {
        cpu0 = pids.map(cpuMs);
        stats0 = leader.broadcastStats;
        t0 = performance.now();
      });
      const ms = performance.now() - t0;
      const stats1 = leader.broadcastStats;
      const out: Measured = { ...row };
      const spent = pids.map((pid, i) => {
        const now = cpuMs(pid);
        return now === undefined || cpu0[i] === undefined ? undefined : now - cpu0[i];
      });
      if (row.loadCpuMs !== undefined) spent.push(row.loadCpuMs);
      if (spent.every((v) => v !== undefined)) out.cpuUsPerOp = spent.map((v) => (v * 1000) / row.ops);
      if (stats0 !== undefined && stats1 !== undefined && stats1.appends > stats0.appends) {
        out.txnsPerAppend = (stats1.txns - stats0.txns) / (stats1.appends - stats0.appends);
        out.appendsInFlight = (stats1.inFlightMs - stats0.inFlightMs) / ms;
      }
      return out;
    };
    const anyone = { sessionId: 0, auth: [] };
    const direct = async (req: WriteRequest): Promise<void> => {
      const out = await leader.write(anyone, req);
      if (isZkError(out) || out.error !== undefined) throw new Error(JSON.stringify(out));
    };
    const rows: Measured[] = [raw];
    for (const writers of [1, 64]) {
      const tag = `leader-${writers}`;
      rows.push(
        await withCounters((begin) =>
          measure(
            seconds,
            "create via leader",
            writers,
            (w, i) =>
              direct({
                op: "create",
                path: `/${tag}-${w}-${i}`,
                data: payload,
                acl: OPEN_ACL_UNSAFE,
                mode: "persistent",
              }),
            { warmUpSeconds: WARM_UP_SECONDS, onMeasuring: begin },
          ),
        ),
      );
      for (let w = 0; w < writers; w++) {
        await direct({
          op: "create",
          path: `/set-${tag}-${w}`,
          data: payload,
          acl: OPEN_ACL_UNSAFE,
          mode: "persistent",
        });
      }
      rows.push(
        await withCounters((begin) =>
          measure(
            seconds,
            "setData via leader",
            writers,
            (w) => direct({ op: "setData", path: `/set-${tag}-${w}`, data: payload, version: -1 }),
            { warmUpSeconds: WARM_UP_SECONDS, onMeasuring: begin },
          ),
        ),
      );
    }
    // Through a follower, from a process of its own so that the leader here is not its client: first
    // the NATS API of the follower (npm start) from a load process, then, with that follower stopped,
    // a process that is a follower itself and calls it in-process. Every row has two members.
    for (const script of ["api-load", "follower-load"] as const) {
      if (script === "follower-load") follower = await stop(follower);
      for (const writers of [1, 64]) {
        for (const call of ["create", "set"] as const) {
          const tag = `${script}-${writers}`;
          rows.push(
            await withCounters((begin) => loadProcess(script, server.url, call, writers, tag, begin)),
          );
        }
      }
    }
    await leader.close();
    await nc.close();
    return rows;
  } finally {
    await stop(follower);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median of the runs, with their range in brackets when there are several. */
function cell(values: (number | undefined)[], digits: number): string {
  const known = values.filter((v): v is number => v !== undefined);
  if (known.length === 0) return "";
  const text = median(known).toFixed(digits);
  const low = Math.min(...known).toFixed(digits);
  const high = Math.max(...known).toFixed(digits);
  return low === high ? text : `${text} (${low}-${high})`;
}

function cpuCell(rows: Measured[]): string {
  const per = rows.map((r) => r.cpuUsPerOp).filter((v): v is number[] => v !== undefined);
  if (per.length === 0) return "";
  const total = Math.round(median(per.map((us) => us.reduce((a, b) => a + b, 0))));
  const parts = per[0]!.map((_, i) => Math.round(median(per.map((us) => us[i]!))));
  return `${total} (${parts.join(" + ")})`;
}

async function main(): Promise<void> {
  const all: Measured[][] = [];
  for (let run = 1; run <= runs; run++) {
    const rows = await runOnce();
    all.push(rows);
    const summary = rows.map((r) => `${r.what} ×${r.writers} ${Math.round(r.opsPerSec)}/s`).join(", ");
    console.error(`run ${run} of ${runs}: ${summary}`);
  }
  console.log(
    `\nordered broadcast, embedded nats-server (fsync always), ${seconds} s per row, ${runs} run(s), at most ${maxInFlight} appends in flight, watch events ${events ? "on" : "off"}, load average ${loadAverage()}\n`,
  );
  console.log(
    "| path | writers | ops/s | × raw | p50 ms | p99 ms | txns/append | appends in flight | CPU µs/op (nats + leader + follower [+ load], or nats + leader + follower with load) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  all[0]!.forEach((first, i) => {
    const rows = all.map((run) => run[i]!);
    const ratios = all.map((run) => run[i]!.opsPerSec / run[0]!.opsPerSec);
    const cells = [
      first.what,
      String(first.writers),
      cell(
        rows.map((r) => r.opsPerSec),
        0,
      ),
      cell(ratios, 1),
      cell(
        rows.map((r) => r.p50),
        2,
      ),
      cell(
        rows.map((r) => r.p99),
        2,
      ),
      cell(
        rows.map((r) => r.txnsPerAppend),
        1,
      ),
      cell(
        rows.map((r) => r.appendsInFlight),
        2,
      ),
      cpuCell(rows),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  });
  process.exit(0);
}

await main();
