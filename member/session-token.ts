/**
 * Session tokens (shared/API.md, "Sessions"): the session id in ZooKeeper's hex form and the session
 * password, `0x1f00000003.<base64url password>`. Any member checks a token against the session record
 * its own tree holds; an id with a wrong or missing secret is AuthFailed, so guessing ids gains nothing.
 */
import { timingSafeEqual } from "node:crypto";
import { type ZkError, zkError } from "../core/errors.ts";
import type { TreeView } from "../core/tree-view.ts";
import { parseId, toHex } from "../core/zxid.ts";

/** ZooKeeper's session passwords are 16 random bytes. */
export function newSessionPassword(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}

export function sessionToken(sessionId: number, password: Uint8Array): string {
  return `${toHex(sessionId)}.${Buffer.from(password).toString("base64url")}`;
}

/** The session a token names, once its secret matches; SessionExpired when the session is gone. */
export function verifySessionToken(tree: TreeView, token: string): number | ZkError {
  const dot = token.indexOf(".");
  const id = parseId(dot < 0 ? token : token.slice(0, dot));
  if (id === undefined || id === 0) return zkError("AuthFailed", "malformed session token");
  if (dot < 0) return zkError("AuthFailed", "the session token has no secret");
  const secret = Buffer.from(token.slice(dot + 1), "base64url");
  const session = tree.session(id);
  if (session === undefined) return zkError("SessionExpired", `session ${toHex(id)} has expired`);
  const expected = Buffer.from(session.password);
  if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
    return zkError("AuthFailed", "the session token's secret does not match");
  }
  return id;
}
