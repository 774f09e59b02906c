/**
 * Znode paths as ZooKeeper's PathUtils sees them, and the paths ZooKeeper reserves for itself.
 * Paths are compared by UTF-16 code unit, as Java's String is, so the indexes in messages match ZooKeeper's.
 */
import { type ZkError, zkError } from "./errors.ts";

export const ROOT = "/";
export const ZOOKEEPER_PATH = "/zookeeper";
export const QUOTA_PATH = "/zookeeper/quota";
export const CONFIG_PATH = "/zookeeper/config";

/**
 * PathUtils.validatePath: BadArguments with ZooKeeper's message, or undefined when the path is valid.
 * A sequential create is validated with a stand-in suffix, so "/queue/" is a valid sequential path.
 */
export function validatePath(path: string, isSequential = false): ZkError | undefined {
  const reason = invalidReason(isSequential ? `${path}1` : path);
  return reason === undefined ? undefined : zkError("BadArguments", reason, path);
}

function invalidReason(path: string): string | undefined {
  if (path.length === 0) return "Path length must be > 0";
  if (path.charCodeAt(0) !== 0x2f) return "Path must start with / character";
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f) return "Path must not end with / character";
  const reason = invalidCharReason(path);
  return reason === undefined ? undefined : `Invalid path string "${path}" caused by ${reason}`;
}

function invalidCharReason(path: string): string | undefined {
  let last = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const next = i + 1 === path.length ? 0x2f : path.charCodeAt(i + 1);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && next === 0x2f) return `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      if (last === 0x2f && next === 0x2f) return `relative paths not allowed @${i}`;
    } else if (isDisallowedChar(c)) {
      return `invalid character @${i}`;
    }
    last = c;
  }
  return undefined;
}

function isDisallowedChar(c: number): boolean {
  return (c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0;
}

/** The parent of a path; undefined for the root and for a string with no "/". */
export function parentOf(path: string): string | undefined {
  const slash = path.lastIndexOf("/");
  if (slash < 0 || path === ROOT) return undefined;
  return slash === 0 ? ROOT : path.slice(0, slash);
}

/** The last segment of a path; "" for the root. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === ROOT ? `/${name}` : `${parent}/${name}`;
}

/** DataTree.isSpecialPath: the nodes ZooKeeper refuses to delete (BadArguments). */
export function isSpecialPath(path: string): boolean {
  return path === ROOT || path === ZOOKEEPER_PATH || path === QUOTA_PATH || path === CONFIG_PATH;
}
