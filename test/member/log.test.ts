import { jetstreamManager } from "@nats-io/jetstream";
import { deferred } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { ensureLogStream, type LogEntry, LogTail, LogWriter, logTip } from "../../member/log.ts";
import { natsServer } from "../fixtures/nats.ts";

const settings = { stream: "LOG", subject: "t.log", replicas: 1, maxMsgBytes: 1024 * 1024 };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("the log", () => {
  it("stores pipelined appends in order, each acknowledged at the sequence it expected", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, settings);
    const writer = new LogWriter(nc, settings.subject, 0, 1, 5000);
    const seqs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.append({ kind: "txns", lastZxid: i + 1, data: bytes(`m${i}`) }),
      ),
    );
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await logTip(await jetstreamManager(nc), settings.stream)).toBe(50);
  });

  it("refuses every pipelined append of a deposed writer, even one whose expected sequence the new leader reached", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, settings);
    const deposed = new LogWriter(nc, settings.subject, 0, 1, 5000);
    await deposed.append({ kind: "epoch", epoch: 1, leader: "a" });
    const fencer = new LogWriter(nc, settings.subject, 1, 2, 5000);
    await fencer.append({ kind: "epoch", epoch: 2, leader: "b" });
    await fencer.append({ kind: "txns", lastZxid: 2 * 2 ** 32 + 1, data: bytes("new") });
    // Pipelined: the third expects sequence 3, which the new leader's two appends just reached.
    const appends = [1, 2, 3].map((i) =>
      deposed.append({ kind: "txns", lastZxid: 2 ** 32 + i, data: bytes("stale") }),
    );
    const outcomes = await Promise.allSettled(appends);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(deposed.broken).toBeDefined();
    expect(await logTip(await jetstreamManager(nc), settings.stream)).toBe(3);
  });

  it("tails the log in order from a sequence", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, settings);
    const writer = new LogWriter(nc, settings.subject, 0, 1, 5000);
    await writer.append({ kind: "epoch", epoch: 1, leader: "a" });
    for (let i = 1; i <= 5; i++)
      await writer.append({ kind: "txns", lastZxid: 2 ** 32 + i, data: bytes(`x${i}`) });
    const seen: LogEntry[] = [];
    const five = deferred<void>();
    const tail = new LogTail(
      nc,
      settings.stream,
      2,
      (e) => {
        seen.push(e);
        if (seen.length === 5) five.resolve();
      },
      (err) => {
        throw err;
      },
    );
    await five;
    tail.stop();
    expect(seen.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(seen[0]).toMatchObject({ kind: "txns", lastZxid: 2 ** 32 + 1 });
  });

  it("reports a gap when the entries it needs were purged", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureLogStream(nc, settings);
    const writer = new LogWriter(nc, settings.subject, 0, 1, 5000);
    for (let i = 1; i <= 4; i++) await writer.append({ kind: "txns", lastZxid: i, data: bytes("x") });
    await (await jetstreamManager(nc)).streams.purge(settings.stream, { seq: 3 });
    const promise = deferred<Error>();
    const tail = new LogTail(nc, settings.stream, 1, () => {}, promise.resolve);
    expect((await promise).message).toMatch(/log gap: expected 1, got 3/);
    tail.stop();
  });
});
