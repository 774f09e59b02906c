/**
 * Comparisons between core and the model, as vitest expectations. Error results are compared by code
 * only: the message and the path it names are core's to word.
 */
import { expect } from "vitest";
import type { OpResult, WatchEvent } from "../../../core/records.ts";
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

export function expectStepMatches(step: Step): void {
  const where = `zxid ${step.stamp.zxid} ${JSON.stringify(step.request, bigintsAsText)}`;
  expect(step.txn.zxid, where).toBe(step.stamp.zxid);
  expect(step.applied.zxid, where).toBe(step.stamp.zxid);
  expect(codesOnly(step.applied.result), where).toEqual(codesOnly(step.expected.result));
  expect(comparableEvents(step, step.applied.events), where).toEqual(
    comparableEvents(step, step.expected.events),
  );
}

/** Every node's data, Stat, ACL and children, the sessions and their ephemerals. */
export function expectSameTree(tree: TreeView, model: ZkModel, sessionIds: readonly number[]): void {
  const paths = model.paths();
  expect(tree.nodeCount, "node count").toBe(paths.length);
  for (const path of paths) {
    expect(tree.stat(path), `stat of ${path}`).toEqual(model.stat(path));
    expect(tree.persistedCversion(path), `persisted cversion of ${path}`).toBe(model.persistedCversion(path));
    if (tree.persistedOwner) {
      expect(tree.persistedOwner(path), `persisted owner of ${path}`).toBe(model.persistedOwner(path));
    }
    expect(tree.data(path), `data of ${path}`).toEqual(model.data(path));
    expect(tree.acl(path), `acl of ${path}`).toEqual(model.acl(path));
    expect(tree.childNames(path)?.sort(), `children of ${path}`).toEqual(model.children(path));
  }
  const sessions = [...tree.sessions()].sort((a, b) => a.sessionId - b.sessionId);
  expect(sessions, "sessions").toEqual(model.sessions());
  for (const id of sessionIds) {
    expect(tree.ephemeralsOf(id).sort(), `ephemerals of ${id}`).toEqual(model.ephemeralsOf(id));
  }
}

function bigintsAsText(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return [...value];
  return value;
}
