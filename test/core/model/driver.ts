/**
 * Drives core (Preparer.prep, then apply, as the leader pipelines them) and the reference model in
 * lockstep over generated batches, recording what each side produced for the properties to compare.
 */
import { apply } from "../../../core/apply.ts";
import { DataTree } from "../../../core/data-tree.ts";
import { Preparer } from "../../../core/prep.ts";
import type { Applied, Caller, Stamp, Txn, WriteRequest } from "../../../core/records.ts";
import { makeZxid } from "../../../core/zxid.ts";
import { type BatchSpec, Resolver } from "./arbitraries.ts";
import { type Outcome, ZkModel } from "./index.ts";

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

const EPOCH = 1;
const START_TIME = 1_700_000_000_000;

export function drive(batches: readonly BatchSpec[]): Run {
  const tree = new DataTree();
  const preparer = new Preparer(tree);
  const model = new ZkModel();
  const resolver = new Resolver(model);
  const steps: Step[] = [];
  let counter = 0;
  const nextStamp = (): Stamp => {
    counter += 1;
    return { zxid: makeZxid(EPOCH, counter), time: START_TIME + counter * 1000 };
  };

  for (const batch of batches) {
    const batchModel = batch.fate === "applied" ? model : model.clone();
    const batchResolver = batch.fate === "applied" ? resolver : resolver.fork(batchModel);
    const prepped: Omit<Step, "applied">[] = [];
    for (const call of batch.calls) {
      const caller = batchResolver.caller(call.caller);
      const request = batchResolver.request(call.request);
      const stamp = nextStamp();
      const expected = batchModel.run(caller, stamp, request);
      if (expected.result.type === "createSession") batchResolver.noteSession(expected.result.sessionId);
      prepped.push({ caller, stamp, request, expected, txn: preparer.prep(caller, stamp, request) });
    }
    if (batch.fate === "abandoned") {
      preparer.reset();
      continue;
    }
    for (const step of prepped) {
      steps.push({ ...step, applied: apply(tree, step.txn) });
      if (batch.releaseEach) preparer.release(step.txn.zxid);
    }
    const last = prepped.at(-1);
    if (last && !batch.releaseEach) preparer.release(last.txn.zxid);
  }
  return { tree, model, steps, sessionIds: resolver.everSessions };
}
