/**
 * Snapshots in a JetStream object store (chunked, so a tree of a million znodes fits). Each object is
 * named by the log sequence it was taken at, and carries that sequence and its zxid as metadata, so
 * recovery is: newest snapshot, then the log from the next sequence. After a save the store keeps the
 * newest `kept` snapshots, and the log is purged below the oldest one kept (ZooKeeper's autopurge):
 * every kept snapshot still has its whole log tail.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { type ObjectStore, Objm, setSha256Backend } from "@nats-io/obj";
import { isZkError } from "../core/errors.ts";
import type { DataTree } from "../core/index.ts";
import { snapshotReader, snapshotWriter } from "../core/index.ts";
import { randomIndexSeed } from "./replica.ts";

export interface SnapshotRef {
  readonly name: string;
  readonly seq: number;
  readonly zxid: number;
  readonly epoch: number;
}

/** A snapshot the store holds, with its size. */
export interface StoredSnapshot extends SnapshotRef {
  readonly bytes: number;
}

export interface LoadedSnapshot {
  readonly ref: SnapshotRef;
  readonly tree: DataTree;
  /** the snapshot's size */
  readonly bytes: number;
  /** listing the store and reading the snapshot (and any unreadable newer one) */
  readonly fetchMs: number;
  /** deserializing it (and any unreadable newer one) */
  readonly decodeMs: number;
}

/**
 * Chunks of 1 MiB (the store lowers this to the server's max_payload when that is smaller) rather than
 * the default 128 KiB: each chunk is a message the server fsyncs before the next is sent, and a million
 * znodes' 200 MiB snapshot is 200 of them instead of 1,700, saved in about half the time.
 */
const CHUNK_BYTES = 1024 * 1024;

/** Runs a snapshot's steps with a turn of the event loop between them, so the member goes on meanwhile. */
async function inSteps<T>(steps: Generator<void, T, void>): Promise<T> {
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done === true) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const nameOf = (seq: number): string => `snap-${seq.toString().padStart(16, "0")}`;

export class SnapshotStore {
  readonly #nc: NatsConnection;
  readonly #os: ObjectStore;
  readonly #logStream: string;

  private constructor(nc: NatsConnection, os: ObjectStore, logStream: string) {
    this.#nc = nc;
    this.#os = os;
    this.#logStream = logStream;
  }

  static async open(
    nc: NatsConnection,
    bucket: string,
    replicas: number,
    logStream: string,
  ): Promise<SnapshotStore> {
    // The object store checks every object with SHA-256, by default in JavaScript: 8 s of CPU for a
    // 200 MiB snapshot (a million znodes) where node:crypto takes 0.3 s. Process-wide; members run on Node.
    setSha256Backend("native");
    const os = await new Objm(nc).create(bucket, { replicas, storage: "file" });
    return new SnapshotStore(nc, os, logStream);
  }

  async list(): Promise<StoredSnapshot[]> {
    const refs: StoredSnapshot[] = [];
    for (const info of await this.#os.list()) {
      const m = info.metadata;
      if (info.deleted || m === undefined) continue;
      refs.push({
        name: info.name,
        seq: Number(m.seq),
        zxid: Number(m.zxid),
        epoch: Number(m.epoch),
        bytes: info.size,
      });
    }
    return refs.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The newest snapshot that reads back, with its tree; an unreadable one is skipped for an older one.
   * The times say where a join spends its time: listing and reading the object store, and decoding.
   * onLoading hears of each snapshot before it is read (at a million znodes: seconds of reading). It is
   * decoded a step at a time, as it is written, so a member that reloads one keeps answering meanwhile.
   */
  async loadNewest(onLoading?: (snapshot: StoredSnapshot) => void): Promise<LoadedSnapshot | undefined> {
    let fetchMs = 0;
    let decodeMs = 0;
    let start = performance.now();
    const refs = await this.list();
    for (let i = refs.length - 1; i >= 0; i--) {
      const ref = refs[i]!;
      onLoading?.(ref);
      const bytes = await this.#os.getBlob(ref.name);
      fetchMs += performance.now() - start;
      start = performance.now();
      if (bytes === null) continue;
      const tree = await inSteps(snapshotReader(bytes, { indexSeed: randomIndexSeed() }));
      decodeMs += performance.now() - start;
      start = performance.now();
      if (!isZkError(tree)) return { ref, tree, bytes: bytes.length, fetchMs, decodeMs };
    }
    return undefined;
  }

  /**
   * Saves the tree as it is at this call, which must be the state at seq: it is copied before the
   * first await and written out a step at a time, so the member keeps serving and applying meanwhile
   * (written in one go, a million znodes held its event loop for seconds). Then trims old snapshots
   * and the log.
   */
  async save(tree: DataTree, seq: number, epoch: number, kept: number): Promise<SnapshotRef> {
    const ref = { name: nameOf(seq), seq, zxid: tree.lastZxid, epoch };
    const bytes = await inSteps(snapshotWriter(tree));
    await this.#os.putBlob(
      {
        name: ref.name,
        metadata: { seq: String(seq), zxid: String(ref.zxid), epoch: String(epoch) },
        options: { max_chunk_size: CHUNK_BYTES },
      },
      bytes,
    );
    await this.trim(kept);
    return ref;
  }

  async trim(kept: number): Promise<void> {
    const refs = await this.list();
    const keep = refs.slice(-kept);
    for (const old of refs.slice(0, refs.length - keep.length)) await this.#os.delete(old.name);
    const oldest = keep[0];
    if (oldest === undefined) return;
    const jsm = await jetstreamManager(this.#nc);
    // Purging below oldest.seq keeps every entry after the oldest kept snapshot, and its own entry too:
    // that may be the leader's last append, which its next append expects to find on its subject (an
    // idle leader would otherwise be refused and step down after every snapshot taken at the tip).
    await jsm.streams.purge(this.#logStream, { seq: oldest.seq });
  }
}
