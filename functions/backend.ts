/**
 * What the HTTP layer asks of the registry: the member's operations, in core's records. The Node entry
 * hands the handlers a member in the same process; elsewhere (another process, the Worker) the same
 * interface is served over NATS request/reply. The handlers only parse, call one of these and map the
 * result: every ZooKeeper rule (ACLs, versions, sessions, sequence numbers) lives behind it.
 */
import type { ZkError } from "../core/errors.ts";
import type { ACL, CreateOp, EventType, MultiOp, OpResult, Stat, WatchEvent } from "../core/records.ts";

/** Who a request is: the Nzk-Session token, a Basic "user:password", and the client's address. */
export interface Who {
  readonly session?: string;
  readonly basic?: string;
  readonly remoteAddress?: string;
}

export interface ReadOptions {
  /** read after a sync: linearizable */
  readonly sync?: boolean;
}

export interface Child {
  readonly name: string;
  readonly data: Uint8Array;
  readonly stat: Stat;
}

export interface SessionCreated {
  readonly sessionId: number;
  readonly token: string;
  readonly timeoutMs: number;
}

export interface SessionDetails {
  readonly sessionId: number;
  readonly timeoutMs: number;
  readonly ephemerals: readonly string[];
}

export type MultiOutcome =
  | { readonly results: readonly OpResult[] }
  | { readonly error: ZkError; readonly results: readonly OpResult[] };

export type WatchType = "data" | "exists" | "children";

/** The events a one-shot watch of each type fires on, as ZooKeeper's WatchManager. */
export const WATCH_EVENTS: Readonly<Record<WatchType, readonly EventType[]>> = {
  data: ["NodeDataChanged", "NodeDeleted"],
  exists: ["NodeCreated", "NodeDataChanged", "NodeDeleted"],
  children: ["NodeChildrenChanged", "NodeDeleted"],
};

/** a remote watch's check: the zxid the member has reached and the event the client missed, if any */
export interface WatchCheck {
  readonly zxid: number;
  readonly event?: WatchEvent;
}

export interface EventStreamOptions {
  readonly path: string;
  readonly recursive: boolean;
  /** deliver events with a zxid above this one, out of the durable stream, before live ones */
  readonly since?: number;
  readonly signal: AbortSignal;
}

/** Numbers the operations routes report (mntr, srvr, /metrics). */
export interface ServerStats {
  readonly mode: string;
  readonly memberId: string;
  readonly epoch: number;
  readonly lastZxid: number;
  readonly znodeCount: number;
  readonly ephemeralsCount: number;
  readonly watchCount: number;
  readonly sessionCount: number;
  readonly outstandingRequests: number;
  readonly approximateDataSize: number;
  readonly logLag: number;
  readonly ready: boolean;
}

export interface Backend {
  create(who: Who, req: CreateOp): Promise<{ path: string; stat: Stat } | ZkError>;
  getData(who: Who, path: string, read?: ReadOptions): Promise<{ data: Uint8Array; stat: Stat } | ZkError>;
  /** NoNode when there is none */
  exists(who: Who, path: string, read?: ReadOptions): Promise<Stat | ZkError>;
  setData(who: Who, path: string, data: Uint8Array, version: number): Promise<Stat | ZkError>;
  /** recursive: the subtree, atomically (version is then ignored, as ZooKeeper's deleteAll) */
  delete(who: Who, path: string, version: number, recursive: boolean): Promise<undefined | ZkError>;
  getChildren(
    who: Who,
    path: string,
    read?: ReadOptions,
  ): Promise<{ children: string[]; stat: Stat } | ZkError>;
  /** the children with their data, read at one zxid */
  getChildrenData(
    who: Who,
    path: string,
    read?: ReadOptions,
  ): Promise<{ children: Child[]; stat: Stat } | ZkError>;
  /** every descendant's path, sorted */
  getDescendants(
    who: Who,
    path: string,
    read?: ReadOptions,
  ): Promise<{ paths: string[]; stat: Stat } | ZkError>;
  getACL(who: Who, path: string, read?: ReadOptions): Promise<{ acl: ACL[]; stat: Stat } | ZkError>;
  setACL(who: Who, path: string, acl: readonly ACL[], version: number): Promise<Stat | ZkError>;
  multi(who: Who, ops: readonly MultiOp[]): Promise<MultiOutcome | ZkError>;
  sync(who: Who, path: string): Promise<number | ZkError>;

  createSession(timeoutMs: number): Promise<SessionCreated | ZkError>;
  keepalive(who: Who, sessionId: number): Promise<{ timeoutMs: number } | ZkError>;
  closeSession(who: Who, sessionId: number): Promise<undefined | ZkError>;
  sessionInfo(who: Who, sessionId: number): Promise<SessionDetails | ZkError>;
  addAuth(who: Who, sessionId: number, scheme: string, credentials: string): Promise<undefined | ZkError>;

  /**
   * the first event on path of the watch's kinds after afterZxid (after now when undefined), at once if it
   * already happened; undefined after timeoutMs or on abort
   */
  watch(
    path: string,
    type: WatchType,
    afterZxid: number | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<WatchEvent | undefined | ZkError>;
  /** committed events at path (and below when recursive), in zxid order; ends on abort */
  events(options: EventStreamOptions): AsyncIterable<WatchEvent>;

  status(): Promise<Record<string, unknown>>;
  stats(): Promise<ServerStats>;
}
