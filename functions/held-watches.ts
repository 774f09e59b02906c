/**
 * The watches this handler instance is holding open: one-shot long polls and SSE streams, each one
 * HTTP request, as ZooKeeper's server holds a connection's watches. It is what cons, wchs, wchc and
 * wchp report from a stateless handler: a handler knows only the requests it serves itself, and forgets
 * each one the moment it ends (answered, timed out, or its client went away).
 */
import { parseId } from "../core/zxid.ts";
import type { WatchType } from "./backend.ts";

/** ZooKeeper's name for the operation that sets such a watch (ServerCnxn's last_operation) */
const OPERATION: Readonly<Record<HeldWatch["kind"], string>> = {
  data: "GETD",
  exists: "EXIS",
  children: "GETC",
  stream: "ADDW",
};

export interface HeldWatch {
  readonly kind: WatchType | "stream";
  readonly path: string;
  readonly recursive: boolean;
  /** the session its Nzk-Session token names; 0 for a request without one */
  readonly sessionId: number;
  /** the client's address, when the runtime tells it */
  readonly remote: string | undefined;
  /** epoch milliseconds */
  readonly established: number;
  /** the zxid the client said it had seen, -1 when it said none */
  readonly lastZxid: number;
  /** events sent on it so far (a stream), and when the last one was */
  readonly sent: number;
  readonly lastSent: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class HeldWatches {
  readonly #held = new Set<Mutable<HeldWatch>>();

  /** Registers a watch being served; call the returned function once with each event sent, and end when done. */
  hold(
    watch: Omit<HeldWatch, "sessionId" | "established" | "sent" | "lastSent" | "lastZxid"> & {
      readonly token: string | undefined;
      readonly lastZxid: number | undefined;
    },
  ): { sent(): void; end(): void } {
    const held: Mutable<HeldWatch> = {
      kind: watch.kind,
      path: watch.path,
      recursive: watch.recursive,
      sessionId: sessionOf(watch.token),
      remote: watch.remote,
      established: Date.now(),
      lastZxid: watch.lastZxid ?? -1,
      sent: 0,
      lastSent: 0,
    };
    this.#held.add(held);
    return {
      sent: () => {
        held.sent++;
        held.lastSent = Date.now();
      },
      end: () => void this.#held.delete(held),
    };
  }

  get count(): number {
    return this.#held.size;
  }

  list(): readonly HeldWatch[] {
    return [...this.#held];
  }
}

export function operationOf(watch: HeldWatch): string {
  return OPERATION[watch.kind];
}

/** The id a token names (`0x…` before its dot); the member checks the secret when the watch reads. */
function sessionOf(token: string | undefined): number {
  if (token === undefined) return 0;
  const dot = token.indexOf(".");
  return parseId(dot < 0 ? token : token.slice(0, dot)) ?? 0;
}
