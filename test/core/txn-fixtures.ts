/** Txn builders for the data tree, apply and snapshot tests. */
import type { ACL, Txn, TxnBody } from "../../core/records.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

export function txn(zxid: number, body: TxnBody, sessionId = 0): Txn {
  return { sessionId, zxid, time: 1_000 * zxid, body };
}

export interface CreateOptions {
  data?: Uint8Array;
  acl?: readonly ACL[];
  ephemeralOwner?: number;
  container?: boolean;
  ttl?: number;
  parentCVersion?: number;
  sessionId?: number;
}

export function createBody(path: string, o: CreateOptions = {}): TxnBody {
  return {
    type: "create",
    path,
    data: o.data ?? new Uint8Array(0),
    acl: o.acl ?? OPEN_ACL_UNSAFE,
    ephemeralOwner: o.ephemeralOwner ?? 0,
    container: o.container ?? false,
    ttl: o.ttl ?? 0,
    parentCVersion: o.parentCVersion ?? -1,
  };
}

export function create(zxid: number, path: string, o: CreateOptions = {}): Txn {
  return txn(zxid, createBody(path, o), o.sessionId ?? o.ephemeralOwner ?? 0);
}

export function del(zxid: number, path: string): Txn {
  return txn(zxid, { type: "delete", path });
}

export function setData(zxid: number, path: string, data: Uint8Array, version: number): Txn {
  return txn(zxid, { type: "setData", path, data, version });
}

export function setACL(zxid: number, path: string, acl: readonly ACL[], version: number): Txn {
  return txn(zxid, { type: "setACL", path, acl, version });
}

export const digestACL = (user: string, perms = 31): ACL => ({
  perms,
  id: { scheme: "digest", id: `${user}:hash-of-${user}` },
});
