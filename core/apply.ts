/**
 * ZooKeeper's DataTree.processTxn: applies one committed txn to the tree and says what happened and
 * which watch events fire, in ZooKeeper's order. It never throws: a txn that does not fit the tree
 * gives ZooKeeper's error code and changes nothing, and a multi is all or nothing.
 */
import { bytesToBinary } from "./binary-string.ts";
import { type DataTree, parentPath, type TreeError } from "./data-tree.ts";
import type { ErrName } from "./errors.ts";
import { OwnerKind } from "./node-store.ts";
import type { Applied, OpResult, Txn, TxnBody, WatchEvent } from "./records.ts";

type Events = WatchEvent[];

export function apply(tree: DataTree, txn: Txn): Applied {
  const events: Events = [];
  let result: OpResult;
  if (txn.body.type === "multi") result = applyMulti(tree, txn, txn.body.txns, events);
  else result = applyOne(tree, txn, txn.body, events);
  tree.lastZxid = txn.zxid;
  return { zxid: txn.zxid, result, events };
}

function failed(err: TreeError, path: string): OpResult {
  return { type: "error", err, path };
}

function deleted(events: Events, path: string, zxid: number): void {
  events.push({ type: "NodeDeleted", path, zxid });
  events.push({ type: "NodeChildrenChanged", path: parentPath(path, path.lastIndexOf("/")), zxid });
}

function applyOne(tree: DataTree, txn: Txn, body: TxnBody, events: Events): OpResult {
  const { zxid, time } = txn;
  switch (body.type) {
    case "create": {
      const kind = body.container
        ? OwnerKind.container
        : body.ttl > 0
          ? OwnerKind.ttl
          : body.ephemeralOwner !== 0
            ? OwnerKind.ephemeral
            : OwnerKind.none;
      const owner =
        kind === OwnerKind.ttl ? body.ttl : kind === OwnerKind.ephemeral ? body.ephemeralOwner : 0;
      const path = body.path;
      const data = bytesToBinary(body.data);
      const slot = tree.createNode(path, data, body.acl, kind, owner, body.parentCVersion, zxid, time);
      if (typeof slot === "string") return failed(slot, path);
      events.push({ type: "NodeCreated", path, zxid });
      events.push({ type: "NodeChildrenChanged", path: tree.nodes.paths[tree.nodes.parent[slot]!]!, zxid });
      return { type: "create", path, stat: tree.statOf(slot) };
    }
    case "delete": {
      const err = tree.deleteNode(body.path, zxid);
      if (err !== undefined) return failed(err, body.path);
      deleted(events, body.path, zxid);
      return { type: "delete", path: body.path };
    }
    case "setData": {
      const slot = tree.setData(body.path, bytesToBinary(body.data), body.version, zxid, time);
      if (typeof slot === "string") return failed(slot, body.path);
      events.push({ type: "NodeDataChanged", path: body.path, zxid });
      return { type: "setData", path: body.path, stat: tree.statOf(slot) };
    }
    case "setACL": {
      const slot = tree.setACL(body.path, body.acl, body.version);
      if (typeof slot === "string") return failed(slot, body.path);
      return { type: "setACL", path: body.path, stat: tree.statOf(slot) };
    }
    case "check":
      // ZooKeeper's DataTree does nothing for a check: prep already compared the version
      return { type: "check", path: body.path };
    case "error":
      return { type: "error", err: body.err };
    case "createSession":
      tree.addSession({ sessionId: zxid, timeout: body.timeout, password: body.password });
      return { type: "createSession", sessionId: zxid, timeout: body.timeout };
    case "closeSession":
      for (const path of tree.killSession(txn.sessionId, body.paths, zxid)) deleted(events, path, zxid);
      return { type: "closeSession", sessionId: txn.sessionId };
    case "multi":
      // only reachable for a multi inside a multi, which dryRun refuses before anything is applied
      return { type: "error", err: "BadArguments" };
  }
}

/**
 * ZooKeeper's multi: when any sub-txn is an error txn, every sub-txn becomes an error result (Ok before
 * the first error txn, RuntimeInconsistency after it, error txns keep their code) and nothing is applied.
 * ZooKeeper trusts prep for the rest; nzk also dry-runs the sub-txns against the tree first, so one that
 * would fail there fails the whole multi the same way instead of leaving it half applied.
 */
function applyMulti(tree: DataTree, txn: Txn, txns: readonly TxnBody[], events: Events): OpResult {
  const hasErrorTxn = txns.some((t) => t.type === "error");
  const misfit = hasErrorTxn ? undefined : dryRun(tree, txns);
  if (!hasErrorTxn && misfit === undefined) {
    return { type: "multi", results: txns.map((t) => applyOne(tree, txn, t, events)) };
  }
  let after = false;
  const results = txns.map((t, i): OpResult => {
    if (t.type === "error") {
      after = true;
      return { type: "error", err: t.err };
    }
    if (i === misfit?.index) {
      after = true;
      return misfit.path === undefined
        ? { type: "error", err: misfit.err }
        : { type: "error", err: misfit.err, path: misfit.path };
    }
    return { type: "error", err: after ? "RuntimeInconsistency" : "Ok" };
  });
  return { type: "multi", results };
}

interface Misfit {
  readonly index: number;
  readonly err: ErrName;
  readonly path?: string;
}

/** The first sub-txn that would not fit the tree as the earlier ones leave it, without changing it. */
function dryRun(tree: DataTree, txns: readonly TxnBody[]): Misfit | undefined {
  const exists = new Map<string, boolean>();
  const childDelta = new Map<string, number>();
  const has = (path: string) => exists.get(path) ?? tree.has(path);
  const adjust = (path: string, delta: number) => {
    const parent = parentPath(path, path.lastIndexOf("/"));
    childDelta.set(parent, (childDelta.get(parent) ?? 0) + delta);
  };
  for (let index = 0; index < txns.length; index++) {
    const t = txns[index]!;
    switch (t.type) {
      case "create": {
        const lastSlash = t.path.lastIndexOf("/");
        if (lastSlash < 0 || !has(parentPath(t.path, lastSlash)))
          return { index, err: "NoNode", path: t.path };
        if (has(t.path)) return { index, err: "NodeExists", path: t.path };
        exists.set(t.path, true);
        adjust(t.path, 1);
        break;
      }
      case "delete": {
        if (!has(t.path)) return { index, err: "NoNode", path: t.path };
        if (t.path === "/") return { index, err: "BadArguments", path: t.path };
        if (tree.childCount(t.path) + (childDelta.get(t.path) ?? 0) > 0) {
          return { index, err: "NotEmpty", path: t.path };
        }
        exists.set(t.path, false);
        adjust(t.path, -1);
        break;
      }
      case "setData":
      case "setACL":
        if (!has(t.path)) return { index, err: "NoNode", path: t.path };
        break;
      case "check":
      case "error":
        break;
      case "multi":
      case "createSession":
      case "closeSession":
        // ZooKeeper's multi refuses these sub-txn types ("Invalid type of op")
        return { index, err: "BadArguments" };
    }
  }
  return undefined;
}
