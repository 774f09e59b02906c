/**
 * Prep and apply together, as the leader runs them: prepare stamps each request with the next zxid,
 * commit applies a prepared txn and releases it. Tests may prepare several before committing any.
 */
import { apply } from "../../core/apply.ts";
import { DataTree } from "../../core/data-tree.ts";
import { type Prepared, Preparer } from "../../core/prep.ts";
import type {
  Applied,
  Caller,
  CreateMode,
  CreateOp,
  Id,
  OpResult,
  WriteRequest,
} from "../../core/records.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import type { CoreConfig } from "../../core/tree-view.ts";
import { makeZxid } from "../../core/zxid.ts";

export const T0 = 1_700_000_000_000;
export const anon: Caller = { sessionId: 0, auth: [] };
export const bytes = (text: string) => new TextEncoder().encode(text);

export function create(
  path: string,
  mode: CreateMode = "persistent",
  extra: Partial<CreateOp> = {},
): CreateOp {
  return { op: "create", path, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode, ...extra };
}

export class Harness {
  readonly tree = new DataTree();
  readonly preparer: Preparer;
  counter = 0;
  /** the leader's clock for the next stamp */
  now = T0;

  constructor(config?: Partial<CoreConfig>) {
    this.preparer = new Preparer(this.tree, config);
  }

  prepare(caller: Caller, req: WriteRequest): Prepared {
    this.counter += 1;
    return this.preparer.prepare(caller, { zxid: makeZxid(1, this.counter), time: this.now }, req);
  }

  commit(prepared: Prepared): Applied {
    const applied = apply(this.tree, prepared.txn);
    this.preparer.release(prepared.txn.zxid);
    return applied;
  }

  /** prepares, applies and releases one request; the apply result */
  run(caller: Caller, req: WriteRequest): OpResult {
    return this.commit(this.prepare(caller, req)).result;
  }

  /** a new session's caller, its createSession applied */
  session(...auth: Id[]): Caller {
    const result = this.run(anon, { op: "createSession", timeout: 10_000, password: new Uint8Array(16) });
    if (result.type !== "createSession") throw new Error(`createSession gave ${JSON.stringify(result)}`);
    return { sessionId: result.sessionId, auth };
  }

  /** creates persistent open nodes, applied */
  mkdirs(...paths: string[]): void {
    for (const path of paths) {
      const result = this.run(anon, create(path));
      if (result.type !== "create") throw new Error(`create ${path} gave ${JSON.stringify(result)}`);
    }
  }
}
