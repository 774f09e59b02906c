/**
 * JSON between members for their rare messages (pings and touches, member-links.ts), whose fields are
 * all numbers, strings and booleans; forwarded writes and the leader's answers, one per write, have a
 * binary format of their own (forward-codec.ts). Never shown to users.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeWire(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeWire<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}
