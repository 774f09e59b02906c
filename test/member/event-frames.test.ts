import type { Msg } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../core/records.ts";
import { pathToSubject } from "../../core/subjects.ts";
import { toHex } from "../../core/zxid.ts";
import { type EventFrame, EventWriter, H_EXPECTED } from "../../member/event-frames.ts";
import { natsServer } from "../fixtures/nats.ts";
import { until } from "./harness.ts";

const PREFIX = "t.frames";
const ZXID = 0x2_0000_0007;
/** plain, JSON-escaped, non-ASCII (UTF-8 longer than its string), DEL, and the root */
const PATHS = ["/a/b", '/q"uo\\te', "/ü/日本/😀", "/del\x7f", "/", "/tab\there"];

interface Seen {
  readonly subject: string;
  readonly data: number[];
  readonly headers: string[];
  readonly expected: string | undefined;
}

const seen = (m: Msg): Seen => ({
  subject: m.subject,
  data: [...m.data],
  headers: [...(m.headers?.keys() ?? [])],
  expected: m.headers?.get(H_EXPECTED),
});

describe("event frames", () => {
  it("reach subscribers exactly as publish() delivers the same events", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const got: Seen[] = [];
    nc.subscribe(`${PREFIX}.>`, {
      callback: (_e, m) => {
        got.push(seen(m));
      },
    });
    nc.subscribe(PREFIX, {
      callback: (_e, m) => {
        got.push(seen(m));
      },
    });
    await nc.flush();
    const frames: EventFrame[] = PATHS.map((path, i) => {
      const event: WatchEvent = { type: i % 2 === 0 ? "NodeCreated" : "NodeDataChanged", path, zxid: ZXID };
      return { subject: pathToSubject(path, PREFIX), event, expectedLastSeq: 40 + i };
    });
    // Through publish() first, then as frames; subscribers see them in the order written.
    new EventWriter(nc, { frames: false }).write(toHex(ZXID), frames);
    new EventWriter(nc).write(toHex(ZXID), frames);
    await until("both copies arrived", () => got.length === 2 * PATHS.length);
    const viaPublish = got.slice(0, PATHS.length);
    const viaFrames = got.slice(PATHS.length);
    expect(viaFrames).toEqual(viaPublish);
    viaFrames.forEach((s, i) => {
      expect(s.subject).toBe(frames[i]!.subject);
      // the zxid travels in the payload only
      expect(s.headers).toEqual([H_EXPECTED]);
      expect(s.expected).toBe(String(40 + i));
      expect(JSON.parse(Buffer.from(s.data).toString("utf8"))).toEqual({
        type: frames[i]!.event.type,
        path: PATHS[i],
        zxid: toHex(ZXID),
      });
    });
  });

  it("write nothing once the connection is closed, without throwing", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const writer = new EventWriter(nc);
    await nc.close();
    const event: WatchEvent = { type: "NodeCreated", path: "/x", zxid: ZXID };
    expect(() =>
      writer.write(toHex(ZXID), [{ subject: pathToSubject("/x", PREFIX), event, expectedLastSeq: 0 }]),
    ).not.toThrow();
  });
});
