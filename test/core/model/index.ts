/**
 * A reference model of ZooKeeper's data tree and sessions, for property tests of core/.
 * It shares no code with core/ beyond the record types, so a shared mistake cannot hide.
 */
import type { ErrName } from "../../../core/errors.ts";
import {
  type ACL,
  type Caller,
  type Id,
  Perms,
  type SessionInfo,
  type Stamp,
  type Stat,
  type WriteRequest,
} from "../../../core/records.ts";
import { checkAcl } from "./acl.ts";
import { isValidPath } from "./paths.ts";
import { type Outcome, runRequest } from "./requests.ts";
import { cloneState, ephemeralsOf, initialState, type ModelState, statOf } from "./state.ts";

export { childPath, isValidPath, parentOf } from "./paths.ts";
export type { Outcome } from "./requests.ts";
export type { ModelState } from "./state.ts";

export interface NodeView {
  readonly data: Uint8Array;
  readonly stat: Stat;
  /** sorted */
  readonly children: readonly string[];
}

export class ZkModel {
  #state: ModelState;

  constructor(maxDataBytes = 1024 * 1024) {
    this.#state = initialState(maxDataBytes);
  }

  /** a copy of the state to go back to: a leader may abandon requests the model has already run */
  checkpoint(): ModelState {
    return cloneState(this.#state);
  }

  restore(checkpoint: ModelState): void {
    this.#state = cloneState(checkpoint);
  }

  run(caller: Caller, stamp: Stamp, req: WriteRequest): Outcome {
    const [state, outcome] = runRequest(this.#state, caller, stamp, req);
    this.#state = state;
    return outcome;
  }

  /**
   * What getData, exists and getChildren answer (FinalRequestProcessor): the path checked as the client
   * checks it, then NoNode, then READ on the node itself (exists too, since ZooKeeper 3.9.2).
   */
  read(auth: readonly Id[], path: string): ErrName | NodeView {
    if (!isValidPath(path)) return "BadArguments";
    const node = this.#state.nodes.get(path);
    if (!node) return "NoNode";
    const denied = checkAcl(node.acl, Perms.READ, auth);
    if (denied !== "Ok") return denied;
    return { data: node.data.slice(), stat: statOf(node), children: [...node.children].sort() };
  }

  /** every znode path, sorted */
  paths(): string[] {
    return [...this.#state.nodes.keys()].sort();
  }

  stat(path: string): Stat | undefined {
    const node = this.#state.nodes.get(path);
    return node && statOf(node);
  }

  persistedCversion(path: string): number | undefined {
    return this.#state.nodes.get(path)?.cversion;
  }

  /** StatPersisted.ephemeralOwner: a session id, or the container or TTL marker */
  persistedOwner(path: string): bigint | undefined {
    return this.#state.nodes.get(path)?.ephemeralOwner;
  }

  data(path: string): Uint8Array | undefined {
    return this.#state.nodes.get(path)?.data.slice();
  }

  acl(path: string): ACL[] | undefined {
    return this.#state.nodes.get(path)?.acl.slice();
  }

  /** child names, sorted */
  children(path: string): string[] | undefined {
    const node = this.#state.nodes.get(path);
    return node && [...node.children].sort();
  }

  /** paths, sorted */
  ephemeralsOf(sessionId: number): string[] {
    return ephemeralsOf(this.#state, sessionId).sort();
  }

  /** by session id */
  sessions(): SessionInfo[] {
    return [...this.#state.sessions.values()].sort((a, b) => a.sessionId - b.sessionId);
  }
}
