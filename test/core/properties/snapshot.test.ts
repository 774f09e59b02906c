/**
 * Determinism and snapshots over txn histories that prep produced from random requests: a replica that
 * applies the same txns, or that starts from a snapshot taken anywhere in the history, ends byte for
 * byte where the leader did.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply } from "../../../core/apply.ts";
import { DataTree } from "../../../core/data-tree.ts";
import { isZkError } from "../../../core/errors.ts";
import type { Txn } from "../../../core/records.ts";
import { deserializeSnapshot, serializeSnapshot } from "../../../core/snapshot.ts";
import { scenarioSpec } from "../model/arbitraries.ts";
import { codesOnly, expectSameTree } from "../model/compare.ts";
import { drive } from "../model/driver.ts";

const history = scenarioSpec(25);

function restore(bytes: Uint8Array): DataTree {
  const tree = deserializeSnapshot(bytes);
  if (isZkError(tree)) throw new Error(`snapshot did not load: ${tree.code} ${tree.message}`);
  return tree;
}

function replay(tree: DataTree, txns: readonly Txn[]): DataTree {
  for (const txn of txns) apply(tree, txn);
  return tree;
}

describe("determinism", () => {
  it("two trees fed the same txns give the same results and byte-identical snapshots", () => {
    fc.assert(
      fc.property(history, (spec) => {
        const leader = drive(spec);
        const follower = new DataTree();
        for (const step of leader.steps) {
          const applied = apply(follower, step.txn);
          expect(codesOnly(applied.result)).toEqual(codesOnly(step.applied.result));
          expect(applied.events).toEqual(step.applied.events);
        }
        expect(serializeSnapshot(follower)).toEqual(serializeSnapshot(leader.tree));
      }),
      { numRuns: 150 },
    );
  });
});

describe("snapshots", () => {
  it("a snapshot taken anywhere, restored and caught up, equals the tree that never stopped", () => {
    fc.assert(
      fc.property(history, fc.nat(), (spec, at) => {
        const leader = drive(spec);
        const txns = leader.steps.map((s) => s.txn);
        const split = at % (txns.length + 1);
        const early = replay(new DataTree(), txns.slice(0, split));
        const bytes = serializeSnapshot(early);
        const restored = restore(bytes);
        expect(serializeSnapshot(restored), "re-serialized snapshot").toEqual(bytes);
        replay(restored, txns.slice(split));
        expect(restored.lastZxid).toBe(leader.tree.lastZxid);
        expect(serializeSnapshot(restored)).toEqual(serializeSnapshot(leader.tree));
      }),
      { numRuns: 150 },
    );
  });

  it("a restored snapshot holds everything the model says the tree holds", () => {
    fc.assert(
      fc.property(history, (spec) => {
        const leader = drive(spec);
        const restored = restore(serializeSnapshot(leader.tree));
        expect(restored.lastZxid).toBe(leader.tree.lastZxid);
        expectSameTree(restored, leader.model, leader.sessionIds);
      }),
      { numRuns: 100 },
    );
  });
});
