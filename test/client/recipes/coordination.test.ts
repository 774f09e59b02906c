import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Barrier,
  DistributedQueue,
  DoubleBarrier,
  type Lease,
  Semaphore,
  SharedCount,
} from "../../../client/recipes/index.ts";
import { type Nzk, partition, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe("Semaphore", () => {
  it("never lets more than maxLeases hold at once under contention", async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => nzk.connect(10_000)));
    let holding = 0;
    let most = 0;
    await Promise.all(
      clients.map(async (client) => {
        const sem = new Semaphore(client, "/sem/a", 2);
        for (let i = 0; i < 6; i++) {
          const lease = await sem.acquire();
          holding++;
          most = Math.max(most, holding);
          await client.sync();
          holding--;
          await lease!.release();
        }
      }),
    );
    expect(most).toBe(2);
  });

  it("frees a crashed holder's lease once its session expires", async () => {
    const net = partition();
    const crashed = await nzk.connect(600, net.fetch);
    const other = await nzk.connect(10_000);
    const held: Lease | undefined = await new Semaphore(crashed, "/sem/b", 1).acquire();
    expect(held).toBeDefined();
    const sem = new Semaphore(other, "/sem/b", 1);
    expect(await sem.acquire({ timeoutMs: 100 })).toBeUndefined();
    const waiting = sem.acquire();
    net.cut();
    const lease = await waiting;
    expect(lease).toBeDefined();
    expect(crashed.session?.alive).toBe(false);
    await lease!.release();
  });
});

describe("Barrier", () => {
  it("holds every waiter until removed", async () => {
    const owner = nzk.client();
    const barrier = new Barrier(owner, "/barriers/b");
    await barrier.set();
    let released = 0;
    const waiters = [1, 2, 3].map(() =>
      new Barrier(nzk.client(), "/barriers/b").wait().then((ok) => {
        released++;
        return ok;
      }),
    );
    expect(await new Barrier(nzk.client(), "/barriers/b").wait({ timeoutMs: 200 })).toBe(false);
    expect(released).toBe(0);
    await barrier.remove();
    expect(await Promise.all(waiters)).toEqual([true, true, true]);
  });
});

describe("DoubleBarrier", () => {
  it("lets nobody in before all have entered, and nobody out before all have left", async () => {
    const qty = 3;
    const clients = await Promise.all([1, 2, 3].map(() => nzk.connect(10_000)));
    let entering = 0;
    let leaving = 0;
    const timeline: string[] = [];
    await Promise.all(
      clients.map(async (client, i) => {
        const b = new DoubleBarrier(client, "/barriers/double", qty);
        entering++;
        expect(await b.enter({ timeoutMs: 10_000 })).toBe(true);
        timeline.push(`in ${entering}`);
        expect(entering).toBe(qty);
        await client.create(`/barriers/work-${i}`, { parents: true });
        leaving++;
        expect(await b.leave({ timeoutMs: 10_000 })).toBe(true);
        timeline.push(`out ${leaving}`);
        expect(leaving).toBe(qty);
      }),
    );
    expect(timeline).toEqual(["in 3", "in 3", "in 3", "out 3", "out 3", "out 3"]);
    expect((await nzk.client().children("/barriers/double")).children).toEqual([]);
  });

  it("times out an enter that never fills, leaving nothing behind", async () => {
    const client = await nzk.connect(10_000);
    expect(await new DoubleBarrier(client, "/barriers/short", 2).enter({ timeoutMs: 200 })).toBe(false);
    expect((await client.children("/barriers/short")).children).toEqual([]);
  });
});

describe("DistributedQueue", () => {
  it("delivers every item exactly once to competing consumers", async () => {
    const producers = [1, 2, 3].map(() => new DistributedQueue(nzk.client(), "/queues/q"));
    const consumers = [1, 2, 3].map(() => new DistributedQueue(nzk.client(), "/queues/q"));
    const taken: string[] = [];
    const consuming = consumers.map(async (q) => {
      for (;;) {
        const item = text(await q.take({ timeoutMs: 1_000 }));
        if (item === "stop") return;
        if (item !== undefined) taken.push(item);
      }
    });
    await Promise.all(
      producers.map(async (q, p) => {
        for (let i = 0; i < 10; i++) await q.put(`${p}-${i}`);
      }),
    );
    for (const q of producers) await q.put("stop");
    await Promise.all(consuming);
    expect(taken.sort()).toEqual(
      [0, 1, 2].flatMap((p) => Array.from({ length: 10 }, (_, i) => `${p}-${i}`)).sort(),
    );
  });

  it("a take waits for a put; peek does not take", async () => {
    const q = new DistributedQueue(nzk.client(), "/queues/wait");
    const taking = q.take();
    await new DistributedQueue(nzk.client(), "/queues/wait").put("late");
    expect(text(await taking)).toBe("late");
    await q.put("head");
    expect(text(await q.peek())).toBe("head");
    expect(text(await q.take({ timeoutMs: 0 }))).toBe("head");
    expect(await q.take({ timeoutMs: 0 })).toBeUndefined();
  });
});

describe("SharedCount", () => {
  it("adds without losing an update under contention, and refuses a stale trySet", async () => {
    await Promise.all(
      [1, 2, 3, 4, 5].map(async () => {
        const count = new SharedCount(nzk.client(), "/counters/c");
        for (let i = 0; i < 10; i++) await count.add(1);
      }),
    );
    const count = new SharedCount(nzk.client(), "/counters/c");
    const now = await count.get();
    expect(now.value).toBe(50);
    expect(await count.trySet(now, 100)).toBe(true);
    expect(await count.trySet(now, 7)).toBe(false);
    expect((await count.get()).value).toBe(100);
    const raw = await nzk.client().get("/counters/c", { encoding: "base64" });
    expect(raw.data).toBe(btoa(String.fromCharCode(0, 0, 0, 100)));
  });
});
