/**
 * ACL rules of the reference model, from ZooKeeper 3.9's PrepRequestProcessor.fixupACL and
 * ZooKeeperServer.checkACL, for the schemes the model's generators use: world, auth and digest.
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

/** fixupACL: duplicates removed, "auth" expanded to the caller's digest identities. */
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
    } else {
      return "InvalidACL";
    }
  }
  return fixed;
}

/** checkACL: an empty ACL lets everyone in; otherwise some entry with the permission must match. */
export function checkAcl(acl: readonly ACL[], perm: number, auth: readonly Id[]): ErrName {
  if (acl.length === 0) return "Ok";
  for (const a of acl) {
    if ((a.perms & perm) === 0) continue;
    if (a.id.scheme === "world" && a.id.id === "anyone") return "Ok";
    if (a.id.scheme === "digest" && auth.some((id) => id.scheme === "digest" && id.id === a.id.id)) {
      return "Ok";
    }
  }
  return "NoAuth";
}
