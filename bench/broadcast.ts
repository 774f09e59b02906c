/**
 * The ordered broadcast's throughput and latency, next to the raw JetStream bound measured in the same
 * run on a stream of the same configuration (file storage, one replica, fsync always): publishes with
 * an expected last sequence, one txn per message, pipelined 64 deep. Writes go through the leader and
 * through a follower (forwarded over NATS, answered once the follower applied them), with 1 and 64
 * concurrent writers, 100-byte creates and setData. Run: npx tsx bench/broadcast.ts [seconds]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
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

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-"));
  const server = await startNatsServer({ storeDir: dir, syncAlways: true });
  try {
    const raw = await rawBound(server.url);
    const members: Member[] = [];
    for (const id of ["leader", "follower"]) {
      const nc = await connect({ servers: server.url, name: id });
      members.push(
        await Member.start(ConfigSchema.parse({ memberId: id, snapshotEveryTxns: 10_000_000, maxInFlight }), nc),
      );
    }
    while (members[0]!.state !== "LEADING") await new Promise((r) => setTimeout(r, 10));
    const anyone = { sessionId: 0, auth: [] };
    const write = async (m: Member, req: WriteRequest): Promise<void> => {
      const out = await m.write(anyone, req);
      if (isZkError(out) || out.error !== undefined) throw new Error(JSON.stringify(out));
    };
    const rows: Row[] = [raw];
    for (const [via, m] of [
      ["leader", members[0]!],
      ["follower", members[1]!],
    ] as const) {
      for (const writers of [1, 64]) {
        const tag = `${via}-${writers}`;
        rows.push(
          await measure(`create via ${via}`, writers, (w, i) =>
            write(m, {
              op: "create",
              path: `/${tag}-${w}-${i}`,
              data: payload,
              acl: OPEN_ACL_UNSAFE,
              mode: "persistent",
            }),
          ),
        );
        for (let w = 0; w < writers; w++) {
          await write(m, {
            op: "create",
            path: `/set-${tag}-${w}`,
            data: payload,
            acl: OPEN_ACL_UNSAFE,
            mode: "persistent",
          });
        }
        rows.push(
          await measure(`setData via ${via}`, writers, (w) =>
            write(m, { op: "setData", path: `/set-${tag}-${w}`, data: payload, version: -1 }),
          ),
        );
      }
    }
    for (const m of members) await m.close();
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
