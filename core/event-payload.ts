/**
 * A watch event's payload as the leader publishes it on NATS (member/event-frames.ts writes it):
 * {"type", "path", "zxid": "0x…"}. Read back by every consumer of events, whether it watches, resumes
 * a stream or searches the events stream by zxid.
 */
import type { WatchEvent } from "./records.ts";
import { parseId } from "./zxid.ts";

const decoder = new TextDecoder();

/** The event a payload holds; undefined for anything else. */
export function parseEvent(data: Uint8Array): WatchEvent | undefined {
  try {
    const raw = JSON.parse(decoder.decode(data)) as {
      type: WatchEvent["type"];
      path: unknown;
      zxid: unknown;
    };
    const zxid = typeof raw.zxid === "string" ? parseId(raw.zxid) : undefined;
    return zxid === undefined || typeof raw.path !== "string"
      ? undefined
      : { type: raw.type, path: raw.path, zxid };
  } catch {
    return undefined;
  }
}
