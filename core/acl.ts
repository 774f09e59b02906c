/**
 * ACLs as ZooKeeper checks and normalises them: ZooKeeperServer.checkACL decides access,
 * PrepRequestProcessor.fixupACL validates an ACL a client sets and expands its "auth" entries.
 * The schemes with a provider are ZooKeeper's defaults, "digest" and "ip"; "super" is an identity only.
 */
import { type ZkError, zkError } from "./errors.ts";
import { ipMatches, isValidIpAcl } from "./ip.ts";
import { keeperError } from "./keeper-error.ts";
import { type ACL, type Caller, type Id, Perms } from "./records.ts";

type AuthOf = Pick<Caller, "auth">;

/** ZKUtil.getPermString's order */
const permLetters: readonly [string, number][] = [
  ["c", Perms.CREATE],
  ["d", Perms.DELETE],
  ["r", Perms.READ],
  ["w", Perms.WRITE],
  ["a", Perms.ADMIN],
];

/** "cdrwa" letters in any order, as zkCli's AclParser reads them, but refusing unknown letters. */
export function parsePerms(text: string): number | ZkError {
  let perms = 0;
  for (const letter of text) {
    const entry = permLetters.find(([l]) => l === letter);
    if (entry === undefined) return zkError("BadArguments", `Unknown perm type: ${letter}`);
    perms |= entry[1];
  }
  return perms;
}

export function permsToString(perms: number): string {
  return permLetters
    .filter(([, bit]) => (perms & bit) !== 0)
    .map(([l]) => l)
    .join("");
}

/** ZooKeeperServer.checkACL: may a caller with these identities do `perm` on a node with this ACL? */
export function checkACL(acl: readonly ACL[], perm: number, caller: AuthOf): boolean {
  if (acl.length === 0) return true;
  if (caller.auth.some((id) => id.scheme === "super")) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    if (isAnyone(entry.id)) return true;
    const matches = matchers.get(entry.id.scheme);
    if (matches === undefined) continue;
    if (caller.auth.some((id) => id.scheme === entry.id.scheme && matches(id.id, entry.id.id))) return true;
  }
  return false;
}

/**
 * PrepRequestProcessor.fixupACL: InvalidACL for an empty ACL, a scheme without a provider, a malformed id,
 * perms outside 0..31, or an "auth" entry from a caller with no authenticated identity; otherwise the ACL
 * with duplicates removed and each "auth" entry replaced by the caller's authenticated identities.
 */
export function fixupACL(path: string, caller: AuthOf, acl: readonly ACL[]): readonly ACL[] | ZkError {
  const unique = removeDuplicates(acl);
  if (unique.length === 0) return keeperError("InvalidACL", path);
  const fixed: ACL[] = [];
  for (const entry of unique) {
    if (!Number.isInteger(entry.perms) || entry.perms < 0 || entry.perms > Perms.ALL) {
      return keeperError("InvalidACL", path);
    }
    if (isAnyone(entry.id)) {
      fixed.push(entry);
    } else if (entry.id.scheme === "auth") {
      const ids = caller.auth.filter((id) => authenticatedSchemes.has(id.scheme));
      if (ids.length === 0) return keeperError("InvalidACL", path);
      for (const id of ids) fixed.push({ perms: entry.perms, id });
    } else {
      const valid = validators.get(entry.id.scheme);
      if (valid === undefined || !valid(entry.id.id)) return keeperError("InvalidACL", path);
      fixed.push(entry);
    }
  }
  return fixed;
}

export function sameACL(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

function removeDuplicates(acl: readonly ACL[]): ACL[] {
  const unique: ACL[] = [];
  for (const entry of acl) if (!unique.some((u) => sameACL(u, entry))) unique.push(entry);
  return unique;
}

function isAnyone(id: Id): boolean {
  return id.scheme === "world" && id.id === "anyone";
}

/** A Map, not an object, so a scheme named "constructor" finds no provider. */
const matchers: ReadonlyMap<string, (callerId: string, aclId: string) => boolean> = new Map([
  ["digest", (callerId: string, aclId: string) => callerId === aclId],
  ["ip", ipMatches],
]);

const validators: ReadonlyMap<string, (id: string) => boolean> = new Map([
  /* DigestAuthenticationProvider.isValid: id.split(":").length == 2, Java's split dropping trailing empties */
  ["digest", (id: string) => javaSplitLength(id, ":") === 2],
  ["ip", isValidIpAcl],
]);

/** Providers whose isAuthenticated() is true: the identities an "auth" ACL entry expands to. */
const authenticatedSchemes: ReadonlySet<string> = new Set(["digest"]);

function javaSplitLength(text: string, separator: string): number {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return text === "" ? 1 : parts.length;
}
