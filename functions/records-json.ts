/**
 * Stat and ACL as JSON (shared/API.md): 64-bit zxids and owners in ZooKeeper's Long.toHexString form,
 * times as numbers, perms as ZooKeeper's letters. One mapping for every route and for the SSE events.
 */
import { parsePerms, permsToString } from "../core/acl.ts";
import { isZkError, type ZkError, zkError } from "../core/errors.ts";
import type { ACL, Stat } from "../core/records.ts";
import { toHex } from "../core/zxid.ts";

export interface StatJson {
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid: string;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

export interface AclJson {
  readonly scheme: string;
  readonly id: string;
  readonly perms: string;
}

export function statJson(stat: Stat): StatJson {
  return {
    czxid: toHex(stat.czxid),
    mzxid: toHex(stat.mzxid),
    pzxid: toHex(stat.pzxid),
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: toHex(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

export function aclJson(acl: readonly ACL[]): AclJson[] {
  return acl.map((entry) => ({
    scheme: entry.id.scheme,
    id: entry.id.id,
    perms: permsToString(entry.perms),
  }));
}

/** InvalidACL, as ZooKeeper's fixupACL, for letters that name no permission. */
export function aclFromJson(acl: readonly AclJson[], path?: string): ACL[] | ZkError {
  const out: ACL[] = [];
  for (const entry of acl) {
    const perms = parsePerms(entry.perms);
    if (isZkError(perms)) return zkError("InvalidACL", `${perms.message} in an ACL entry`, path);
    out.push({ perms, id: { scheme: entry.scheme, id: entry.id } });
  }
  return out;
}
