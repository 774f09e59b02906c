import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Mutex, ReadWriteLock } from "../../../client/recipes/index.ts";
import type { NzkClient } from "../../../client/sdk/index.ts";
import { type Nzk, partition, reaches, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

describe("Mutex", () => {
  it("never has two holders over many contended rounds, and a waiter whose session closes drops out", async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => nzk.connect(10_000)));
    let holders = 0;
    let maxHolders = 0;
    let rounds = 0;
    const log = nzk.client();
    await log.create("/mutex-work", { data: "0" });
    const worker = async (client: NzkClient, n: number) => {
      const lock = new Mutex(client, "/locks/m");
      for (let i = 0; i < n; i++) {
        expect(await lock.acquire()).toBe(true);
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        // a read-modify-write that would lose updates if two held the lock
        const got = await client.get("/mutex-work");
        await client.set("/mutex-work", String(Number(got.data) + 1), got.stat.version);
        holders--;
        rounds++;
        await lock.release();
      }
    };
    const quitter = clients[4]!;
    const waiting = new Mutex(quitter, "/locks/m");
    const work = Promise.all(clients.slice(0, 4).map((c) => worker(c, 15)));
    const quit = waiting.acquire().catch((err: unknown) => err);
    await quitter.close();
    await work;
    expect(await quit).toMatchObject({ code: "SessionExpired" });
    expect(maxHolders).toBe(1);
    expect(rounds).toBe(60);
    expect((await log.get("/mutex-work")).data).toBe("60");
    expect((await log.children("/locks/m")).children).toEqual([]);
  });

  it("passes to the next waiter only once a crashed holder's session is lost", async () => {
    const net = partition();
    const crashed = await nzk.connect(600, net.fetch);
    const waiter = await nzk.connect(10_000);
    const held = new Mutex(crashed, "/locks/crash");
    expect(await held.acquire()).toBe(true);
    let holderLost = false;
    crashed.onState((s) => {
      if (s === "lost" || s === "suspended") holderLost = true;
    });
    const next = new Mutex(waiter, "/locks/crash");
    const acquiring = next.acquire();
    net.cut();
    expect(await acquiring).toBe(true);
    expect(holderLost).toBe(true);
    expect(held.held).toBe(false);
    expect(await reaches(crashed, "lost")).toBe("lost");
    await next.release();
  });

  it("hands the lock on in queue order and times out cleanly", async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => nzk.connect(10_000)));
    const la = new Mutex(a!, "/locks/herd");
    expect(await la.acquire()).toBe(true);
    const lb = new Mutex(b!, "/locks/herd");
    const lc = new Mutex(c!, "/locks/herd");
    const bGot = lb.acquire();
    expect(await lc.acquire({ timeoutMs: 300 })).toBe(false);
    expect((await a!.children("/locks/herd")).children).toHaveLength(2);
    await la.release();
    expect(await bGot).toBe(true);
    expect(lb.held).toBe(true);
    const cGot = lc.acquire();
    await lb.release();
    expect(await cGot).toBe(true);
    await lc.release();
  });
});

describe("ReadWriteLock", () => {
  it("shares reads, excludes writes, and a writer waits for earlier readers", async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => nzk.connect(10_000)));
    const ra = new ReadWriteLock(a!, "/locks/rw");
    const rb = new ReadWriteLock(b!, "/locks/rw");
    const wc = new ReadWriteLock(c!, "/locks/rw");
    expect(await ra.readLock.acquire()).toBe(true);
    expect(await rb.readLock.acquire()).toBe(true);
    const writing = wc.writeLock.acquire();
    expect(await new ReadWriteLock(a!, "/locks/rw").writeLock.acquire({ timeoutMs: 200 })).toBe(false);
    await ra.readLock.release();
    const lateReader = new ReadWriteLock(a!, "/locks/rw").readLock;
    const lateRead = lateReader.acquire();
    await rb.readLock.release();
    expect(await writing).toBe(true);
    expect(lateReader.held).toBe(false);
    await wc.writeLock.release();
    expect(await lateRead).toBe(true);
    await lateReader.release();
  });
});
