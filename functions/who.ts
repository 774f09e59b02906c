/**
 * Who a request is (shared/API.md, "Sessions"): the `Nzk-Session` token, and `Authorization: Basic`
 * credentials that count as the digest identity "user:password" for this one request; and what it has
 * seen: `Nzk-Zxid`, the newest zxid the client was answered with. The member
 * checks both; here they are only read, and a header that cannot be read is AuthFailed.
 */
import { type ZkError, zkError } from "../core/errors.ts";
import { parseId } from "../core/zxid.ts";
import { ZXID_HEADER } from "../member/api-json.ts";
import type { RequestContext } from "../member/index.ts";

export const SESSION_HEADER = "Nzk-Session";

export function whoOf(headers: Headers, remoteAddress: string | undefined): RequestContext | ZkError {
  const session = headers.get(SESSION_HEADER)?.trim();
  const authorization = headers.get("authorization");
  let basic: string | undefined;
  if (authorization !== null) {
    const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(authorization);
    if (match === null)
      return zkError("AuthFailed", "KeeperErrorCode = AuthFailed: Authorization must be Basic");
    basic = decodeCredentials(match[1]!);
    if (basic === undefined || !basic.includes(":"))
      return zkError("AuthFailed", "KeeperErrorCode = AuthFailed: Basic credentials must be user:password");
  }
  if (session === "") return zkError("AuthFailed", `KeeperErrorCode = AuthFailed: empty ${SESSION_HEADER}`);
  const seen = headers.get(ZXID_HEADER)?.trim();
  if (seen !== undefined && parseId(seen) === undefined)
    return zkError("BadArguments", `${ZXID_HEADER} must be a zxid (0x followed by hex digits), not ${seen}`);
  return {
    ...(session === undefined ? {} : { token: session }),
    ...(seen === undefined ? {} : { seenZxid: seen }),
    ...(basic === undefined ? {} : { basic }),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  };
}

function decodeCredentials(b64: string): string | undefined {
  try {
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
