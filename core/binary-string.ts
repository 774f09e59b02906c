/**
 * Znode data is held as a one-byte string (each char code is one byte, 0..255) rather than a Uint8Array:
 * V8 stores such a string in its 16-byte header plus the bytes, where every Uint8Array costs some 150 bytes
 * of object overhead. Data crosses the API as Uint8Array, so these convert at that boundary.
 */
const CHUNK = 8192;
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const toUtf8 = new TextEncoder();
const NON_ASCII = /[\u0080-\uffff]/;
/** below this, fromCharCode is as quick as decoding and checking */
const DECODE_FROM = 16;

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** whether the first bytes are ASCII, so that binary data skips a decode it would throw away */
function looksAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

export function bytesToBinary(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return "";
  if (n >= DECODE_FROM && looksAscii(bytes)) {
    // most data is text: the native decoder is several times quicker than fromCharCode, and when every
    // byte is ASCII its string is the one-byte string wanted (a non-ASCII byte shortens the string or
    // decodes above 0x7f, so the check is exact)
    const text = utf8.decode(bytes);
    if (text.length === n && !NON_ASCII.test(text)) return text;
  }
  if (n <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  // join flattens once, so the stored string is sequential rather than a rope of chunks
  return parts.join("");
}

export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeBinary(s, out, 0);
  return out;
}

/** Copies a binary string into `target` at `offset`; the caller has made room for s.length bytes. */
export function writeBinary(s: string, target: Uint8Array, offset: number): void {
  const n = s.length;
  // ASCII is its own UTF-8, and the native encoder copies it far quicker than a loop
  if (n >= DECODE_FROM && !NON_ASCII.test(s)) {
    toUtf8.encodeInto(s, target.subarray(offset, offset + n));
    return;
  }
  for (let i = 0; i < n; i++) target[offset + i] = s.charCodeAt(i);
}
