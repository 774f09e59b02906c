/**
 * The znode path a URL names (shared/API.md): what follows the route prefix, each segment
 * percent-decoded on its own (RFC 3986), so "%2F" inside a segment cannot smuggle in a separator that
 * validation never saw: it becomes a "/" that validatePath then judges like any other.
 */
import type { ZkError } from "../core/errors.ts";
import { badArguments } from "./errors.ts";

/**
 * The raw (still encoded) pathname after `prefix`, decoded into a znode path; the root is the prefix
 * alone or with one "/". The path is not validated here: a sequential create may end in "/".
 */
export function znodePathOf(url: string, prefix: string): string | ZkError {
  const pathname = rawPathname(url);
  if (!pathname.startsWith(prefix)) return badArguments(`the URL path does not start with ${prefix}`);
  const rest = pathname.slice(prefix.length);
  if (rest === "" || rest === "/") return "/";
  if (!rest.startsWith("/")) return badArguments(`the URL path does not start with ${prefix}/`);
  if (!rest.includes("%")) return rest;
  const segments = rest.slice(1).split("/");
  const decoded: string[] = [];
  for (const segment of segments) {
    try {
      decoded.push(decodeURIComponent(segment));
    } catch {
      return badArguments(`bad percent-encoding in the URL path segment "${segment}"`);
    }
  }
  return `/${decoded.join("/")}`;
}

/** The pathname exactly as sent (URL.pathname would re-encode some characters). */
function rawPathname(url: string): string {
  const afterScheme = url.indexOf("://");
  const start = url.indexOf("/", afterScheme < 0 ? 0 : afterScheme + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  const fragment = url.indexOf("#", start);
  const end = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}
