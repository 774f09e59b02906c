/**
 * apply is total: whatever txn a damaged or hostile log hands it, over a tree with a history, it returns
 * a result and never throws, and a txn that does not fit the tree (an error result, or a multi that
 * failed) changes nothing and fires no event.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply } from "../../../core/apply.ts";
import { OPEN_ACL_UNSAFE, type OpResult, READ_ACL_UNSAFE } from "../../../core/records.ts";
import { serializeSnapshot } from "../../../core/snapshot.ts";
import { scenarioSpec } from "../model/arbitraries.ts";
import { drive } from "../model/driver.ts";
import { txnBody } from "../model/txn-arbitraries.ts";

/** the paths the scenarios use, and some no tree can hold */
const path = fc.oneof(
  fc.constantFrom("/", "/a", "/b", "/a/a", "/a/b", "/b/a", "/a/a/a", "/zookeeper", "/zookeeper/quota"),
  fc.constantFrom("", "a", "/a/", "//a", "/nope/a"),
);

const body = txnBody({
  path,
  acl: fc.constantFrom([...OPEN_ACL_UNSAFE], [...READ_ACL_UNSAFE]),
  int: fc.integer({ min: -2, max: 4 }),
  id: fc.constantFrom(0, 0x1_0000_0001, 0x1_0000_0002),
});

function failed(result: OpResult): boolean {
  return (
    result.type === "error" || (result.type === "multi" && result.results.some((r) => r.type === "error"))
  );
}

describe("apply", () => {
  it("never throws, and a txn that does not fit changes nothing", () => {
    fc.assert(
      fc.property(scenarioSpec(15), fc.array(body, { minLength: 1, maxLength: 5 }), (spec, bodies) => {
        const { tree } = drive(spec);
        for (const b of bodies) {
          const before = serializeSnapshot(tree);
          // the tree's own zxid, so that an unchanged tree serializes to the same bytes
          const applied = apply(tree, { sessionId: 0x1_0000_0001, zxid: tree.lastZxid, time: 1, body: b });
          if (failed(applied.result)) {
            expect(applied.events).toEqual([]);
            expect(serializeSnapshot(tree)).toEqual(before);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
