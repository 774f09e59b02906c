/**
 * Znode data is held as a one-byte string (each char code is one byte, 0..255) rather than a Uint8Array:
 * V8 stores such a string in its 16-byte header plus the bytes, where every Uint8Array costs some 150 bytes
 * of object overhead. Data crosses the API as Uint8Array, so these convert at that boundary.
 */
const CHUNK = 8192;

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export function bytesToBinary(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return "";
  if (n <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  // join flattens once, so the stored string is sequential rather than a rope of chunks
  return parts.join("");
}

export function binaryToBytes(s: string): Uint8Array {
  const n = s.length;
  if (n === 0) return new Uint8Array(0);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Copies a binary string into `target` at `offset`; the caller has made room for s.length bytes. */
export function writeBinary(s: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i < s.length; i++) target[offset + i] = s.charCodeAt(i);
}
