import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceDiscovery, TreeCache } from "../../../client/recipes/index.ts";
import { bytesOf, type NzkClient } from "../../../client/sdk/index.ts";
import { eventually } from "../../functions/harness.ts";
import { type Nzk, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

/** Resolves once the listener registration sees a state satisfying cond. */
function until<T>(subscribe: (fn: (v: T) => void) => () => void, cond: (v: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((v) => {
      if (cond(v)) {
        off();
        resolve(v);
      }
    });
  });
}

describe("ServiceDiscovery", () => {
  it("keeps a live cache of instances: registrations, data changes and closed sessions", async () => {
    const a = await nzk.connect(10_000);
    const b = await nzk.connect(10_000);
    await new ServiceDiscovery(a).register("orders", "a", { address: "10.0.0.1", port: 8001 });
    const discovery = new ServiceDiscovery(nzk.client());
    const provider = await discovery.provider("orders", "round-robin");
    const cache = provider.cache;
    expect(cache.instances.map((i) => i.id)).toEqual(["a"]);
    expect(cache.instances[0]).toMatchObject({
      name: "orders",
      address: "10.0.0.1",
      port: 8001,
      serviceType: "DYNAMIC",
    });

    const joined = until(cache.onChange.bind(cache), (is) => is.length === 2);
    await new ServiceDiscovery(b).register("orders", "b", { address: "10.0.0.2", port: 8002 });
    expect((await joined).map((i) => i.id).sort()).toEqual(["a", "b"]);
    const picks = [1, 2, 3, 4].map(() => provider.getInstance()?.id);
    expect(picks[0]).not.toBe(picks[1]);
    expect(picks[0]).toBe(picks[2]);

    const moved = until(cache.onChange.bind(cache), (is) => is.some((i) => i.port === 9002));
    await new ServiceDiscovery(b).register("orders", "b", { address: "10.0.0.2", port: 9002 });
    await moved;

    const left = until(cache.onChange.bind(cache), (is) => is.length === 1);
    await b.close();
    expect((await left).map((i) => i.id)).toEqual(["a"]);
    expect(provider.getInstance()?.id).toBe("a");
    expect(await discovery.names()).toEqual(["orders"]);
    await provider.close();
  });

  it("picks randomly among enabled instances only, and nothing from an empty service", async () => {
    const a = await nzk.connect(10_000);
    const d = new ServiceDiscovery(a);
    await d.register("pay", "on", { address: "h1", port: 1 });
    await d.register("pay", "off", { address: "h2", port: 2, enabled: false });
    const provider = await d.provider("pay", "random");
    for (let i = 0; i < 10; i++) expect(provider.getInstance()?.id).toBe("on");
    const empty = await d.provider("none", "random");
    expect(empty.getInstance()).toBeUndefined();
    await provider.close();
    await empty.close();
  });
});

async function snapshot(client: NzkClient, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if ((await client.exists(root)) === undefined) return out;
  for (const p of [root, ...(await client.descendants(root))]) {
    const n = await client.get(p);
    out.set(p, `${n.stat.mzxid} ${new TextDecoder().decode(bytesOf(n))}`);
  }
  return out;
}

describe("TreeCache", () => {
  it("converges to the subtree after concurrent creates, sets, deletes and a recursive delete", async () => {
    const writer = nzk.client();
    await writer.create("/tree/a/b", { data: "0", parents: true });
    const cache = new TreeCache(nzk.client(), "/tree");
    await cache.start();
    expect(cache.paths()).toEqual(["/tree", "/tree/a", "/tree/a/b"]);

    const writers = [0, 1, 2].map(async (w) => {
      const c = nzk.client();
      for (let i = 0; i < 10; i++) {
        const p = `/tree/w${w}/n${i % 4}`;
        if ((await c.exists(p)) === undefined)
          await c.create(p, { data: `${i}`, parents: true }).catch(() => {});
        else if (i % 3 === 0) await c.delete(p).catch(() => {});
        else await c.set(p, `${w}:${i}`).catch(() => {});
      }
    });
    await Promise.all(writers);
    await writer.delete("/tree/a", { recursive: true });
    await writer.create("/tree/a", { data: "again" });
    const expected = await snapshot(writer, "/tree");
    const mirror = (): Map<string, string> =>
      new Map(
        cache.paths().map((p) => {
          const n = cache.get(p)!;
          return [p, `${n.stat.mzxid} ${new TextDecoder().decode(n.data)}`];
        }),
      );
    await eventually("the cache mirrors the tree", async () => {
      const m = mirror();
      return m.size === expected.size && [...expected].every(([k, v]) => m.get(k) === v);
    });
    expect(cache.children("/tree")).toEqual(
      [...expected.keys()]
        .filter((p) => p.split("/").length === 3)
        .map((p) => p.slice(6))
        .sort(),
    );
    await cache.close();
  });
});
