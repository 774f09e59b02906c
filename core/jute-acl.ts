/**
 * ACLs, identities and required strings in jute's encoding, as both the log's records
 * (txn-codec.ts) and the writes followers forward (member/forward-codec.ts) carry them.
 */
import type { JuteReader, JuteWriter } from "./jute.ts";
import type { ACL, Id } from "./records.ts";

/** the fewest bytes an ACL takes (perms, two string lengths), to bound counts read from damaged input */
const MIN_ACL_BYTES = 12;

export function writeId(w: JuteWriter, id: Id): void {
  w.writeString(id.scheme);
  w.writeString(id.id);
}

export function writeAcl(w: JuteWriter, acl: ACL): void {
  w.writeInt(acl.perms);
  writeId(w, acl.id);
}

/** A string that may not be null (jute's -1 length): a null one fails the reader. */
export function readString(r: JuteReader): string {
  const s = r.readString();
  if (s === null) r.fail("null string");
  return s ?? "";
}

export function readId(r: JuteReader): Id {
  const scheme = readString(r);
  return { scheme, id: readString(r) };
}

function readAcl(r: JuteReader): ACL {
  const perms = r.readInt();
  return { perms, id: readId(r) };
}

export function readAclList(r: JuteReader): ACL[] {
  const acl = r.readVector(readAcl, MIN_ACL_BYTES);
  if (acl === null) r.fail("null ACL list");
  return acl ?? [];
}
