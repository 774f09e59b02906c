/**
 * Core against the reference model: random request sequences go through Preparer.prep and apply, in
 * batches prepped together and applied in order as the leader pipelines them (and some prepped then
 * abandoned, as a leader that loses its quorum does), and every result, event and the final tree must be
 * what ZooKeeper 3.9's rules, as the model writes them out, say.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { scenarioSpec } from "../model/arbitraries.ts";
import { expectSameTree, expectStepMatches } from "../model/compare.ts";
import { drive } from "../model/driver.ts";

const scenarios = scenarioSpec(30);

describe("core matches the reference model", () => {
  it("gives every request the model's result and events, and ends with the model's tree", () => {
    fc.assert(
      fc.property(scenarios, (spec) => {
        const run = drive(spec);
        for (const step of run.steps) expectStepMatches(step);
        expectSameTree(run.tree, run.model, run.sessionIds);
        // results are values, not views of the tree: later txns must not have changed them
        for (const step of run.steps) expectStepMatches(step);
      }),
      { numRuns: 800 },
    );
  });
});
