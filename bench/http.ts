/**
 * The HTTP layer's cost: getData and create through the HTTP API with 64 concurrent keep-alive
 * clients, next to the same calls made without HTTP in the same run, on one member over a local
 * nats-server (fsync on every append), and next to the floor: a bare node:http server answering a
 * constant to the same client. Two deployments:
 * - in-process, as `npm start` runs: the handler sits in the member's process (localBackend), against
 *   the member's API called in that process;
 * - stateless, as nzk is mainly deployed: functions/main.ts as a process of its own with no member in
 *   it, reaching the member over NATS request/reply, against 64 callers making the same requests on
 *   the member's NATS API (the JSON the handler sends, through its client, functions' natsApi) from
 *   a process of their own.
 * The HTTP load and the NATS API callers come from a child process, so no client shares an event loop
 * under test; HTTP uses undici's Pool, which costs about half as much CPU per request as node:http's
 * client, leaving more of the machine to the servers.
 *
 * Columns: CPU µs/op is each process's CPU time (user + system) over the measured window per operation:
 * the member (this process; for the in-process rows it includes the handler or the calling loops), the
 * stateless handler and nats-server (from /proc/<pid>/stat), and the client (its own count).
 * txns/append is how many creates the leader group-committed into each log message (each append costs
 * one fsync). The HTTP share is the part of an operation's latency (p50) and CPU the HTTP layer adds:
 * in-process, what the HTTP row spends beyond the member API row, of p50 and of the member's CPU;
 * stateless, what the HTTP row's p50 adds to the NATS API row's, and the handler's CPU of the handler's
 * and member's together. On a machine whose cores are busy, CPU per operation is what bounds
 * throughput, and it is the steadier figure when other processes compete for the cores.
 * Run with `npx tsx bench/http.ts [seconds per row, default 5]`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { Pool } from "undici";
import { localBackend, natsApi, serveHttp } from "../functions/index.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema, type NzkApi, type RunningMember, startMember } from "../member/index.ts";
import { endProcess } from "./processes.ts";

const CONCURRENCY = 64;
const NODES = 1000;
const HANDLER_MAIN = fileURLToPath(new URL("../functions/main.ts", import.meta.url));

type Target = "floor" | "get" | "create" | "nats-get" | "nats-create";

interface Timed {
  readonly ops: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

interface Row extends Timed {
  readonly name: string;
  readonly memberCpuUs: number;
  readonly natsCpuUs: number;
  readonly handlerCpuUs?: number;
  readonly clientCpuUs?: number;
  readonly txnsPerAppend?: number;
}

/** The processes whose CPU a row counts, besides this one (the member's). */
interface Processes {
  readonly running: RunningMember;
  readonly natsPid: number;
  readonly handlerPid?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** A process's CPU time (user + system) so far in µs, from /proc: utime and stime in ticks of 10 ms. */
function procCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** `CONCURRENCY` loops calling `op` back to back for `seconds`. */
async function load(seconds: number, op: (i: number) => Promise<unknown>): Promise<Timed> {
  const latenciesMs: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const out = await op(n++);
        if (typeof out === "object" && out !== null && "error" in out) throw new Error(JSON.stringify(out));
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  return { ops: latenciesMs.length, seconds: (performance.now() - start) / 1000, latenciesMs };
}

// ---- the client process: one warm-up second, "start" on stdout, the measured row, then closes ----

async function httpOp(
  base: string,
  target: Target,
): Promise<[(i: number) => Promise<unknown>, () => Promise<void>]> {
  const pool = new Pool(base, { connections: CONCURRENCY });
  const call = async (method: "GET" | "POST", path: string, expect: number, body?: string) => {
    const res = await pool.request({
      method,
      path,
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
    });
    await res.body.dump();
    if (res.statusCode !== expect) throw new Error(`${method} ${path} answered ${res.statusCode}`);
  };
  const op =
    target === "floor"
      ? () => call("GET", "/", 200)
      : target === "get"
        ? (i: number) => call("GET", `/v1/znodes/bench/n${i % NODES}`, 200)
        : () => call("POST", "/v1/znodes/bench/h-", 201, '{"data":"x","mode":"persistent_sequential"}');
  return [op, () => pool.close()];
}

/** The requests the handler makes for the HTTP rows' GET and POST, as its routes parse them. */
async function natsOp(
  url: string,
  target: Target,
): Promise<[(i: number) => Promise<unknown>, () => Promise<void>]> {
  const nc = await connect({ servers: url, name: "bench-nats-api" });
  const api = natsApi(nc);
  const ctx = { remoteAddress: "127.0.0.1" };
  const body = { data: "x", encoding: "utf8", mode: "persistent_sequential", parents: false };
  const op =
    target === "nats-get"
      ? (i: number) => api.get(ctx, `/bench/n${i % NODES}`, { sync: false })
      : () => api.create(ctx, "/bench/h-", body);
  return [op, () => nc.close()];
}

async function client(base: string, target: Target, seconds: number): Promise<void> {
  const [op, close] = target.startsWith("nats-") ? await natsOp(base, target) : await httpOp(base, target);
  await load(1, op);
  process.stdout.write("start\n");
  const cpu = process.cpuUsage();
  const timed = await load(seconds, op);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({ ...timed, clientCpuUs: (used.user + used.system) / timed.ops })}\n`,
  );
  await close();
}

/** Each process's CPU and the leader's log position, at one moment. */
function snapshot({ running, natsPid, handlerPid }: Processes) {
  const cpu = process.cpuUsage();
  return {
    member: cpu.user + cpu.system,
    nats: procCpuUs(natsPid),
    handler: handlerPid === undefined ? undefined : procCpuUs(handlerPid),
    seq: running.member.replica.seq,
    zxid: running.member.replica.lastZxid,
  };
}

/** What the processes spent between two snapshots, per operation. */
function spent(
  before: ReturnType<typeof snapshot>,
  after: ReturnType<typeof snapshot>,
  ops: number,
): Omit<Row, "name" | keyof Timed> {
  const appends = after.seq - before.seq;
  return {
    memberCpuUs: (after.member - before.member) / ops,
    natsCpuUs: (after.nats - before.nats) / ops,
    ...(after.handler === undefined || before.handler === undefined
      ? {}
      : { handlerCpuUs: (after.handler - before.handler) / ops }),
    ...(appends > 0 ? { txnsPerAppend: (after.zxid - before.zxid) / appends } : {}),
  };
}

/** Runs the client against `base`, counting every process's CPU over the client's measured window. */
function runClient(
  name: string,
  base: string,
  target: Target,
  seconds: number,
  procs: Processes,
): Promise<Row> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--client", base, target, String(seconds)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let before: ReturnType<typeof snapshot> | undefined;
    let row: Row | undefined;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "start") before = snapshot(procs);
      else if (before !== undefined) {
        const after = snapshot(procs);
        const result: Timed & { clientCpuUs: number } = JSON.parse(line);
        row = { name, ...result, ...spent(before, after, result.ops) };
      }
    });
    child.on("exit", (code) =>
      code === 0 && row !== undefined ? resolve(row) : reject(new Error(`client exited ${code}`)),
    );
  });
}

/** The member API called in this process. */
async function direct(
  name: string,
  seconds: number,
  procs: Processes,
  op: (i: number) => Promise<unknown>,
): Promise<Row> {
  await load(1, op);
  const before = snapshot(procs);
  const timed = await load(seconds, op);
  return { name, ...timed, ...spent(before, snapshot(procs), timed.ops) };
}

/** The floor: node:http answering a constant, nothing else. */
function floorServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = '{"path":"/","stat":{}}';
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

/** functions/main.ts as a process of its own on a free port; resolves once it says it serves. */
function startHandler(natsUrl: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, HANDLER_MAIN], {
      env: { ...process.env, NATS_URL: natsUrl, NZK_HTTP_PORT: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`handler exited ${code} before serving`));
    };
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", exited);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; http?: string };
      if (entry.msg !== "nzk http front end serving" || entry.http === undefined) return;
      clearTimeout(timer);
      child.off("exit", exited);
      resolve({ child, url: entry.http });
    });
  });
}

/** Ends the handler by its PID: SIGTERM (it closes its server and drains NATS), SIGKILL after 5 s. */
function stopHandler(child: ChildProcess): Promise<void> {
  return endProcess(child, "SIGTERM", 5000);
}

function print(rows: readonly Row[], seconds: number): void {
  const cpus = os.cpus();
  console.log(
    `\nnzk HTTP API vs the member's API: ${CONCURRENCY} concurrent callers, ${seconds} s a row, ${cpus.length}× ${cpus[0]?.model ?? "cpu"}, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  console.log(
    "| operation                |    ops/s |  p50 ms |  p99 ms | member CPU µs/op | handler CPU µs/op | nats-server CPU µs/op | client CPU µs/op | txns/append | HTTP share of p50 | of CPU |",
  );
  console.log(
    "|--------------------------|---------:|--------:|--------:|-----------------:|------------------:|----------------------:|-----------------:|------------:|------------------:|-------:|",
  );
  const p50s = new Map<string, number>();
  const cpus0 = new Map<string, number>();
  const share = (part: number, whole: number): string => `${Math.max(0, (part / whole) * 100).toFixed(0)}%`;
  for (const row of rows) {
    const sorted = [...row.latenciesMs].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    p50s.set(row.name, p50);
    cpus0.set(row.name, row.memberCpuUs);
    let p50Share = "";
    let cpuShare = "";
    if (row.name.endsWith("HTTP stateless")) {
      const api = p50s.get(row.name.replace("HTTP stateless", "member NATS API"));
      if (api !== undefined) p50Share = share(p50 - api, p50);
      if (row.handlerCpuUs !== undefined)
        cpuShare = share(row.handlerCpuUs, row.handlerCpuUs + row.memberCpuUs);
    } else if (row.name.endsWith("HTTP")) {
      const name = row.name.replace("HTTP", "member API");
      const api = p50s.get(name);
      const cpu = cpus0.get(name);
      if (api !== undefined) p50Share = share(p50 - api, p50);
      if (cpu !== undefined) cpuShare = share(row.memberCpuUs - cpu, row.memberCpuUs);
    }
    const cell = (v: number | undefined, width: number, digits = 0) =>
      (v?.toFixed(digits) ?? "").padStart(width);
    console.log(
      `| ${row.name.padEnd(24)} | ${cell(row.ops / row.seconds, 8)} | ${cell(p50, 7, 2)} | ${cell(percentile(sorted, 99), 7, 2)} | ${cell(row.memberCpuUs, 16)} | ${cell(row.handlerCpuUs, 17)} | ${cell(row.natsCpuUs, 21)} | ${cell(row.clientCpuUs, 16)} | ${cell(row.txnsPerAppend, 11, 1)} | ${p50Share.padStart(17)} | ${cpuShare.padStart(6)} |`,
    );
  }
  const rate = (name: string) => {
    const row = rows.find((r) => r.name === name);
    return row === undefined ? undefined : row.ops / row.seconds;
  };
  const floor = rate("floor (node:http)");
  if (floor === undefined) return;
  for (const name of ["getData  HTTP", "getData  HTTP stateless"]) {
    const r = rate(name);
    if (r !== undefined)
      console.log(
        `\n${name.replace(/ +/, " ")} reaches ${((r / floor) * 100).toFixed(0)}% of the node:http floor's rate.`,
      );
  }
}

// ---- the member's process ----

async function main(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-http-"));
  const nats = await startNatsServer({ storeDir: dir, syncAlways: true });
  const nc = await connect({ servers: nats.url });
  const running = await startMember(ConfigSchema.parse({ memberId: "bench" }), nc);
  const floor = await floorServer();
  let handler: ChildProcess | undefined;
  try {
    while (running.member.state !== "LEADING") await new Promise((r) => setTimeout(r, 20));
    const api: NzkApi = running.api;
    const ctx = {};
    await api.create(ctx, "/bench", {});
    for (let i = 0; i < NODES; i++)
      await api.create(ctx, `/bench/n${i}`, {
        data: `{"id":${i},"address":"10.0.0.${i % 255}","port":8080}`,
      });
    await using http = await serveHttp(localBackend(running), { port: 0 });
    const stateless = await startHandler(nats.url);
    handler = stateless.child;
    const inProcess: Processes = { running, natsPid: nats.pid };
    const withHandler: Processes = { ...inProcess, handlerPid: stateless.child.pid! };

    const rows: Row[] = [];
    rows.push(await runClient("floor (node:http)", floor.url, "floor", seconds, inProcess));
    rows.push(
      await direct("getData  member API", seconds, inProcess, (i) => api.get(ctx, `/bench/n${i % NODES}`)),
    );
    rows.push(await runClient("getData  HTTP", http.url, "get", seconds, inProcess));
    rows.push(await runClient("getData  member NATS API", nats.url, "nats-get", seconds, inProcess));
    rows.push(await runClient("getData  HTTP stateless", stateless.url, "get", seconds, withHandler));
    rows.push(
      await direct("create   member API", seconds, inProcess, () =>
        api.create(ctx, "/bench/d-", { data: "x", mode: "persistent_sequential" }),
      ),
    );
    rows.push(await runClient("create   HTTP", http.url, "create", seconds, inProcess));
    rows.push(await runClient("create   member NATS API", nats.url, "nats-create", seconds, inProcess));
    rows.push(await runClient("create   HTTP stateless", stateless.url, "create", seconds, withHandler));
    print(rows, seconds);
  } finally {
    if (handler !== undefined) await stopHandler(handler);
    await floor.close();
    await running.close();
    await nc.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === "--client") await client(args[1]!, args[2] as Target, Number(args[3]));
else await main(Number(args[0] ?? 5));
