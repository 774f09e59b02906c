/**
 * Drives core and the reference model in lockstep. Core goes as the leader runs it: Preparer.prep as
 * requests arrive, apply as txns commit (interleaved with later preps), release once applied, reset when
 * leadership is lost. The model runs each request whole at prep time, in the same order, so any way in
 * which pipelining shows through is a difference between the two.
 */
import { apply } from "../../../core/apply.ts";
import { DataTree } from "../../../core/data-tree.ts";
import { Preparer } from "../../../core/prep.ts";
import type { Applied, Caller, Stamp, Txn, WriteRequest } from "../../../core/records.ts";
import { makeZxid } from "../../../core/zxid.ts";
import { type CallSpec, Resolver, type ScenarioSpec } from "./arbitraries.ts";
import { type ModelState, type Outcome, ZkModel } from "./index.ts";

export interface Step {
  readonly caller: Caller;
  readonly stamp: Stamp;
  readonly request: WriteRequest;
  readonly txn: Txn;
  readonly applied: Applied;
  readonly expected: Outcome;
}

export interface Run {
  readonly tree: DataTree;
  readonly model: ZkModel;
  /** the applied steps, in zxid order */
  readonly steps: readonly Step[];
  /** every session id handed out, abandoned and closed ones included */
  readonly sessionIds: readonly number[];
}

interface Prepped extends Omit<Step, "applied"> {
  /** the model as it was before this request, to go back to if the leader abandons it */
  readonly before: ModelState;
}

const EPOCH = 1;
/** small enough that the generated data (up to 3 bytes) sometimes exceeds it */
const MAX_DATA_BYTES = 2;
const START_TIME = 1_700_000_000_000;

const OPEN_SESSION: CallSpec = {
  caller: { session: { kind: "none" }, auth: [] },
  request: { op: "createSession", timeout: 10_000, password: new Uint8Array(16) },
};

export function drive(scenario: ScenarioSpec): Run {
  const tree = new DataTree();
  const preparer = new Preparer(tree, { maxDataBytes: MAX_DATA_BYTES });
  const model = new ZkModel(MAX_DATA_BYTES);
  const resolver = new Resolver(model);
  const steps: Step[] = [];
  const queue: Prepped[] = [];
  let counter = 0;

  const prep = (call: CallSpec): void => {
    counter += 1;
    const stamp = { zxid: makeZxid(EPOCH, counter), time: START_TIME + counter * 1000 };
    const caller = resolver.caller(call.caller);
    const request = resolver.request(call.request);
    const before = model.checkpoint();
    const expected = model.run(caller, stamp, request);
    if (expected.result.type === "createSession") resolver.noteSession(expected.result.sessionId);
    queue.push({ caller, stamp, request, expected, before, txn: preparer.prep(caller, stamp, request) });
  };
  const commit = (count: number, releaseEach: boolean): void => {
    const group = queue.splice(0, count);
    for (const { before: _, ...step } of group) {
      steps.push({ ...step, applied: apply(tree, step.txn) });
      if (releaseEach) preparer.release(step.txn.zxid);
    }
    const last = group.at(-1);
    if (last && !releaseEach) preparer.release(last.txn.zxid);
  };

  for (let i = 0; i < scenario.sessions; i++) prep(OPEN_SESSION);
  for (const move of scenario.moves) {
    if (move.move === "prep") prep(move.call);
    else if (move.move === "commit") commit(move.count, move.releaseEach);
    else {
      const first = queue.shift();
      if (first) model.restore(first.before);
      queue.length = 0;
      preparer.reset();
    }
  }
  commit(queue.length, false);
  return { tree, model, steps, sessionIds: resolver.everSessions };
}
