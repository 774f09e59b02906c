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
import { connect } from "@nats-io/transport-node";
import { isZkError } from "../core/errors.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../core/records.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema } from "../member/config.ts";
import { ensureLogStream } from "../member/log.ts";
import { Member } from "../member/member.ts";
import { measure, type Row } from "./measure.ts";

const seconds = Number(process.argv[2] ?? 3);
const maxInFlight = Number(process.argv[3] ?? ConfigSchema.parse({}).maxInFlight);
const payload = new Uint8Array(100).fill(120);

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

/** Runs bench/api-load.ts against the NATS API, which only the follower serves (the leader here does not). */
async function apiLoad(url: string, call: "create" | "set", writers: number, tag: string): Promise<Row> {
  const script = fileURLToPath(new URL("./api-load.ts", import.meta.url));
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", script, url, call, String(writers), String(seconds), tag],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
  if (code !== 0) throw new Error(`api-load exited with ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Row;
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
        await measure(seconds, "create via leader", writers, (w, i) =>
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
        await measure(seconds, "setData via leader", writers, (w) =>
          direct({ op: "setData", path: `/set-${tag}-${w}`, data: payload, version: -1 }),
        ),
      );
    }
    // The load on the follower comes from a process of its own, so the leader here is not its client.
    for (const writers of [1, 64]) {
      rows.push(await apiLoad(server.url, "create", writers, `follower-${writers}`));
      rows.push(await apiLoad(server.url, "set", writers, `follower-${writers}`));
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
