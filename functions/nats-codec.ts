/**
 * The Backend's calls over NATS (see nats-service.ts): JSON in which bytes travel as {"$b64": "…"} and
 * bigints (Stat.ephemeralOwner) as {"$big": "…"}, the same convention as member/wire.ts, written
 * without Buffer so the Worker speaks it too.
 */
import { fromBase64, toBase64 } from "./encoding.ts";

const B64 = "$b64";
const BIG = "$big";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCall(value: unknown): Uint8Array {
  return encoder.encode(
    JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof Uint8Array) return { [B64]: toBase64(v) };
      if (typeof v === "bigint") return { [BIG]: v.toString() };
      return v;
    }),
  );
}

export function decodeCall<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes), (_key, v: unknown) => {
    if (typeof v !== "object" || v === null) return v;
    if (B64 in v) return fromBase64((v as Record<string, string>)[B64]!) ?? new Uint8Array();
    if (BIG in v) return BigInt((v as Record<string, string>)[BIG]!);
    return v;
  }) as T;
}

/** The Backend methods served over NATS; watch and events use NATS subjects directly. */
export const CALLS = [
  "create",
  "getData",
  "exists",
  "setData",
  "delete",
  "getChildren",
  "getChildrenData",
  "getDescendants",
  "getACL",
  "setACL",
  "multi",
  "sync",
  "createSession",
  "keepalive",
  "closeSession",
  "sessionInfo",
  "addAuth",
  "watchCheck",
  "status",
  "stats",
] as const;
export type Call = (typeof CALLS)[number];

export const callSubject = (apiPrefix: string, call: Call): string => `${apiPrefix}.call.${call}`;
/** every member serving calls joins this queue group, so exactly one of them answers each call */
export const CALL_QUEUE = "nzk-api";

export type CallReply = { readonly ok: unknown } | { readonly error: import("../core/errors.ts").ZkError };
