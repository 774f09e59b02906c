/**
 * A member's Backend served over NATS request/reply, for handlers that run elsewhere (another
 * process, a Cloudflare Worker over NATS's WebSocket). Subjects are `<apiPrefix>.call.<method>`
 * (nats-codec.ts), in one queue group so any one member answers; a payload is `{"args": [...]}` and
 * a reply `{"ok": result}` or `{"error": ZkError}`. `watchCheck` is the first half of a one-shot watch
 * made remotely: after a sync, the event the client has not seen yet, if there is one (the caller
 * has already subscribed to the path's event subject, so nothing after this answer can be missed).
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { isZkError, zkError } from "../core/errors.ts";
import type { MemberBackend } from "./member-backend.ts";
import {
  CALL_QUEUE,
  CALLS,
  type Call,
  type CallReply,
  callSubject,
  decodeCall,
  encodeCall,
} from "./nats-codec.ts";

export interface NatsService {
  stop(): void;
}

export function serveOverNats(nc: NatsConnection, backend: MemberBackend, apiPrefix: string): NatsService {
  const subs: Subscription[] = CALLS.map((call) =>
    nc.subscribe(callSubject(apiPrefix, call), {
      queue: CALL_QUEUE,
      callback: (_err, msg) => {
        void answer(backend, call, msg.data).then((reply) => msg.respond(encodeCall(reply)));
      },
    }),
  );
  return {
    stop: () => {
      for (const s of subs) s.unsubscribe();
    },
  };
}

async function answer(backend: MemberBackend, call: Call, data: Uint8Array): Promise<CallReply> {
  try {
    const { args } = decodeCall<{ args: unknown[] }>(data);
    if (!Array.isArray(args)) return { error: zkError("BadArguments", "a call needs args") };
    const method = backend[call] as (...a: unknown[]) => Promise<unknown>;
    const out = await method.apply(backend, args);
    return isZkError(out) ? { error: out } : { ok: out ?? null };
  } catch (err) {
    return { error: zkError("SystemError", `${call} failed: ${(err as Error).message}`) };
  }
}
