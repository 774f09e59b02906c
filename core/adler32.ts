/** Adler-32, the checksum ZooKeeper puts on its snapshots: cheap enough to run over a whole snapshot. */
const MOD = 65521;
/** the most bytes summed before the sums could pass 2^53 / 2^32 bounds zlib keeps (zlib's NMAX) */
const NMAX = 5552;

/** running: the checksum of the bytes before start, to go on from (1, the checksum of nothing) */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length, running = 1): number {
  let a = running & 0xffff;
  let b = running >>> 16;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + NMAX);
    for (; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return (b * 65536 + a) >>> 0;
}
