/**
 * Comparisons between core and the model, as vitest expectations. Error results are compared by code
 * only: the message and the path it names are core's to word.
 */
import { expect } from "vitest";
import { isZkError } from "../../../core/errors.ts";
import { exists, getChildren, getData } from "../../../core/read.ts";
import type { Id, OpResult, WatchEvent } from "../../../core/records.ts";
import type { TreeView } from "../../../core/tree-view.ts";
import type { Step } from "./driver.ts";
import type { ZkModel } from "./index.ts";

export function codesOnly(result: OpResult): OpResult {
  if (result.type === "error") return { type: "error", err: result.err };
  if (result.type === "multi") return { type: "multi", results: result.results.map(codesOnly) };
  return result;
}

function byPathThenType(a: WatchEvent, b: WatchEvent): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/**
 * closeSession deletes the session's ephemerals in one txn in an order that is core's choice
 * (ZooKeeper's is a HashSet's), so its events are compared as a multiset.
 */
function comparableEvents(step: Step, events: readonly WatchEvent[]): readonly WatchEvent[] {
  return step.request.op === "closeSession" ? [...events].sort(byPathThenType) : events;
}

/** One step: the txn's and the result's zxid, the result (codes only for errors) and the events. */
export function expectStepMatches(step: Step): void {
  const where = `zxid ${step.stamp.zxid}: ${step.request.op} ${"path" in step.request ? step.request.path : ""}`;
  const seen = (zxids: readonly number[], result: OpResult, events: readonly WatchEvent[]) => ({
    zxids,
    result: codesOnly(result),
    events: comparableEvents(step, events),
  });
  expect(seen([step.txn.zxid, step.applied.zxid], step.applied.result, step.applied.events), where).toEqual(
    seen([step.stamp.zxid, step.stamp.zxid], step.expected.result, step.expected.events),
  );
}

/** Every node's data, Stat, ACL and children, the sessions and their ephemerals, in one comparison. */
export function expectSameTree(tree: TreeView, model: ZkModel, sessionIds: readonly number[]): void {
  const nodes = (view: (path: string) => unknown) => model.paths().map(view);
  const actual = {
    nodeCount: tree.nodeCount,
    nodes: nodes((path) => ({
      path,
      stat: tree.stat(path),
      persistedCversion: tree.persistedCversion(path),
      persistedOwner: tree.persistedOwner ? tree.persistedOwner(path) : model.persistedOwner(path),
      data: tree.data(path),
      acl: tree.acl(path),
      children: tree.childNames(path)?.sort(),
    })),
    sessions: [...tree.sessions()].sort((a, b) => a.sessionId - b.sessionId),
    ephemerals: sessionIds.map((id) => tree.ephemeralsOf(id).sort()),
  };
  const expected = {
    nodeCount: model.paths().length,
    nodes: nodes((path) => ({
      path,
      stat: model.stat(path),
      persistedCversion: model.persistedCversion(path),
      persistedOwner: model.persistedOwner(path),
      data: model.data(path),
      acl: model.acl(path),
      children: model.children(path),
    })),
    sessions: model.sessions(),
    ephemerals: sessionIds.map((id) => model.ephemeralsOf(id)),
  };
  expect(actual).toEqual(expected);
}

/**
 * getData, exists and getChildren of each path, for each set of identities, as the model answers them;
 * gathered into one comparison so that a difference shows with the reader and the path beside it.
 */
export function expectSameReads(
  tree: TreeView,
  model: ZkModel,
  paths: readonly string[],
  identities: readonly (readonly Id[])[],
): void {
  const actual: unknown[] = [];
  const expected: unknown[] = [];
  const codeOr = <T>(answer: T) => (isZkError(answer) ? answer.code : answer);
  for (const auth of identities) {
    const caller = { sessionId: 0, auth };
    for (const path of paths) {
      const reader = { path, auth };
      actual.push({
        ...reader,
        getData: codeOr(getData(tree, caller, path)),
        exists: codeOr(exists(tree, caller, path)),
        getChildren: codeOr(getChildren(tree, caller, path)),
      });
      const view = model.read(auth, path);
      expected.push(
        typeof view === "string"
          ? { ...reader, getData: view, exists: view, getChildren: view }
          : {
              ...reader,
              getData: { data: view.data, stat: view.stat },
              exists: view.stat,
              getChildren: { children: view.children, stat: view.stat },
            },
      );
    }
  }
  expect(actual).toEqual(expected);
}
