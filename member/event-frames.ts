/**
 * A txn's watch events as NATS protocol frames (HPUB), written to the connection in one piece.
 * nats.js's publish() costs the leader ~3 µs a message here (a TextEncoder call for each HPUB line, a
 * header object encoded per message, four buffers joined again at flush) and a create makes two events,
 * so events cost the leader more than the create itself. Here a txn's frames are one string, turned into
 * bytes once. This leans on nats.js's ProtocolHandler.sendCommand (the pinned 3.4.0), which queues
 * bytes exactly as publish() does and flushes them with the rest at the end of the turn; where it is
 * missing, each event goes through publish().
 */
import { MsgHdrsImpl, type NatsConnection } from "@nats-io/nats-core";
import type { NatsConnectionImpl } from "@nats-io/nats-core/internal";
import type { WatchEvent } from "../core/records.ts";
import { toHex } from "../core/zxid.ts";

export const H_EXPECTED = "Nats-Expected-Last-Sequence";

/** printable ASCII without `"` and `\`: a path that JSON writes as it is */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** printable ASCII (what JSON.stringify leaves of a path, when it was ASCII) */
const ASCII = /^[\x20-\x7e]*$/;

/** An event ready to go: its subject (ASCII, see core/subjects.ts) and where the stream must hold it. */
export interface EventFrame {
  readonly subject: string;
  readonly event: WatchEvent;
  /** the stream sequence of the event before it */
  readonly expectedLastSeq: number;
}

/**
 * The event as JSON, {"type", "path", "zxid" (hex)}, without JSON.stringify for the usual path; ascii
 * tells whether the text is all ASCII (so its length is its byte length).
 */
function eventJson(e: WatchEvent, hex: string): { text: string; ascii: boolean } {
  const plain = JSON_PLAIN.test(e.path);
  const path = plain ? `"${e.path}"` : JSON.stringify(e.path);
  return { text: `{"type":"${e.type}","path":${path},"zxid":"${hex}"}`, ascii: plain || ASCII.test(path) };
}

/** The event's payload bytes, as subscribers and the events stream receive them. */
export function eventPayload(e: WatchEvent, hex = toHex(e.zxid)): Uint8Array {
  const { text, ascii } = eventJson(e, hex);
  return Buffer.from(text, ascii ? "latin1" : "utf8");
}

/**
 * The one header an event carries. Its zxid is in the payload only: a second header cost nats-server
 * a sixth more CPU per stored event (11.2 against 9.3 µs here).
 */
function headerText(expectedLastSeq: number): string {
  return `NATS/1.0\r\n${H_EXPECTED}: ${expectedLastSeq}\r\n\r\n`;
}

/** Headers for publish(), written out once rather than validated and encoded on every publish. */
class EventHeaders extends MsgHdrsImpl {
  readonly #wire: string;

  constructor(expectedLastSeq: number) {
    super();
    this.headers.set(H_EXPECTED, [String(expectedLastSeq)]);
    this.#wire = headerText(expectedLastSeq);
  }

  override encode(): Uint8Array {
    return Buffer.from(this.#wire, "latin1");
  }
}

/** Writes events of one txn (zxid in hex) to the connection, in order, as plain publishes. */
export class EventWriter {
  readonly #nc: NatsConnection;
  readonly #protocol: NatsConnectionImpl["protocol"] | undefined;

  /** frames: false writes each event through publish() (the fallback, and what tests compare with) */
  constructor(nc: NatsConnection, options: { frames?: boolean } = {}) {
    this.#nc = nc;
    const protocol = options.frames === false ? undefined : (nc as Partial<NatsConnectionImpl>).protocol;
    this.#protocol = typeof protocol?.sendCommand === "function" ? protocol : undefined;
  }

  /**
   * Nothing is written once the connection closes or drains (publish() would throw): the events are
   * still in the log, and the next leader's rebase publishes what the stream lacks.
   */
  write(hex: string, frames: readonly EventFrame[]): void {
    if (frames.length === 0 || this.#nc.isClosed() || this.#nc.isDraining()) return;
    const protocol = this.#protocol;
    if (protocol === undefined) {
      for (const f of frames)
        this.#nc.publish(f.subject, eventPayload(f.event, hex), {
          headers: new EventHeaders(f.expectedLastSeq),
        });
      return;
    }
    let out = "";
    let ascii = true;
    for (const f of frames) {
      const headers = headerText(f.expectedLastSeq);
      const payload = eventJson(f.event, hex);
      const bytes = payload.ascii ? payload.text.length : Buffer.byteLength(payload.text, "utf8");
      ascii &&= payload.ascii;
      out += `HPUB ${f.subject} ${headers.length} ${headers.length + bytes}\r\n${headers}${payload.text}\r\n`;
    }
    protocol.sendCommand(Buffer.from(out, ascii ? "latin1" : "utf8"));
  }
}
