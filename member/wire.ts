/**
 * JSON between members for their rare messages (pings, touches); forwarded writes and the leader's
 * answers, one per write, have a binary format of their own (forward-codec.ts). Bytes travel as
 * {"$b64": "..."} and bigints (Stat.ephemeralOwner) as {"$big": "..."}, so records keep their types
 * across NATS. Never shown to users. The conversion walks the value itself rather than passing JSON a
 * replacer or a reviver: those call back into JavaScript for every key and value.
 */
const B64 = "$b64";
const BIG = "$big";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toJson(v: unknown): unknown {
  if (typeof v === "bigint") return { [BIG]: v.toString() };
  if (typeof v !== "object" || v === null) return v;
  if (v instanceof Uint8Array) {
    return { [B64]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  }
  if (Array.isArray(v)) return v.map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
  return out;
}

/** Replaces the encoded bytes and bigints in place: the parsed value is fresh and owned here. */
function fromJson(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromJson(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  const b64 = o[B64];
  if (typeof b64 === "string") {
    const buf = Buffer.from(b64, "base64");
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const big = o[BIG];
  if (typeof big === "string") return BigInt(big);
  for (const k of Object.keys(o)) o[k] = fromJson(o[k]);
  return o;
}

export function encodeWire(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(toJson(value)));
}

export function decodeWire<T>(bytes: Uint8Array): T {
  return fromJson(JSON.parse(decoder.decode(bytes))) as T;
}
