/**
 * How long a member takes to join an ensemble that holds N znodes (issue 3: "a member with 1M znodes
 * joins in seconds"), and where the time goes.
 *
 * The state is put into a private nats-server (npm start's embedded configuration: fsync always,
 * 8 MiB max_payload) as a leader and a snapshotter would have left it: an epoch record, then N
 * service-registry creates prepped by core's Preparer and appended as group-committed log messages
 * (maxGroupTxns each, several in flight, through the leader's own LogWriter), a snapshot of that tree
 * stored by SnapshotStore.save (which purges the log below it, as autopurge does), then a tail of
 * registry churn (setData, creates, deletes) appended one txn per message, as a lightly loaded leader
 * appends them, for the joiner to replay.
 *
 * Then a member joins, twice: as a fresh process (`member/main.ts` with NATS_URL, as bench/broadcast.ts
 * starts its follower) and in this process (Member.start). The split comes from the member's own
 * "recovered" log line: reading the snapshot from the object store, deserializing it, replaying the
 * tail, and the rest of start() (streams, buckets, the tip, the election watch). The in-process
 * joiner's heap is measured after a full gc; the process reports heap and rss as it becomes ready.
 *
 * Run: npx tsx bench/join.ts [znodes, default 1000000] [tail txns, default 10000]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { connect } from "@nats-io/transport-node";
import { encodeTxns, Preparer } from "../core/index.ts";
import { OPEN_ACL_UNSAFE, type Txn, type WriteRequest } from "../core/records.ts";
import { makeZxid } from "../core/zxid.ts";
import { startNatsServer } from "../infra/index.ts";
import { ConfigSchema } from "../member/config.ts";
import { LogWriter } from "../member/log.ts";
import { ensureMemberLog, Member } from "../member/member.ts";
import { embeddedMaxPayload } from "../member/payload.ts";
import { Replica } from "../member/replica.ts";
import { SnapshotStore } from "../member/snapshots.ts";

const znodes = Number(process.argv[2] ?? 1_000_000);
const tailTxns = Number(process.argv[3] ?? 10_000);

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const INSTANCES_PER_SERVICE = 1000;
const DATA_BYTES = 100;
const EPOCH = 1;

const config = ConfigSchema.parse({});
const encoder = new TextEncoder();
const anyone = { sessionId: 0, auth: [] };

/** a deterministic stand-in for the random instance id (a UUID) Curator's service discovery uses */
function instanceId(i: number): string {
  let h = (i + 1) * 0x9e3779b1;
  const words: string[] = [];
  for (let k = 0; k < 4; k++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    words.push(((h ^ (h >>> 15)) >>> 0).toString(16).padStart(8, "0"));
  }
  const hex = words.join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const serviceOf = (i: number): string =>
  `/services/svc-${String(Math.floor(i / INSTANCES_PER_SERVICE)).padStart(4, "0")}`;
const instancePath = (i: number): string => `${serviceOf(i)}/${instanceId(i)}`;

/** 100 bytes of what a registry entry holds: a JSON address, different per instance and version */
function registration(i: number, version: number): Uint8Array {
  const text = `{"id":"${i}","address":"10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}","port":8080,"v":${version},"x":"`;
  return encoder.encode(`${text.padEnd(DATA_BYTES - 2, "x")}"}`);
}

const create = (path: string, data: Uint8Array): WriteRequest => ({
  op: "create",
  path,
  data,
  acl: OPEN_ACL_UNSAFE,
  mode: "persistent",
});

function* registry(): Generator<WriteRequest> {
  yield create("/services", new Uint8Array(0));
  for (let i = 0; i < znodes; i++) {
    if (i % INSTANCES_PER_SERVICE === 0) yield create(serviceOf(i), new Uint8Array(0));
    yield create(instancePath(i), registration(i, 0));
  }
}

/** churn after the snapshot: half re-registrations (setData), a quarter new instances, a quarter gone */
function* churn(): Generator<WriteRequest> {
  let created = znodes;
  let deleted = 0;
  const half = Math.floor(znodes / 2);
  for (let k = 0; k < tailTxns; k++) {
    if (k % 4 < 2) {
      const i = half + ((k * 7919) % (znodes - half));
      yield { op: "setData", path: instancePath(i), data: registration(i, k), version: -1 };
    } else if (k % 4 === 2) {
      if (created % INSTANCES_PER_SERVICE === 0) yield create(serviceOf(created), new Uint8Array(0));
      yield create(instancePath(created), registration(created, 0));
      created += 1;
    } else {
      yield { op: "delete", path: instancePath(deleted++), version: -1 };
    }
  }
}

/** The leader's path, without the member around it: prep, group, append pipelined, apply in order. */
class Seeder {
  readonly replica = new Replica();
  readonly #preparer = new Preparer(this.replica.tree, { maxDataBytes: config.maxDataBytes });
  readonly #writer: LogWriter;
  #counter = 0;

  constructor(writer: LogWriter) {
    this.#writer = writer;
  }

  async fence(): Promise<void> {
    const seq = await this.#writer.append({ kind: "epoch", epoch: EPOCH, leader: "seeder" });
    this.replica.applyEntry({ kind: "epoch", epoch: EPOCH, leader: "seeder", seq });
  }

  async commit(requests: Iterable<WriteRequest>, groupTxns: number, inFlight: number): Promise<void> {
    const queue: { seq: Promise<number>; txns: Txn[] }[] = [];
    const settleOldest = async (): Promise<void> => {
      const { seq, txns } = queue.shift()!;
      this.replica.applyTxns(await seq, txns);
      this.#preparer.release(this.replica.lastZxid);
    };
    let group: Txn[] = [];
    const flush = async (): Promise<void> => {
      if (group.length === 0) return;
      const txns = group;
      group = [];
      const data = encodeTxns(txns);
      const seq = this.#writer.append({ kind: "txns", lastZxid: txns.at(-1)!.zxid, data });
      // awaited in order below; until then a refusal must not end the process before its clean-up
      seq.catch(() => {});
      queue.push({ seq, txns });
      if (queue.length >= inFlight) await settleOldest();
    };
    for (const req of requests) {
      const stamp = { zxid: makeZxid(EPOCH, ++this.#counter), time: Date.now() };
      const { txn, error } = this.#preparer.prepare(anyone, stamp, req);
      if (error !== undefined) throw new Error(`${error.code} ${error.message}`);
      group.push(txn);
      if (group.length >= groupTxns) await flush();
    }
    await flush();
    while (queue.length > 0) await settleOldest();
  }
}

interface Recovered {
  znodes: number;
  snapshotBytes: number;
  fetchMs: number;
  decodeMs: number;
  replayEntries: number;
  replayMs: number;
  ms: number;
  heapMiB: number;
  rssMiB: number;
}

interface Join {
  how: string;
  recovered: Recovered;
  /** from spawning the process (or calling Member.start) to serving */
  wallMs: number;
  /** the process's heap as it became ready; the in-process member's, after a full gc */
  heapMiB: number;
  /** the whole process's, the bench's own included for the in-process member */
  rssMiB: number;
}

async function joinAsProcess(url: string): Promise<Join> {
  const main = fileURLToPath(new URL("../member/main.ts", import.meta.url));
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      NATS_URL: url,
      NZK_MEMBER_ID: "joiner-process",
      NZK_HTTP_PORT: "0",
      NZK_ZK_PORT: "0",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    let recovered: Recovered | undefined;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg: string } & Recovered;
        if (entry.msg === "recovered") recovered = entry;
        // npm start's whole API answers from here on (its stop handlers are installed too)
        if (entry.msg === "nzk serving") resolve();
      });
      proc.once("exit", (code) => reject(new Error(`joining member exited with ${code}`)));
    });
    const wallMs = performance.now() - spawnedAt;
    if (recovered === undefined) throw new Error("the member logged no 'recovered' line");
    return { how: "process", recovered, wallMs, heapMiB: recovered.heapMiB, rssMiB: recovered.rssMiB };
  } finally {
    proc.kill("SIGINT");
    await exited;
  }
}

async function joinInProcess(url: string): Promise<Join> {
  gc();
  const before = process.memoryUsage();
  const nc = await connect({ servers: url, name: "joiner-in-process" });
  let recovered: Recovered | undefined;
  const startedAt = performance.now();
  const member = await Member.start({ ...config, memberId: "joiner-in-process" }, nc, (msg, fields) => {
    if (msg === "recovered") recovered = fields as unknown as Recovered;
  });
  const wallMs = performance.now() - startedAt;
  gc();
  gc();
  const after = process.memoryUsage();
  await member.close();
  await nc.close();
  if (recovered === undefined) throw new Error("the member logged no 'recovered' line");
  return {
    how: "in-process",
    recovered,
    wallMs,
    heapMiB: (after.heapUsed - before.heapUsed) / 2 ** 20,
    rssMiB: after.rss / 2 ** 20,
  };
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const load = (): string => os.loadavg()[0]!.toFixed(1);

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const dir = await mkdtemp(join(tmpdir(), "nzk-bench-join-"));
  const server = await startNatsServer({
    storeDir: dir,
    syncAlways: true,
    maxPayload: embeddedMaxPayload(config.maxDataBytes),
  });
  try {
    const nc = await connect({ servers: server.url, name: "seeder" });
    await ensureMemberLog(nc, config);
    const store = await SnapshotStore.open(nc, config.snapshotBucket, config.replicas, config.logStream);
    let seeder: Seeder | undefined = new Seeder(new LogWriter(nc, config.logSubject, 0, EPOCH, 60_000));
    await seeder.fence();

    let at = performance.now();
    await seeder.commit(registry(), config.maxGroupTxns, config.maxInFlight);
    const bulkMs = performance.now() - at;
    const bulkSeq = seeder.replica.seq;

    at = performance.now();
    const ref = await store.save(seeder.replica.tree, bulkSeq, EPOCH, config.snapshotsKept);
    const saveMs = performance.now() - at;
    const saved = (await store.list()).at(-1)!;

    at = performance.now();
    await seeder.commit(churn(), 1, 64);
    const tailMs = performance.now() - at;
    const expected = { znodes: seeder.replica.tree.nodeCount, seq: seeder.replica.seq };
    seeder = undefined;
    await nc.drain();
    console.log(
      `seeded: ${expected.znodes} znodes in ${bulkSeq - 1} log messages (${(bulkMs / 1000).toFixed(1)} s), ` +
        `snapshot ${ref.name} saved in ${(saveMs / 1000).toFixed(1)} s, ${expected.seq - bulkSeq} tail txns appended in ${(tailMs / 1000).toFixed(1)} s`,
    );

    const joins = [await joinAsProcess(server.url), await joinInProcess(server.url)];
    for (const j of joins) {
      if (j.recovered.znodes !== expected.znodes || j.recovered.snapshotBytes === 0) {
        throw new Error(
          `${j.how} joiner recovered ${JSON.stringify(j.recovered)}, expected ${JSON.stringify(expected)}`,
        );
      }
    }
    table(
      `join: ${expected.znodes.toLocaleString("en-US")} znodes (${DATA_BYTES}-byte data, ${INSTANCES_PER_SERVICE} instances per service), ` +
        `snapshot ${mib(joins[0]!.recovered.snapshotBytes)} MiB at seq ${saved.seq}, then ${(expected.seq - saved.seq).toLocaleString("en-US")} txns one per log message; ` +
        `${os.cpus().length} cpus, load average ${loadAtStart} at start, ${load()} at end`,
      [
        "joiner",
        "fetch ms",
        "deserialise ms",
        "replay ms",
        "rest ms",
        "Member.start ms",
        "to serving ms",
        "heap MiB",
        "rss MiB",
      ],
      joins.map((j) => {
        const r = j.recovered;
        return [
          j.how,
          String(r.fetchMs),
          String(r.decodeMs),
          `${r.replayMs} (${r.replayEntries} entries)`,
          String(r.ms - r.fetchMs - r.decodeMs - r.replayMs),
          String(r.ms),
          j.wallMs.toFixed(0),
          j.how === "process" ? `${r.heapMiB} (no gc)` : `${j.heapMiB.toFixed(0)} (after gc)`,
          j.rssMiB.toFixed(0),
        ];
      }),
    );
    console.log(
      "\nfetch: listing the object store and reading the snapshot; rest: the rest of Member.start (streams, buckets, the tip, the election watch); " +
        "to serving: from spawning the process (node and tsx start-up included) until it logs 'nzk serving', or from calling Member.start until it resolves; " +
        "heap: the process's as it became ready (garbage included), the in-process member's after a full gc; rss: the whole process, for in-process the bench's own included",
    );
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
