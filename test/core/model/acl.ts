/**
 * ACL rules of the reference model, from ZooKeeper 3.9's PrepRequestProcessor.fixupACL,
 * ZooKeeperServer.checkACL and the digest and ip providers, for what the generators use: world, auth,
 * digest, IPv4 addresses and masks, and the super identity.
 */
import type { ErrName } from "../../../core/errors.ts";
import type { ACL, Id } from "../../../core/records.ts";

function sameAcl(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

/** Java's String.split(":") drops trailing empty strings, so "u:" has one part and "u:p:" two. */
function isValidDigestId(id: string): boolean {
  const parts = id.split(":");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length === 2;
}

/** IPAuthenticationProvider.v4addr2Bytes for plain decimal octets; undefined when it is not IPv4. */
function ipv4(addr: string): number[] | undefined {
  const parts = addr.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** "addr" or "addr/bits": the address and the prefix length, undefined when ZooKeeper refuses it */
function ipv4Acl(expr: string): { octets: number[]; bits: number } | undefined {
  const slash = expr.indexOf("/");
  const octets = ipv4(slash < 0 ? expr : expr.slice(0, slash));
  const bits = slash < 0 ? 32 : /^[0-9]+$/.test(expr.slice(slash + 1)) ? Number(expr.slice(slash + 1)) : -1;
  return octets && bits >= 0 && bits <= 32 ? { octets, bits } : undefined;
}

function ipMatches(callerAddr: string, expr: string): boolean {
  const acl = ipv4Acl(expr);
  const caller = ipv4(callerAddr);
  if (!acl || !caller) return false;
  const keep = (octets: number[]) =>
    octets.map((o, i) => o & (0xff << (8 - Math.min(8, Math.max(0, acl.bits - i * 8)))) & 0xff);
  return keep(caller).every((o, i) => o === keep(acl.octets)[i]);
}

/**
 * fixupACL: duplicates removed, "auth" expanded to the caller's digest identities (the only provider
 * whose isAuthenticated() is true; ip's is false and super has no provider).
 */
export function fixupAcl(acl: readonly ACL[], auth: readonly Id[]): ACL[] | "InvalidACL" {
  const unique: ACL[] = [];
  for (const a of acl) if (!unique.some((u) => sameAcl(u, a))) unique.push(a);
  if (unique.length === 0) return "InvalidACL";
  const fixed: ACL[] = [];
  for (const a of unique) {
    if (a.id.scheme === "world" && a.id.id === "anyone") {
      fixed.push(a);
    } else if (a.id.scheme === "auth") {
      const authenticated = auth.filter((id) => id.scheme === "digest");
      if (authenticated.length === 0) return "InvalidACL";
      for (const id of authenticated) fixed.push({ perms: a.perms, id });
    } else if (a.id.scheme === "digest" && isValidDigestId(a.id.id)) {
      fixed.push(a);
    } else if (a.id.scheme === "ip" && ipv4Acl(a.id.id)) {
      fixed.push(a);
    } else {
      return "InvalidACL";
    }
  }
  return fixed;
}

/** checkACL: an empty ACL or the super identity lets everyone in; otherwise an entry must match. */
export function checkAcl(acl: readonly ACL[], perm: number, auth: readonly Id[]): ErrName {
  if (acl.length === 0 || auth.some((id) => id.scheme === "super")) return "Ok";
  for (const a of acl) {
    if ((a.perms & perm) === 0) continue;
    if (a.id.scheme === "world" && a.id.id === "anyone") return "Ok";
    if (a.id.scheme === "digest" && auth.some((id) => id.scheme === "digest" && id.id === a.id.id)) {
      return "Ok";
    }
    if (a.id.scheme === "ip" && auth.some((id) => id.scheme === "ip" && ipMatches(id.id, a.id.id))) {
      return "Ok";
    }
  }
  return "NoAuth";
}
