/**
 * Authentication as ZooKeeper's providers do it: "digest" turns "user:password" into the identity
 * "user:base64(sha1(user:password))" (DigestAuthenticationProvider), "ip" is the client's address
 * (IPAuthenticationProvider), and a digest equal to the configured super digest adds the "super" identity.
 * SHA-1 comes from @noble/hashes because core runs synchronously on every runtime, edge included.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import type { ZkError } from "./errors.ts";
import { hostAddress } from "./ip.ts";
import { keeperError } from "./keeper-error.ts";
import type { Id } from "./records.ts";

export const SUPER_ID: Id = { scheme: "super", id: "" };

export interface AuthConfig {
  /** "super:base64(sha1(super:password))", ZooKeeper's zookeeper.DigestAuthenticationProvider.superDigest */
  readonly superDigest?: string;
  /** the client's address, for the "ip" scheme */
  readonly remoteAddress?: string;
}

/** DigestAuthenticationProvider.generateDigest */
export function generateDigest(userPassword: string): string {
  const colon = userPassword.indexOf(":");
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon);
  return `${user}:${base64(sha1(javaUtf8(userPassword)))}`;
}

/** The identities an addAuth (or a Basic header) grants; AuthFailed for a scheme nzk has no provider for. */
export function authenticate(
  scheme: string,
  credentials: Uint8Array | string,
  config: AuthConfig,
): readonly Id[] | ZkError {
  if (scheme === "digest") {
    const text =
      typeof credentials === "string"
        ? credentials
        : new TextDecoder("utf-8", { ignoreBOM: true }).decode(credentials);
    const digest = generateDigest(text);
    const id: Id = { scheme: "digest", id: digest };
    return digest === config.superDigest ? [SUPER_ID, id] : [id];
  }
  if (scheme === "ip" && config.remoteAddress !== undefined) return [ipIdentity(config.remoteAddress)];
  return keeperError("AuthFailed");
}

/** The "ip" identity every connection carries (IPAuthenticationProvider.handleAuthentication). */
export function ipIdentity(address: string): Id {
  return { scheme: "ip", id: hostAddress(address) };
}

/** String.getBytes(UTF_8): Java encodes a lone surrogate as "?", where TextEncoder would write U+FFFD. */
function javaUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "?"),
  );
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
