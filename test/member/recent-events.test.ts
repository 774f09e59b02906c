import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventType, WatchEvent } from "../../core/records.ts";
import { RecentEvents, type RecentTxn } from "../../member/recent-events.ts";

const TYPES: EventType[] = ["NodeCreated", "NodeDeleted", "NodeDataChanged", "NodeChildrenChanged"];

const txn = (zxid: number, ...events: [EventType, string][]): RecentTxn => ({
  zxid,
  events: events.map(([type, path]) => ({ type, path, zxid })),
});

function add(recent: RecentEvents, ...txns: RecentTxn[]): void {
  for (const t of txns) recent.add(t.zxid, t.events);
}

describe("recent events", () => {
  it("give back each txn whole, in order, after a zxid, and one by its zxid", () => {
    const recent = new RecentEvents(8);
    const a = txn(2 ** 32 + 1, ["NodeCreated", "/a"], ["NodeChildrenChanged", "/"]);
    const b = txn(2 ** 32 + 2, ["NodeDataChanged", "/a"]);
    const c = txn(2 ** 32 + 5, ["NodeDeleted", "/a"], ["NodeChildrenChanged", "/"]);
    add(recent, a, b, c);
    expect(recent.newestZxid).toBe(c.zxid);
    expect([...recent.after(0)]).toEqual([a, b, c]);
    expect([...recent.after(a.zxid)]).toEqual([b, c]);
    expect([...recent.after(b.zxid + 1)]).toEqual([c]);
    expect([...recent.after(c.zxid)]).toEqual([]);
    expect(recent.txn(b.zxid)).toEqual(b);
    expect(recent.txn(b.zxid + 1)).toBeUndefined();
  });

  it("evict whole txns, oldest first, and never keep part of one", () => {
    const recent = new RecentEvents(4);
    const a = txn(1, ["NodeCreated", "/a"], ["NodeChildrenChanged", "/"]);
    const b = txn(2, ["NodeCreated", "/b"], ["NodeChildrenChanged", "/"]);
    const c = txn(3, ["NodeDataChanged", "/b"]);
    add(recent, a, b, c);
    // c needs one slot: a goes whole, though one of its two would have made room.
    expect([...recent.after(0)]).toEqual([b, c]);
    expect(recent.txn(1)).toBeUndefined();
    expect(recent.size).toBe(3);
  });

  it("grow to hold a txn larger than the ring", () => {
    const recent = new RecentEvents(2);
    const a = txn(1, ["NodeDataChanged", "/a"]);
    const big = txn(
      2,
      ...Array.from({ length: 5 }, (_, i): [EventType, string] => ["NodeDeleted", `/n${i}`]),
    );
    add(recent, a, big);
    // grown to just hold it (twice 2 would not): the older txn made room
    expect([...recent.after(0)]).toEqual([big]);
    const c = txn(3, ["NodeDataChanged", "/a"]);
    add(recent, c);
    expect([...recent.after(0)]).toEqual([c]);
  });

  it("hold the same txns as a list trimmed whole from the front, whatever the sizes", () => {
    const event = fc.record({
      type: fc.constantFrom(...TYPES),
      path: fc.constantFrom("/", "/a", "/a/b", "/ü"),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(event, { maxLength: 6 })), {
          maxLength: 40,
        }),
        (capacity, steps) => {
          const recent = new RecentEvents(capacity);
          let model: RecentTxn[] = [];
          let zxid = 0;
          let room = capacity;
          for (const [gap, raw] of steps) {
            zxid += gap;
            const events: WatchEvent[] = raw.map((e) => ({ ...e, zxid }));
            recent.add(zxid, events);
            if (events.length === 0) continue;
            // a txn larger than the ring doubles it (or makes it just large enough)
            if (events.length > room) room = Math.max(events.length, 2 * room);
            model.push({ zxid, events });
            while (model.reduce((n, t) => n + t.events.length, 0) > room) model = model.slice(1);
          }
          expect([...recent.after(0)]).toEqual(model);
          expect(recent.newestZxid).toBe(model.at(-1)?.zxid ?? 0);
          for (const t of model) expect(recent.txn(t.zxid)).toEqual(t);
        },
      ),
    );
  });
});
