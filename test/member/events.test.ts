import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OPEN_ACL_UNSAFE, type WatchEvent } from "../../core/records.ts";
import { pathToSubject } from "../../core/subjects.ts";
import { parseId, toHex } from "../../core/zxid.ts";
import { eventPayload } from "../../member/event-frames.ts";
import { EventPublisher, ensureEventsStream } from "../../member/events.ts";
import type { Member } from "../../member/member.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const create = (path: string) =>
  ({ op: "create", path, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "persistent" }) as const;

interface Stored {
  readonly subject: string;
  readonly event: { type: string; path: string; zxid: string };
}

/** Every message of the stream, in stream order, once it holds at least `count`. */
async function storedEvents(jsm: JetStreamManager, stream: string, count: number): Promise<Stored[]> {
  const deadline = performance.now() + 15_000;
  let info = await jsm.streams.info(stream);
  while (info.state.messages < count) {
    if (performance.now() > deadline)
      throw new Error(`the stream holds ${info.state.messages} events, not ${count}`);
    await new Promise((r) => setTimeout(r, 20));
    info = await jsm.streams.info(stream);
  }
  const out: Stored[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m !== null) out.push({ subject: m.subject, event: m.json() });
  }
  return out;
}

const summary = (stored: readonly Stored[]) => stored.map((s) => `${s.event.type} ${s.event.path}`);

/** A create's events, as apply gives them: NodeCreated on the node, NodeChildrenChanged on its parent. */
function created(path: string, zxid: number): WatchEvent[] {
  const parent = path.slice(0, path.lastIndexOf("/")) || "/";
  return [
    { type: "NodeCreated", path, zxid },
    { type: "NodeChildrenChanged", path: parent, zxid },
  ];
}

const Z = 0x1_0000_0000;
const PREFIX = "t.ev";
const STREAM = "T_EVENTS";

async function eventsStream(nc: NatsConnection): Promise<JetStreamManager> {
  await ensureEventsStream(nc, { stream: STREAM, prefix: PREFIX, replicas: 1, maxAgeSeconds: 3600 });
  return jetstreamManager(nc);
}

const publisher = (nc: NatsConnection) => new EventPublisher(nc, { prefix: PREFIX, stream: STREAM });

describe("watch events", () => {
  it("reach live subscribers on the path's subject and the events stream, once each, across a leader change", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const live: string[] = [];
    const sub = nc.subscribe("nzk.ev.>", {
      callback: (_e, m) => {
        live.push(`${m.subject} ${m.string()}`);
      },
    });
    const members: Member[] = [];
    try {
      for (const id of ["m1", "m2"]) members.push(await startMember(nats.url, id));
      await until("one leads", () => members.some((m) => m.state === "LEADING"));
      const first = members.find((m) => m.state === "LEADING")!;
      const other = members.find((m) => m !== first)!;
      await other.write(anyone, create("/a"));
      await other.write(anyone, create("/a/b c"));
      await first.close();
      await until("the other leads", () => other.state === "LEADING");
      await other.write(anyone, create("/a/d"));
      await until("live events arrived", () => live.length >= 3);
      expect(live[0]).toMatch(/^nzk\.ev\.a \{"type":"NodeCreated","path":"\/a","zxid":"0x/);
      expect(live.some((l) => l.startsWith("nzk.ev.a.b~20c "))).toBe(true);

      const stored = await storedEvents(await jetstreamManager(nc), "NZK_EVENTS", 6);
      // NodeCreated on each node and NodeChildrenChanged on its parent, each exactly once, in zxid order.
      expect(summary(stored)).toEqual([
        "NodeCreated /a",
        "NodeChildrenChanged /",
        "NodeCreated /a/b c",
        "NodeChildrenChanged /a",
        "NodeCreated /a/d",
        "NodeChildrenChanged /a",
      ]);
      const zxids = stored.map((s) => parseId(s.event.zxid)!);
      expect([...zxids].sort((x, y) => x - y)).toEqual(zxids);
      for (const s of stored) {
        expect(s.subject).toBe(pathToSubject(s.event.path));
      }
    } finally {
      sub.unsubscribe();
      for (const m of members) await m.close();
    }
  });

  it("reach the stream after it refused them for a while, in order, with no leader change", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const member = await startMember(nats.url, "m1");
    try {
      await until("it leads", () => member.state === "LEADING");
      await member.write(anyone, create("/a"));
      await storedEvents(jsm, "NZK_EVENTS", 2);
      // The stream stops capturing events: /b's are published and not stored.
      await jsm.streams.update("NZK_EVENTS", { subjects: ["elsewhere.>"] });
      await member.write(anyone, create("/b"));
      await nc.flush();
      await jsm.streams.update("NZK_EVENTS", { subjects: ["nzk.ev", "nzk.ev.>"] });
      await member.write(anyone, create("/c"));
      expect(summary(await storedEvents(jsm, "NZK_EVENTS", 6))).toEqual([
        "NodeCreated /a",
        "NodeChildrenChanged /",
        "NodeCreated /b",
        "NodeChildrenChanged /",
        "NodeCreated /c",
        "NodeChildrenChanged /",
      ]);
    } finally {
      await member.close();
    }
  });

  it("are stored once each when two leaders publish them at the same time", async () => {
    await using nats = await natsServer();
    const [nc1, nc2] = [await nats.connect(), await nats.connect()];
    const jsm = await eventsStream(nc1);
    const [old, next] = [publisher(nc1), publisher(nc2)];
    try {
      old.start();
      const expected: string[] = [];
      for (let i = 1; i <= 200; i++) {
        const events = created(`/n${i}`, Z + i);
        expected.push(...events.map((e) => `${e.type} ${e.path}`));
        old.applied(Z + i, events);
        next.applied(Z + i, events);
        if (i === 50) next.start();
        // Lets each rebase finish, so that both publish the txns after it as they are applied.
        if (i % 10 === 0) await Promise.all([nc1.flush(), nc2.flush()]);
      }
      const stored = await storedEvents(jsm, STREAM, 400);
      await Promise.all([nc1.flush(), nc2.flush()]);
      expect(summary(stored)).toEqual(expected);
      expect((await jsm.streams.info(STREAM)).state.messages).toBe(400);
    } finally {
      old.close();
      next.close();
    }
  });

  it("resume after the part of a txn that a leader published before it stopped", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await eventsStream(nc);
    const multi = [...created("/x", Z + 2), { type: "NodeDataChanged", path: "/y", zxid: Z + 2 } as const];
    // Its predecessor stored txn Z+1 and the first event of txn Z+2.
    for (const e of [...created("/w", Z + 1), multi[0]!]) {
      await jetstream(nc).publish(pathToSubject(e.path, PREFIX), eventPayload(e));
    }
    const p = publisher(nc);
    try {
      p.applied(Z + 1, created("/w", Z + 1));
      p.applied(Z + 2, multi);
      p.start();
      p.applied(Z + 3, created("/z", Z + 3));
      expect(summary(await storedEvents(jsm, STREAM, 7))).toEqual([
        "NodeCreated /w",
        "NodeChildrenChanged /",
        "NodeCreated /x",
        "NodeChildrenChanged /",
        "NodeDataChanged /y",
        "NodeCreated /z",
        "NodeChildrenChanged /",
      ]);
    } finally {
      p.close();
    }
  });

  it("resume with new txns when the stream's last event has aged out", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await eventsStream(nc);
    const first = publisher(nc);
    first.start();
    for (let i = 1; i <= 3; i++) first.applied(Z + i, created(`/n${i}`, Z + i));
    await storedEvents(jsm, STREAM, 6);
    first.close();
    const last = (await jsm.streams.info(STREAM)).state.last_seq;
    await jsm.streams.deleteMessage(STREAM, last);
    const next = publisher(nc);
    try {
      for (let i = 1; i <= 3; i++) next.applied(Z + i, created(`/n${i}`, Z + i));
      next.start();
      next.applied(Z + 4, created("/n4", Z + 4));
      expect(summary(await storedEvents(jsm, STREAM, 7))).toEqual([
        "NodeCreated /n1",
        "NodeChildrenChanged /",
        "NodeCreated /n2",
        "NodeChildrenChanged /",
        "NodeCreated /n3",
        "NodeCreated /n4",
        "NodeChildrenChanged /",
      ]);
    } finally {
      next.close();
    }
  });

  it("leave out an event whose subject NATS cannot carry, and keep the connection", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await eventsStream(nc);
    const statuses: string[] = [];
    void (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();
    const p = publisher(nc);
    try {
      p.start();
      p.applied(Z + 1, created(`/${"a".repeat(5000)}`, Z + 1));
      p.applied(Z + 2, created("/b", Z + 2));
      expect(summary(await storedEvents(jsm, STREAM, 3))).toEqual([
        "NodeChildrenChanged /",
        "NodeCreated /b",
        "NodeChildrenChanged /",
      ]);
      await nc.flush();
      expect(statuses.filter((s) => s === "disconnect" || s === "error")).toEqual([]);
    } finally {
      p.close();
    }
  });

  it("have the payload JSON.stringify would give, for every path", () => {
    const path = fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).map((s) => `/${s}`);
    fc.assert(
      fc.property(path, fc.constantFrom<WatchEvent["type"]>("NodeCreated", "NodeDataChanged"), (p, type) => {
        const e: WatchEvent = { type, path: p, zxid: Z + 7 };
        const json = JSON.stringify({ type, path: p, zxid: toHex(Z + 7) });
        expect([...eventPayload(e)]).toEqual([...Buffer.from(json)]);
      }),
      { numRuns: 2000 },
    );
    expect(new TextDecoder().decode(eventPayload({ type: "NodeCreated", path: '/a"b\\c', zxid: 1 }))).toBe(
      '{"type":"NodeCreated","path":"/a\\"b\\\\c","zxid":"0x1"}',
    );
  });
});
