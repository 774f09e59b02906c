/**
 * The "ip" ACL scheme, as ZooKeeper's IPAuthenticationProvider parses and matches it: an address or
 * address/bits, IPv4 or IPv6 (with "::"), and nothing else (no embedded IPv4 in IPv6, no zone). The
 * quirks of Java's Integer.parseInt ("+1", "007") are kept so an ACL valid in ZooKeeper is valid here.
 */

/** IPAuthenticationProvider.isValid */
export function isValidIpAcl(expr: string): boolean {
  return parseIpAcl(expr) !== undefined;
}

/** IPAuthenticationProvider.matches: the caller's address against an ACL's address or CIDR */
export function ipMatches(address: string, expr: string): boolean {
  const acl = parseIpAcl(expr);
  const remote = addressBytes(address);
  if (acl === undefined || remote === undefined || remote.length !== acl.bytes.length) return false;
  mask(acl.bytes, acl.bits);
  mask(remote, acl.bits);
  return remote.every((b, i) => b === acl.bytes[i]);
}

/**
 * The identity ZooKeeper records for a client address: Java's InetAddress.getHostAddress form, so an
 * IPv4-mapped IPv6 address is its IPv4 form and IPv6 is eight uncompressed lowercase groups. The zone is
 * dropped because ZooKeeper's own matcher cannot parse it.
 */
export function hostAddress(address: string): string {
  const unzoned = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(unzoned);
  if (mapped) return mapped[1]!;
  if (!unzoned.includes(":")) return unzoned;
  const bytes = v6Bytes(unzoned);
  if (bytes === undefined) return unzoned;
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join(".");
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

function parseIpAcl(expr: string): { bytes: number[]; bits: number } | undefined {
  const slash = expr.indexOf("/");
  const bytes = addressBytes(slash < 0 ? expr : expr.slice(0, slash));
  if (bytes === undefined) return undefined;
  if (slash < 0) return { bytes, bits: bytes.length * 8 };
  const bits = javaParseInt(expr.slice(slash + 1), 10);
  if (bits === undefined || bits < 0 || bits > bytes.length * 8) return undefined;
  return { bytes, bits };
}

function addressBytes(address: string): number[] | undefined {
  if (address.includes(":")) return v6Bytes(address);
  if (address.includes(".")) return v4Bytes(address);
  return undefined;
}

function v4Bytes(address: string): number[] | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    const v = javaParseInt(part, 10);
    if (v === undefined || v < 0 || v > 255) return undefined;
    bytes.push(v);
  }
  return bytes;
}

/** IPAuthenticationProvider.parseV6addr */
function v6Bytes(address: string): number[] | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" && halves.length === 2 ? [] : halves[0]!.split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1]!.split(":") : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length >= 8) return undefined;
  const bytes = new Array<number>(16).fill(0);
  return writeGroups(bytes, 0, head) && writeGroups(bytes, 16 - tail.length * 2, tail) ? bytes : undefined;
}

function writeGroups(bytes: number[], at: number, groups: string[]): boolean {
  let i = at;
  for (const group of groups) {
    const value = group.length > 4 ? undefined : javaParseInt(group, 16);
    if (value === undefined) return false;
    bytes[i++] = (value >> 8) & 0xff;
    bytes[i++] = value & 0xff;
  }
  return true;
}

function mask(bytes: number[], bits: number): void {
  let start = Math.floor(bits / 8);
  let startMask = ~((1 << (8 - (bits % 8))) - 1);
  while (start < bytes.length) {
    bytes[start]! &= startMask & 0xff;
    startMask = 0;
    start++;
  }
}

/** Java's Integer.parseInt for ASCII digits: an optional sign, at least one digit, within int32. */
function javaParseInt(text: string, radix: 10 | 16): number | undefined {
  const digits = radix === 10 ? /^[+-]?[0-9]+$/ : /^[+-]?[0-9a-fA-F]+$/;
  if (!digits.test(text)) return undefined;
  const value = Number.parseInt(text, radix);
  return value >= -0x8000_0000 && value <= 0x7fff_ffff ? value : undefined;
}
