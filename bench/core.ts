/**
 * The core data tree's speed and size: txns applied per second, heap bytes per znode, snapshot cost.
 * Run with `npm run bench:core` (node --expose-gc, so heap figures are measured after a full gc).
 */
import os from "node:os";
import { apply } from "../core/apply.ts";
import { DataTree } from "../core/data-tree.ts";
import { OPEN_ACL_UNSAFE, type Txn, type TxnBody } from "../core/records.ts";
import { deserializeSnapshot, serializeSnapshot, snapshotReader, snapshotWriter } from "../core/snapshot.ts";
import { decodeTxns, encodeTxns } from "../core/txn-codec.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with --expose-gc: npx tsx --expose-gc bench/core.ts");
  process.exit(1);
}

const DATA_BYTES = 100;
const FANOUT = 1000;

const encoder = new TextEncoder();

/** text, as a registry's znodes mostly hold: 100 bytes of JSON-ish ASCII, different per node */
function payload(i: number): Uint8Array {
  const text = `{"id":"i-${i}","address":"10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}","port":8080,"x":"`;
  return encoder.encode(`${text.padEnd(DATA_BYTES - 2, "x")}"}`);
}

/** arbitrary bytes, the slow path of the data conversion */
function binaryPayload(i: number): Uint8Array {
  const data = new Uint8Array(DATA_BYTES);
  for (let j = 0; j < DATA_BYTES; j++) data[j] = (i * 31 + j * 151 + 128) & 0xff;
  return data;
}

/** /b/g<k>/n<i>, 1000 children per group */
function pathOf(i: number): string {
  // joined rather than concatenated, so the string is flat as one decoded from the log is
  return ["/b/g", i % FANOUT, "/n", String(i).padStart(10, "0")].join("");
}

function txn(zxid: number, body: TxnBody): Txn {
  return { sessionId: 0, zxid, time: 1_700_000_000_000 + zxid, body };
}

function create(zxid: number, path: string, data: Uint8Array): Txn {
  const body: TxnBody = {
    type: "create",
    path,
    data,
    acl: OPEN_ACL_UNSAFE,
    ephemeralOwner: 0,
    container: false,
    ttl: 0,
    parentCVersion: -1,
  };
  return txn(zxid, body);
}

let zxid = 0x1_0000_0000;

/** A tree with the FANOUT group nodes under /b, so the measured creates are leaves. */
function groupedTree(): DataTree {
  const tree = new DataTree();
  apply(tree, create(++zxid, "/b", new Uint8Array(0)));
  for (let g = 0; g < FANOUT; g++) apply(tree, create(++zxid, `/b/g${g}`, new Uint8Array(0)));
  return tree;
}

function fillTree(tree: DataTree, count: number, data: (i: number) => Uint8Array): void {
  for (let i = 0; i < count; i++) {
    const applied = apply(tree, create(++zxid, pathOf(i), data(i)));
    if (applied.result.type !== "create") throw new Error(`create ${pathOf(i)} failed`);
  }
}

function rate(count: number, ms: number): string {
  return Math.round((count / ms) * 1000).toLocaleString("en-US");
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

/** txns per log message in the apply bench: a member decodes a message, applies its txns, drops them */
const CHUNK = 1000;

/** The txns as a member applies them: decoded from the log's records. */
function fromLog(txns: Txn[]): Txn[] {
  const decoded = decodeTxns(encodeTxns(txns));
  if (!Array.isArray(decoded)) throw new Error(decoded.message);
  return decoded;
}

/**
 * Applies `count` txns, made by `make` and decoded from log records CHUNK at a time as a member receives
 * them; only the applying is timed, so the figures are the state machine's and not the codec's.
 */
function timeApply(tree: DataTree, count: number, make: (i: number) => Txn): { wall: number; cpu: number } {
  let wall = 0;
  let cpu = 0;
  for (let from = 0; from < count; from += CHUNK) {
    const txns = fromLog(Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => make(from + i)));
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (const t of txns) apply(tree, t);
    wall += performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    cpu += (used.user + used.system) / 1000;
  }
  return { wall, cpu };
}

type Phase = [name: string, tree: DataTree, make: (i: number) => Txn];

function phases(tree: DataTree, binaryTree: DataTree): Phase[] {
  return [
    ["create", tree, (i) => create(++zxid, pathOf(i), payload(i))],
    [
      "setData",
      tree,
      (i) => txn(++zxid, { type: "setData", path: pathOf(i), data: payload(i + 1), version: 1 }),
    ],
    ["delete", tree, (i) => txn(++zxid, { type: "delete", path: pathOf(i) })],
    ["create, binary data", binaryTree, (i) => create(++zxid, pathOf(i), binaryPayload(i))],
  ];
}

function benchApply(count: number): void {
  // a member applies txns for hours: a first pass lets V8 compile the hot paths before anything is timed
  for (const [, target, make] of phases(groupedTree(), groupedTree())) timeApply(target, count / 10, make);
  const tree = groupedTree();
  const rows: string[][] = [];
  for (const [name, target, make] of phases(tree, groupedTree())) {
    gc!();
    const { wall, cpu } = timeApply(target, count, make);
    rows.push([
      name,
      count.toLocaleString("en-US"),
      wall.toFixed(0),
      rate(count, wall),
      cpu.toFixed(0),
      rate(count, cpu),
    ]);
  }
  if (tree.nodeCount !== 4 + 1 + FANOUT) throw new Error("deletes left nodes behind");
  table(
    `apply (decoded from log records ${CHUNK} txns at a time, as a member applies them, after a warm-up pass; ${DATA_BYTES}-byte data; ${FANOUT} parents)`,
    ["txn", "txns", "wall ms", "txns/s (wall)", "cpu ms (all threads)", "txns/s (cpu)"],
    rows,
  );
}

/** A yardstick for reading the figures on a given machine: V8's own Map, with nothing of nzk in it. */
function calibrate(): void {
  const keys = Array.from({ length: 1_000_000 }, (_, i) => pathOf(i));
  gc!();
  const map = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < keys.length; i++) map.set(keys[i]!, i);
  const ms = performance.now() - start;
  table(
    `machine yardstick (${os.cpus().length} cpus, load average ${os.loadavg()[0]!.toFixed(1)})`,
    ["operation", "count", "ms", "ns/op"],
    [
      [
        "Map.set, fresh 20-char string keys",
        "1,000,000",
        ms.toFixed(0),
        ((ms * 1e6) / keys.length).toFixed(0),
      ],
    ],
  );
}

function heapNow(): { heap: number; external: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.arrayBuffers };
}

function benchMemory(counts: number[]): DataTree {
  const rows: string[][] = [];
  const arithmetic: string[] = [];
  let kept: DataTree | undefined;
  for (const count of counts) {
    kept = undefined;
    const before = heapNow();
    const tree = groupedTree();
    fillTree(tree, count, payload);
    const after = heapNow();
    let pathBytes = 0;
    for (const p of tree.nodes.paths) pathBytes += p.length;
    const dataBytes = count * DATA_BYTES;
    const heap = after.heap - before.heap;
    const external = after.external - before.external;
    const n = tree.nodeCount;
    const perNode = (heap - pathBytes - dataBytes) / n;
    rows.push([
      n.toLocaleString("en-US"),
      (heap / 2 ** 20).toFixed(1),
      (pathBytes / 2 ** 20).toFixed(1),
      (dataBytes / 2 ** 20).toFixed(1),
      perNode.toFixed(0),
      (external / 2 ** 20).toFixed(1),
      ((heap + external - pathBytes - dataBytes) / n).toFixed(0),
    ]);
    arithmetic.push(
      `${n.toLocaleString("en-US")} znodes: (${heap.toLocaleString("en-US")} heap − ${pathBytes.toLocaleString("en-US")} path − ` +
        `${dataBytes.toLocaleString("en-US")} data) B / ${n.toLocaleString("en-US")} = ${perNode.toFixed(1)} B; ` +
        `with ${external.toLocaleString("en-US")} B of typed-array columns: ${((heap + external - pathBytes - dataBytes) / n).toFixed(1)} B`,
    );
    kept = tree;
  }
  table(
    `heap per znode (${DATA_BYTES}-byte data): per znode = (heapUsed delta − path bytes − data bytes) / znodes`,
    ["znodes", "heap MiB", "paths MiB", "data MiB", "heap B/znode", "typed arrays MiB", "all B/znode"],
    rows,
  );
  for (const line of arithmetic) console.log(line);
  return kept!;
}

/** Runs a snapshot's steps and returns how long the longest took, in ms. */
function longestStep(steps: Generator<void, unknown, void>): number {
  let longest = 0;
  for (let done = false; !done; ) {
    const t = performance.now();
    done = steps.next().done === true;
    longest = Math.max(longest, performance.now() - t);
  }
  return longest;
}

function benchSnapshot(tree: DataTree): void {
  const rows: string[][] = [];
  let start = performance.now();
  const bytes = serializeSnapshot(tree);
  const serializeMs = performance.now() - start;
  gc!();
  start = performance.now();
  const restored = deserializeSnapshot(bytes);
  const deserializeMs = performance.now() - start;
  if (!(restored instanceof DataTree) || restored.nodeCount !== tree.nodeCount) {
    throw new Error("snapshot did not restore");
  }
  // As a member saves: the copy is the only part that holds the event loop, then a step at a time.
  start = performance.now();
  const steps = snapshotWriter(tree);
  const copyMs = performance.now() - start;
  const longestStepMs = longestStep(steps);
  gc!();
  const readStepMs = longestStep(snapshotReader(bytes));
  rows.push([
    tree.nodeCount.toLocaleString("en-US"),
    (bytes.length / 2 ** 20).toFixed(1),
    (bytes.length / tree.nodeCount).toFixed(0),
    serializeMs.toFixed(0),
    deserializeMs.toFixed(0),
    copyMs.toFixed(0),
    longestStepMs.toFixed(0),
    readStepMs.toFixed(0),
  ]);
  table(
    "snapshot (serialise: tree → bytes; deserialise: bytes → tree, checksum and checks included; a member saving in steps holds its event loop for the copy, then for the longest step; loading in steps, for the longest read step)",
    [
      "znodes",
      "size MiB",
      "B/znode",
      "serialise ms",
      "deserialise ms",
      "copy ms",
      "longest step ms",
      "longest read step ms",
    ],
    rows,
  );
}

calibrate();
benchApply(300_000);
const big = benchMemory([100_000, 1_000_000]);
benchSnapshot(big);
