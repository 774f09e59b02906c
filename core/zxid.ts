/**
 * A zxid is ZooKeeper's 64-bit transaction id: the epoch in the high 32 bits, a counter in the low 32.
 * nzk keeps zxids as JavaScript numbers, which are exact up to 2^53, so the epoch is limited to 2^21 - 1
 * (two million leaderships); session ids share that bound. Arithmetic stays exact and allocation-free.
 */
const TWO_32 = 0x1_0000_0000;
export const MAX_EPOCH = 0x1f_ffff;
export const MAX_COUNTER = 0xffff_ffff;

export function makeZxid(epoch: number, counter: number): number {
  return epoch * TWO_32 + counter;
}

export function epochOf(zxid: number): number {
  return Math.floor(zxid / TWO_32);
}

export function counterOf(zxid: number): number {
  return zxid % TWO_32;
}

/** ZooKeeper's Long.toHexString form: lowercase, no leading zeros, "0x" prefix. */
export function toHex(value: number | bigint): string {
  const v = typeof value === "bigint" ? BigInt.asUintN(64, value) : value;
  return `0x${v.toString(16)}`;
}

/** Parses "0x…" hex or decimal; undefined when it is not a non-negative integer below 2^53. */
export function parseId(text: string): number | undefined {
  const t = text.trim();
  let n: number;
  if (/^0x[0-9a-fA-F]{1,14}$/.test(t)) n = Number.parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,16}$/.test(t)) n = Number(t);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}
