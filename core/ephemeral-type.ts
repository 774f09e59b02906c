/**
 * ZooKeeper's EphemeralType: what a Stat's ephemeralOwner says a node is. Containers and TTL nodes are
 * marked inside the 64-bit owner (extended types treated as enabled, as ZooKeeper needs for TTL nodes).
 * Owners are compared as unsigned 64-bit values, so a signed (Java) or unsigned encoding both work.
 */
export type EphemeralKind = "persistent" | "ephemeral" | "container" | "ttl";

export const CONTAINER_OWNER = 0x8000_0000_0000_0000n;
/** EphemeralType.TTL.maxValue(): the ttl is the low 40 bits of the owner */
export const MAX_TTL = 0xff_ffff_ffff;

const EXTENDED_MASK = 0xff00_0000_0000_0000n;
const RESERVED_BITS_MASK = 0x00ff_ff00_0000_0000n;
const TTL_VALUE_MASK = 0x0000_00ff_ffff_ffffn;

export function ephemeralKind(owner: bigint): EphemeralKind {
  const u = BigInt.asUintN(64, owner);
  if ((u & EXTENDED_MASK) === EXTENDED_MASK && (u & RESERVED_BITS_MASK) === 0n) return "ttl";
  if (u === CONTAINER_OWNER) return "container";
  return u === 0n ? "persistent" : "ephemeral";
}

/** EphemeralType.TTL.toEphemeralOwner, as an unsigned value; the ttl must be valid (see isValidTtl). */
export function ttlOwner(ttl: number): bigint {
  return EXTENDED_MASK | BigInt(ttl);
}

export function ttlOf(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & TTL_VALUE_MASK);
}

/** EphemeralType.validateTTL's range: 0 < ttl <= 2^40 - 1 */
export function isValidTtl(ttl: number): boolean {
  return Number.isSafeInteger(ttl) && ttl > 0 && ttl <= MAX_TTL;
}
