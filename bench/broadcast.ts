/**
 * The ordered broadcast's throughput and latency, next to the raw JetStream bound measured in the same
 * run on a stream of the same configuration (file storage, one replica, fsync always): publishes with
 * an expected last sequence, one txn per message, pipelined 64 deep. With 1 and 64 concurrent writers,
 * 100-byte creates and setData:
 * - through the leader: the leader runs in this process and is called in-process, as the HTTP layer
 *   calls its member;
 * - through a follower: a second member runs as its own process (`npm start` joining this NATS) and is
 *   reached over the NATS API, as an edge handler reaches it; it forwards to the leader and answers
 *   once it applied the write itself.
 * Run: npx tsx bench/broadcast.ts [seconds per row] [max appends in flight]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { isZkError } from "../core/errors.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../core/records.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema } from "../member/config.ts";
import { ensureLogStream } from "../member/log.ts";
import { Member } from "../member/member.ts";

const seconds = Number(process.argv[2] ?? 3);
const maxInFlight = Number(process.argv[3] ?? ConfigSchema.parse({}).maxInFlight);
const payload = new Uint8Array(100).fill(120);

interface Row {
  what: string;
  writers: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function measure(
  what: string,
  writers: number,
  op: (w: number, i: number) => Promise<void>,
): Promise<Row> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await op(w, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    what,
    writers,
    ops: latencies.length,
    opsPerSec: latencies.length / elapsed,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
  };
}

async function rawBound(url: string): Promise<Row> {
  const nc = await connect({ servers: url });
  await ensureLogStream(nc, { stream: "RAW", subject: "raw", replicas: 1, maxMsgBytes: 1024 * 1024 });
  const js = jetstream(nc);
  let last = 0;
  // 64 in flight, each expecting the sequence of the one before it.
  const row = await measure("raw JetStream (expected last seq, 1 per msg)", 64, async () => {
    const expected = last++;
    await js.publish("raw.1", payload, { expect: { lastSequence: expected } });
  });
  await (await jetstreamManager(nc)).streams.delete("RAW");
  await nc.close();
  return row;
}

/** The NATS API of the follower: the leader in this process does not serve it, so only the follower answers. */
async function api(nc: NatsConnection, call: string, req: unknown): Promise<void> {
  const reply = JSON.parse(
    (await nc.request(`nzk.api.v1.${call}`, JSON.stringify(req), { timeout: 10_000 })).string(),
  );
  if ("error" in reply) throw new Error(JSON.stringify(reply));
}

async function startFollower(url: string) {
  const main = fileURLToPath(new URL("../member/main.ts", import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", main], {
    env: { ...process.env, NATS_URL: url, NZK_MEMBER_ID: "follower", NZK_HTTP_PORT: "0", NZK_ZK_PORT: "0" },
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

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-"));
  const server = await startNatsServer({ storeDir: dir, syncAlways: true });
  try {
    const raw = await rawBound(server.url);
    const nc = await connect({ servers: server.url, name: "leader" });
    const leader = await Member.start(
      ConfigSchema.parse({ memberId: "leader", snapshotEveryTxns: 10_000_000, maxInFlight }),
      nc,
    );
    while (leader.state !== "LEADING") await new Promise((r) => setTimeout(r, 10));
    const follower = await startFollower(server.url);
    const anyone = { sessionId: 0, auth: [] };
    const direct = async (req: WriteRequest): Promise<void> => {
      const out = await leader.write(anyone, req);
      if (isZkError(out) || out.error !== undefined) throw new Error(JSON.stringify(out));
    };
    const rows: Row[] = [raw];
    for (const writers of [1, 64]) {
      const tag = `leader-${writers}`;
      rows.push(
        await measure("create via leader", writers, (w, i) =>
          direct({
            op: "create",
            path: `/${tag}-${w}-${i}`,
            data: payload,
            acl: OPEN_ACL_UNSAFE,
            mode: "persistent",
          }),
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
        await measure("setData via leader", writers, (w) =>
          direct({ op: "setData", path: `/set-${tag}-${w}`, data: payload, version: -1 }),
        ),
      );
    }
    const client = await connect({ servers: server.url, name: "client" });
    const data = new TextDecoder().decode(payload);
    for (const writers of [1, 64]) {
      const tag = `follower-${writers}`;
      rows.push(
        await measure("create via follower (NATS API)", writers, (w, i) =>
          api(client, "create", { path: `/${tag}-${w}-${i}`, body: { data } }),
        ),
      );
      for (let w = 0; w < writers; w++)
        await api(client, "create", { path: `/set-${tag}-${w}`, body: { data } });
      rows.push(
        await measure("setData via follower (NATS API)", writers, (w) =>
          api(client, "set", { path: `/set-${tag}-${w}`, body: { data } }),
        ),
      );
    }
    follower.kill("SIGINT");
    await leader.close();
    console.log(
      `\nordered broadcast, embedded nats-server (fsync always), ${seconds} s per row, ${maxInFlight} appends in flight\n`,
    );
    console.log("| path | writers | ops/s | × raw | p50 ms | p99 ms |");
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(
        `| ${r.what} | ${r.writers} | ${Math.round(r.opsPerSec)} | ${(r.opsPerSec / raw.opsPerSec).toFixed(1)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
      );
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
