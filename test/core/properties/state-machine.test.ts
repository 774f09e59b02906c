/**
 * Core against the reference model: random request sequences go through Preparer.prep and apply, in
 * batches prepped together and applied in order as the leader pipelines them (and some prepped then
 * abandoned, as a leader that loses its quorum does), and every result, event and the final tree must be
 * what ZooKeeper 3.9's rules, as the model writes them out, say.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { ALICE, NEAR, SUPER, scenarioSpec } from "../model/arbitraries.ts";
import { expectSameReads, expectSameTree, expectStepMatches } from "../model/compare.ts";
import { drive } from "../model/driver.ts";

const scenarios = scenarioSpec(30);
/** paths that are missing or malformed, for the reads */
const UNREAD = ["/nope", "/a/b/c/d", "", "a", "/a/", "//a", "/a/.."];
const IDENTITIES = [[], [ALICE], [NEAR], [SUPER]];

describe("core matches the reference model", () => {
  it("gives every request the model's result and events, and ends with the model's tree and reads", () => {
    fc.assert(
      fc.property(scenarios, (spec) => {
        const run = drive(spec);
        for (const step of run.steps) expectStepMatches(step);
        expectSameTree(run.tree, run.model, run.sessionIds);
        expectSameReads(run.tree, run.model, [...run.model.paths(), ...UNREAD], IDENTITIES);
        // results are values, not views of the tree: later txns must not have changed them
        for (const step of run.steps) expectStepMatches(step);
      }),
      { numRuns: 800 },
    );
  });
});
