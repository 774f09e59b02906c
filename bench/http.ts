/**
 * The HTTP layer's cost: getData and create through the HTTP API with 64 concurrent keep-alive
 * clients, next to the same calls made directly on the member's API in the same run, on one member
 * over a local nats-server. The HTTP load comes from a child process (node:http with a keep-alive
 * agent of 64 sockets), so the client does not share the server's event loop.
 * Run with `npx tsx bench/http.ts [seconds per row, default 5]`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { localBackend, serveHttp } from "../functions/index.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema, type NzkApi, startMember } from "../member/index.ts";

const CONCURRENCY = 64;
const NODES = 1000;

interface Row {
  readonly name: string;
  readonly ops: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** `CONCURRENCY` loops calling `op` back to back for `seconds`. */
async function load(name: string, seconds: number, op: (i: number) => Promise<unknown>): Promise<Row> {
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
  return { name, ops: latenciesMs.length, seconds: (performance.now() - start) / 1000, latenciesMs };
}

// ---- the client process ----

async function client(base: string, what: "get" | "create", seconds: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(base);
  const call = (method: string, path: string, body?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: body
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
            : {},
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const op =
    what === "get"
      ? async (i: number) => {
          const status = await call("GET", `/v1/znodes/bench/n${i % NODES}`);
          if (status !== 200) throw new Error(`GET answered ${status}`);
        }
      : async () => {
          const status = await call(
            "POST",
            "/v1/znodes/bench/h-",
            '{"data":"x","mode":"persistent_sequential"}',
          );
          if (status !== 201) throw new Error(`POST answered ${status}`);
        };
  await load("warmup", 1, op);
  const row = await load(what, seconds, op);
  agent.destroy();
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

function runClient(base: string, what: "get" | "create", seconds: number): Promise<Row> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--client", base, what, String(seconds)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`client exited ${code}`)),
    );
  });
}

// ---- the server process ----

async function main(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-http-"));
  const nats = await startNatsServer({ storeDir: dir, syncAlways: true });
  const nc = await connect({ servers: nats.url });
  const running = await startMember(ConfigSchema.parse({ memberId: "bench" }), nc);
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
    await load("warmup", 1, (i) => api.get(ctx, `/bench/n${i % NODES}`));
    rows.push(await load("getData  member API", seconds, (i) => api.get(ctx, `/bench/n${i % NODES}`)));
    rows.push({ ...(await runClient(http.url, "get", seconds)), name: "getData  HTTP" });
    await load("warmup", 1, () => api.create(ctx, "/bench/d-", { data: "x", mode: "persistent_sequential" }));
    rows.push(
      await load("create   member API", seconds, () =>
        api.create(ctx, "/bench/d-", { data: "x", mode: "persistent_sequential" }),
      ),
    );
    rows.push({ ...(await runClient(http.url, "create", seconds)), name: "create   HTTP" });

    console.log(
      `\nnzk HTTP API vs the member's API: ${CONCURRENCY} concurrent callers, ${seconds} s a row, ${os.cpus().length}× ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}\n`,
    );
    console.log("| operation            |    ops/s |  p50 ms |  p99 ms | HTTP share of p50 |");
    console.log("|----------------------|---------:|--------:|--------:|------------------:|");
    for (const [i, row] of rows.entries()) {
      const sorted = [...row.latenciesMs].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const direct =
        i % 2 === 1
          ? percentile(
              [...rows[i - 1]!.latenciesMs].sort((a, b) => a - b),
              50,
            )
          : undefined;
      const share = direct === undefined ? "" : `${Math.max(0, ((p50 - direct) / p50) * 100).toFixed(0)}%`;
      console.log(
        `| ${row.name.padEnd(20)} | ${(row.ops / row.seconds).toFixed(0).padStart(8)} | ${p50.toFixed(2).padStart(7)} | ${percentile(sorted, 99).toFixed(2).padStart(7)} | ${share.padStart(17)} |`,
      );
    }
  } finally {
    await running.close();
    await nc.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === "--client") await client(args[1]!, args[2] as "get" | "create", Number(args[3]));
else await main(Number(args[0] ?? 5));
