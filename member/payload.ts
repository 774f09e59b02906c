/**
 * How large a znode a NATS server lets through. A write crosses NATS as one message two or three
 * times: as a request to the member NATS API (JSON, binary data in base64, a third larger) when a
 * stateless handler sends it, forwarded from a follower to the leader (member/forward-codec.ts: the
 * data as it is) and appended to the log inside a group of txns. nats-server refuses any message
 * over its `max_payload`, 1 MB unless configured, so a server left at its default cannot carry
 * ZooKeeper's 1 MiB znodes.
 */

import type { Caller, TxnBody, WriteRequest } from "../core/records.ts";

/** what a message carries besides the znode's data: headers, JSON framing, path, ACL, caller */
const FRAMING_BYTES = 64 * 1024;

/**
 * The embedded server's floor: room for a few 1 MiB writes in one forwarded batch, and the value
 * docs/ARCHITECTURE.md recommends for an external server.
 */
export const RECOMMENDED_MAX_PAYLOAD = 8 * 1024 * 1024;

/** The `max_payload` every member needs to take znodes of maxDataBytes through any member. */
export function requiredMaxPayload(maxDataBytes: number): number {
  return Math.ceil((maxDataBytes * 4) / 3) + FRAMING_BYTES;
}

/** The largest znode data a server with this `max_payload` carries through any member. */
export function znodeLimit(maxPayload: number, maxDataBytes: number): number {
  return Math.max(0, Math.min(maxDataBytes, Math.floor(((maxPayload - FRAMING_BYTES) * 3) / 4)));
}

/** The `max_payload` of the server `npm start` runs for itself. */
export function embeddedMaxPayload(maxDataBytes: number): number {
  return Math.max(RECOMMENDED_MAX_PAYLOAD, requiredMaxPayload(maxDataBytes));
}

export interface PayloadWarning {
  readonly msg: string;
  readonly maxPayload: number;
  readonly znodeLimit: number;
  readonly maxDataBytes: number;
  readonly raiseMaxPayloadTo: number;
}

/** What to tell the operator when the server's `max_payload` cannot carry znodes of maxDataBytes. */
export function payloadWarning(maxPayload: number, maxDataBytes: number): PayloadWarning | undefined {
  const limit = znodeLimit(maxPayload, maxDataBytes);
  if (limit >= maxDataBytes) return undefined;
  const raiseMaxPayloadTo = embeddedMaxPayload(maxDataBytes);
  return {
    msg:
      `nats-server's max_payload is ${maxPayload} bytes, so writes of znodes larger than ${limit} bytes ` +
      `will fail (the configured limit is ${maxDataBytes}); set max_payload: ${raiseMaxPayloadTo} in ` +
      "every nats-server's configuration to take the full size",
    maxPayload,
    znodeLimit: limit,
    maxDataBytes,
    raiseMaxPayloadTo,
  };
}

/** a path's bytes at most (three per UTF-16 unit in UTF-8) */
const pathBytes = (path: string): number => path.length * 3;

/** a create's size in the log, as a request and as a txn */
const createBytes = (c: { path: string; data: Uint8Array; acl: readonly unknown[] }): number =>
  96 + pathBytes(c.path) + c.data.length + c.acl.length * 64;

/** a setData's size in the log, as a request and as a txn */
const setDataBytes = (s: { path: string; data: Uint8Array }): number =>
  64 + pathBytes(s.path) + s.data.length;

/** A request's size in the log, before prep: a request too large for one message is refused up front. */
export function requestBytes(req: WriteRequest): number {
  switch (req.op) {
    case "create":
      return createBytes(req);
    case "setData":
      return setDataBytes(req);
    case "multi":
      return 32 + req.ops.reduce((n, op) => n + requestBytes(op), 0);
    default:
      return 64 + ("path" in req ? pathBytes(req.path) : 0);
  }
}

/** A request's size forwarded from a follower, with its caller's identities. */
export function forwardedBytes(caller: Caller, req: WriteRequest): number {
  return requestBytes(req) + caller.auth.reduce((n, id) => n + 8 + 3 * (id.scheme.length + id.id.length), 16);
}

/** What one forwarded batch may carry, leaving room for the message's framing. */
export function forwardBudget(maxPayload: number): number {
  return Math.max(maxPayload - FRAMING_BYTES, 1);
}

/** How big a txn will be in the log, to cut groups below the message limit without encoding twice. */
export function txnBytes(body: TxnBody): number {
  switch (body.type) {
    case "create":
      return createBytes(body);
    case "setData":
      return setDataBytes(body);
    case "setACL":
      return 64 + pathBytes(body.path) + body.acl.length * 64;
    case "multi":
      return 32 + body.txns.reduce((n, t) => n + txnBytes(t), 0);
    case "closeSession":
      return 32 + body.paths.reduce((n, p) => n + 8 + pathBytes(p), 0);
    case "createSession":
      return 64 + body.password.length;
    default:
      return 64 + ("path" in body ? pathBytes(body.path) : 0);
  }
}
