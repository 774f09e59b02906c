/**
 * JSON between members (forwarded writes and their results, pings): bytes travel as {"$b64": "..."}
 * and bigints (Stat.ephemeralOwner) as {"$big": "..."}, so records keep their types across NATS.
 * Never shown to users.
 */
const B64 = "$b64";
const BIG = "$big";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeWire(value: unknown): Uint8Array {
  return encoder.encode(
    JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof Uint8Array)
        return { [B64]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
      if (typeof v === "bigint") return { [BIG]: v.toString() };
      return v;
    }),
  );
}

export function decodeWire<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes), (_key, v: unknown) => {
    if (typeof v !== "object" || v === null) return v;
    if (B64 in v) {
      const buf = Buffer.from((v as Record<string, string>)[B64]!, "base64");
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    if (BIG in v) return BigInt((v as Record<string, string>)[BIG]!);
    return v;
  }) as T;
}
