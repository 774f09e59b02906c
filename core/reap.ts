/**
 * ZooKeeper's ContainerManager.getCandidates: the containers and TTL nodes the leader should reap, each
 * then sent through prep as a { op: "reap" } request (prep checks again, as the tree may move meanwhile).
 */
import { ephemeralKind, ttlOf } from "./ephemeral-type.ts";
import { persistedOwner } from "./pending.ts";
import type { TreeView } from "./tree-view.ts";

/** A tree that lists its containers and TTL nodes, as ZooKeeper's DataTree does (DataTree has both). */
export interface ReapView extends TreeView {
  containers(): readonly string[];
  ttls(): readonly string[];
}

/**
 * Containers that had children and have none now (and, when maxNeverUsedMs > 0, childless containers
 * older than that which never had any), and childless TTL nodes unmodified for longer than their ttl;
 * sorted, at most maxPerCall of them.
 */
export function reapCandidates(
  tree: ReapView,
  now: number,
  maxPerCall = Infinity,
  maxNeverUsedMs = 0,
): string[] {
  const candidates: string[] = [];
  for (const path of tree.containers()) {
    const stat = tree.stat(path);
    if (stat === undefined || stat.numChildren > 0) continue;
    const used = (tree.persistedCversion(path) ?? 0) > 0;
    if (used || (maxNeverUsedMs !== 0 && now - stat.mtime > maxNeverUsedMs)) candidates.push(path);
  }
  for (const path of tree.ttls()) {
    const stat = tree.stat(path);
    if (stat === undefined || stat.numChildren > 0) continue;
    const owner = persistedOwner(tree, path, stat);
    if (ephemeralKind(owner) !== "ttl") continue;
    const ttl = ttlOf(owner);
    if (ttl !== 0 && now - stat.mtime > ttl) candidates.push(path);
  }
  return candidates.sort().slice(0, maxPerCall);
}
