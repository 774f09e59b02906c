import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { parseId } from "../../core/zxid.ts";
import type { Member } from "../../member/member.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const create = (path: string) =>
  ({ op: "create", path, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "persistent" }) as const;

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

      const jsm = await jetstreamManager(nc);
      let info = await jsm.streams.info("NZK_EVENTS");
      while (info.state.messages < 6) info = await jsm.streams.info("NZK_EVENTS");
      const stored: { type: string; path: string; zxid: string }[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        stored.push((await jsm.streams.getMessage("NZK_EVENTS", { seq }))!.json());
      }
      // NodeCreated on each node and NodeChildrenChanged on its parent, each exactly once, in zxid order.
      expect(stored.map((e) => `${e.type} ${e.path}`)).toEqual([
        "NodeCreated /a",
        "NodeChildrenChanged /",
        "NodeCreated /a/b c",
        "NodeChildrenChanged /a",
        "NodeCreated /a/d",
        "NodeChildrenChanged /a",
      ]);
      const zxids = stored.map((e) => parseId(e.zxid)!);
      expect([...zxids].sort((x, y) => x - y)).toEqual(zxids);
    } finally {
      sub.unsubscribe();
      for (const m of members) await m.close();
    }
  });
});
