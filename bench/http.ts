/**
 * The HTTP layer's cost: getData and create through the HTTP API with 64 concurrent keep-alive
 * clients, next to the same calls made directly on the member's API in the same run, on one member
 * over a local nats-server (fsync on every append), and next to the floor: a bare node:http server
 * answering a constant to the same client. The HTTP load comes from a child process, so the client
 * does not share the server's event loop; it uses undici's Pool, which costs about half as much CPU
 * per request as node:http's client, leaving more of the machine to the server under test.
 *
 * Columns: server CPU is the serving process's CPU time per operation (for the member API rows it
 * includes the calling loops); txns/append is how many creates the leader group-committed into each
 * log message (each append costs one fsync). The HTTP share is the part of an HTTP operation's
 * latency (p50) and of its server CPU that the same operation on the member API does not spend: on a
 * machine whose cores are busy, CPU per operation is what bounds throughput, and it is the steadier
 * of the two figures when other processes compete for the cores.
 * Run with `npx tsx bench/http.ts [seconds per row, default 5]`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { Pool } from "undici";
import { localBackend, serveHttp } from "../functions/index.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema, type NzkApi, type RunningMember, startMember } from "../member/index.ts";

const CONCURRENCY = 64;
const NODES = 1000;

type Target = "floor" | "get" | "create";

interface Timed {
  readonly ops: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

interface Row extends Timed {
  readonly name: string;
  readonly serverCpuUs: number;
  readonly clientCpuUs?: number;
  readonly txnsPerAppend?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
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

// ---- the client process: one warm-up second, then "start" on stdout, then the measured row ----

async function client(base: string, target: Target, seconds: number): Promise<void> {
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
  await load(1, op);
  process.stdout.write("start\n");
  const cpu = process.cpuUsage();
  const timed = await load(seconds, op);
  const used = process.cpuUsage(cpu);
  await pool.close();
  process.stdout.write(
    `${JSON.stringify({ ...timed, clientCpuUs: (used.user + used.system) / timed.ops })}\n`,
  );
}

/** Runs the client against `base`, measuring this process's CPU and the log over the client's window. */
function runClient(
  base: string,
  target: Target,
  seconds: number,
  running: RunningMember,
): Promise<Omit<Row, "name">> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--client", base, target, String(seconds)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let window: { cpu: NodeJS.CpuUsage; seq: number; zxid: number } | undefined;
    let result: Timed & { clientCpuUs: number };
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "start") {
        const { seq, lastZxid } = running.member.replica;
        window = { cpu: process.cpuUsage(), seq, zxid: lastZxid };
      } else result = JSON.parse(line);
    });
    child.on("exit", (code) => {
      if (code !== 0 || window === undefined) return reject(new Error(`client exited ${code}`));
      const used = process.cpuUsage(window.cpu);
      const { seq, lastZxid } = running.member.replica;
      resolve({
        ...result,
        serverCpuUs: (used.user + used.system) / result.ops,
        ...(target === "create" ? { txnsPerAppend: (lastZxid - window.zxid) / (seq - window.seq) } : {}),
      });
    });
  });
}

async function direct(
  name: string,
  seconds: number,
  running: RunningMember,
  op: (i: number) => Promise<unknown>,
): Promise<Row> {
  await load(1, op);
  const { seq, lastZxid } = running.member.replica;
  const cpu = process.cpuUsage();
  const timed = await load(seconds, op);
  const used = process.cpuUsage(cpu);
  const after = running.member.replica;
  const appends = after.seq - seq;
  return {
    name,
    ...timed,
    serverCpuUs: (used.user + used.system) / timed.ops,
    ...(appends > 0 ? { txnsPerAppend: (after.lastZxid - lastZxid) / appends } : {}),
  };
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

function print(rows: readonly Row[], seconds: number): void {
  const cpus = os.cpus();
  console.log(
    `\nnzk HTTP API vs the member's API: ${CONCURRENCY} concurrent callers, ${seconds} s a row, ${cpus.length}× ${cpus[0]?.model ?? "cpu"}, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  console.log(
    "| operation             |    ops/s |  p50 ms |  p99 ms | server CPU µs/op | client CPU µs/op | txns/append | HTTP share of p50 | of server CPU |",
  );
  console.log(
    "|-----------------------|---------:|--------:|--------:|-----------------:|-----------------:|------------:|------------------:|--------------:|",
  );
  const byName = new Map<string, { p50: number; cpu: number }>();
  const share = (http: number, direct: number | undefined): string =>
    direct === undefined ? "" : `${Math.max(0, ((http - direct) / http) * 100).toFixed(0)}%`;
  for (const row of rows) {
    const sorted = [...row.latenciesMs].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    byName.set(row.name, { p50, cpu: row.serverCpuUs });
    const direct = row.name.endsWith("HTTP") ? byName.get(row.name.replace("HTTP", "member API")) : undefined;
    console.log(
      `| ${row.name.padEnd(21)} | ${(row.ops / row.seconds).toFixed(0).padStart(8)} | ${p50.toFixed(2).padStart(7)} | ${percentile(sorted, 99).toFixed(2).padStart(7)} | ${row.serverCpuUs.toFixed(0).padStart(16)} | ${(row.clientCpuUs?.toFixed(0) ?? "").padStart(16)} | ${(row.txnsPerAppend?.toFixed(1) ?? "").padStart(11)} | ${share(p50, direct?.p50).padStart(17)} | ${share(row.serverCpuUs, direct?.cpu).padStart(13)} |`,
    );
  }
  const floor = rows.find((r) => r.name.startsWith("floor"));
  const get = rows.find((r) => r.name === "getData  HTTP");
  if (floor !== undefined && get !== undefined)
    console.log(
      `\ngetData over HTTP reaches ${((get.ops / get.seconds / (floor.ops / floor.seconds)) * 100).toFixed(0)}% of the node:http floor's rate.`,
    );
}

// ---- the server process ----

async function main(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-http-"));
  const nats = await startNatsServer({ storeDir: dir, syncAlways: true });
  const nc = await connect({ servers: nats.url });
  const running = await startMember(ConfigSchema.parse({ memberId: "bench" }), nc);
  const floor = await floorServer();
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

    const rows: Row[] = [];
    rows.push({ name: "floor (node:http)", ...(await runClient(floor.url, "floor", seconds, running)) });
    rows.push(
      await direct("getData  member API", seconds, running, (i) => api.get(ctx, `/bench/n${i % NODES}`)),
    );
    rows.push({ name: "getData  HTTP", ...(await runClient(http.url, "get", seconds, running)) });
    rows.push(
      await direct("create   member API", seconds, running, () =>
        api.create(ctx, "/bench/d-", { data: "x", mode: "persistent_sequential" }),
      ),
    );
    rows.push({ name: "create   HTTP", ...(await runClient(http.url, "create", seconds, running)) });
    print(rows, seconds);
  } finally {
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
