import { jetstream } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { firstSeqAfter } from "../../../client/nats/resume.ts";
import { pathToSubject } from "../../../core/subjects.ts";
import { eventPayload } from "../../../member/event-frames.ts";
import { ensureEventsStream } from "../../../member/events.ts";
import { natsServer } from "../../fixtures/nats.ts";

const Z = 0x3_0000_0000;
const STREAM = "T_RESUME";
const PREFIX = "t.resume";

describe("resuming an event stream from a zxid", () => {
  it("starts at the first stored event newer than the zxid, found by binary search", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureEventsStream(nc, { stream: STREAM, prefix: PREFIX, replicas: 1, maxAgeSeconds: 3600 });
    const js = jetstream(nc);
    // several events per zxid, as a create's NodeCreated and its parent's NodeChildrenChanged
    const zxids = [1, 1, 2, 5, 5, 5, 9, 12, 12, 13, 20].map((n) => Z + n);
    for (const [i, zxid] of zxids.entries()) {
      const path = `/n${i}`;
      await js.publish(pathToSubject(path, PREFIX), eventPayload({ type: "NodeCreated", path, zxid }));
    }
    const expected = (zxid: number) => zxids.findIndex((z) => z > zxid) + 1 || zxids.length + 1;
    for (const n of [0, 1, 2, 3, 5, 6, 9, 12, 13, 19, 20, 100]) {
      expect(await firstSeqAfter(nc, STREAM, Z + n), `after ${n}`).toBe(expected(Z + n));
    }
    expect(await firstSeqAfter(nc, STREAM, 0)).toBe(1);
  });

  it("gives up (the caller reads from the oldest) when a message is not an event", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    await ensureEventsStream(nc, { stream: STREAM, prefix: PREFIX, replicas: 1, maxAgeSeconds: 3600 });
    await jetstream(nc).publish(`${PREFIX}.x`, new TextEncoder().encode("not json"));
    expect(await firstSeqAfter(nc, STREAM, Z)).toBeUndefined();
    expect(await firstSeqAfter(nc, "NO_SUCH_STREAM", Z)).toBeUndefined();
  });
});
