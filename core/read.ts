/**
 * The read operations with ZooKeeper 3.9's checks (FinalRequestProcessor): the path validated first, as
 * ZooKeeper's client does; NoNode; then READ on the node itself. Since 3.9.2 exists checks READ too
 * (ZOOKEEPER-2590), and getACL wants READ or ADMIN, hiding digest hashes from a caller without ADMIN.
 * Session validity is the caller's business: these see only the tree.
 */
import { checkACL } from "./acl.ts";
import { isZkError, type ZkError } from "./errors.ts";
import { keeperError } from "./keeper-error.ts";
import { joinPath, ROOT, validatePath } from "./paths.ts";
import { type ACL, type Caller, Perms, type Stat } from "./records.ts";
import type { TreeView } from "./tree-view.ts";

/** validatePath, NoNode, then the ACL check; the node's Stat when all pass */
function readable(tree: TreeView, caller: Caller, path: string, perm: number): Stat | ZkError {
  const invalid = validatePath(path);
  if (invalid) return invalid;
  const stat = tree.stat(path);
  if (stat === undefined) return keeperError("NoNode", path);
  return checkACL(tree.acl(path) ?? [], perm, caller) ? { ...stat } : keeperError("NoAuth", path);
}

export function getData(
  tree: TreeView,
  caller: Caller,
  path: string,
): { data: Uint8Array; stat: Stat } | ZkError {
  const stat = readable(tree, caller, path, Perms.READ);
  return isZkError(stat) ? stat : { data: tree.data(path) ?? new Uint8Array(0), stat };
}

/** ZooKeeper 3.9.2+: READ is checked when the node exists */
export function exists(tree: TreeView, caller: Caller, path: string): Stat | ZkError {
  return readable(tree, caller, path, Perms.READ);
}

export function getChildren(
  tree: TreeView,
  caller: Caller,
  path: string,
): { children: string[]; stat: Stat } | ZkError {
  const stat = readable(tree, caller, path, Perms.READ);
  return isZkError(stat) ? stat : { children: [...(tree.childNames(path) ?? [])].sort(), stat };
}

/** DataTree.getAllChildrenNumber: every descendant, so the root counts the /zookeeper nodes too */
export function getAllChildrenNumber(tree: TreeView, caller: Caller, path: string): number | ZkError {
  const stat = readable(tree, caller, path, Perms.READ);
  if (isZkError(stat)) return stat;
  if (path === ROOT) return tree.nodeCount - 1;
  let count = 0;
  const stack = [path];
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    for (const name of tree.childNames(at) ?? []) {
      count++;
      stack.push(joinPath(at, name));
    }
  }
  return count;
}

/**
 * The session's ephemerals whose path starts with prefix (a plain string prefix, as ZooKeeper's, so
 * "/a" also finds "/ab"), sorted; "/" finds all of them, and so does "/ " (ZooKeeper trims the prefix).
 */
export function getEphemerals(tree: TreeView, sessionId: number, prefix: string): string[] | ZkError {
  const invalid = validatePath(prefix);
  if (invalid) return invalid;
  const all = tree.ephemeralsOf(sessionId);
  return (javaTrim(prefix) === ROOT ? [...all] : all.filter((p) => p.startsWith(prefix))).sort();
}

export function getACL(tree: TreeView, caller: Caller, path: string): { acl: ACL[]; stat: Stat } | ZkError {
  const stat = readable(tree, caller, path, Perms.READ | Perms.ADMIN);
  if (isZkError(stat)) return stat;
  const acl = tree.acl(path) ?? [];
  if (checkACL(acl, Perms.ADMIN, caller)) return { acl: [...acl], stat };
  return { acl: acl.map(redacted), stat };
}

/** FinalRequestProcessor: id.replaceAll(":.*", ":x") for digest ids; Java's "." stops at line breaks */
function redacted(entry: ACL): ACL {
  if (entry.id.scheme !== "digest") return entry;
  return {
    perms: entry.perms,
    id: { scheme: "digest", id: entry.id.id.replace(/:[^\n\r\u0085\u2028\u2029]*/g, ":x") },
  };
}

/** String.trim: drops chars up to U+0020 at both ends, and no other whitespace */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}
