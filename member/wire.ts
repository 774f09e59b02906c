/**
 * JSON between members (forwarded writes, pings): bytes travel as {"$b64": "..."} so a request keeps
 * its Uint8Array fields across NATS. Never shown to users; the user-facing JSON lives in api-json.ts.
 */
const B64 = "$b64";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeWire(value: unknown): Uint8Array {
  return encoder.encode(
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Uint8Array
        ? { [B64]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") }
        : v,
    ),
  );
}

export function decodeWire<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes), (_key, v: unknown) => {
    if (typeof v === "object" && v !== null && B64 in v) {
      const buf = Buffer.from((v as Record<string, string>)[B64]!, "base64");
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return v;
  }) as T;
}
