/**
 * What the ZooKeeper port needs from the member it runs in: the tree for reads (served locally, as a
 * ZooKeeper follower serves them), writes through the leader, sync, session keepalives, and every
 * committed txn as it is applied, in zxid order. memberBackend adapts a running Member.
 */
import type { ZkError } from "../../core/errors.ts";
import type { Applied, Caller, Txn, WriteRequest } from "../../core/records.ts";
import type { TreeView } from "../../core/tree-view.ts";
import type { Member } from "../../member/index.ts";

/** what the member answers a write with: the applied result, or the error prep found */
export type Committed = Exclude<Awaited<ReturnType<Member["write"]>>, ZkError>;

export type ServerMode = "leader" | "follower" | "observer" | "looking";

export interface ZkBackend {
  /** the tree as this member has applied it; read it synchronously, never hold it across an await */
  tree(): TreeView;
  readonly lastZxid: number;
  write(caller: Caller, req: WriteRequest): Promise<Committed | ZkError>;
  /** catches this member up with the log; its zxid then */
  sync(): Promise<number | ZkError>;
  /** whether the leader still knows the session (false: expired) */
  touch(sessionId: number): Promise<boolean | ZkError>;
  /** notes activity in a session; cheap, called for every request */
  touched(sessionId: number): void;
  /** resolves true once this member has applied zxid, false after timeoutMs */
  waitZxid(zxid: number, timeoutMs: number): Promise<boolean>;
  /** why this member does not serve now (recovering, or out of contact with its leader), or undefined */
  unavailable(): string | undefined;
  /** called whenever the member starts or stops serving; returns the unsubscribe */
  onServingChange(listener: (serving: boolean) => void): () => void;
  /** called synchronously for each txn as it is applied; returns the unsubscribe */
  onApplied(listener: (applied: Applied, txn: Txn) => void): () => void;
  readonly info: BackendInfo;
}

export interface BackendInfo {
  readonly memberId: string;
  mode(): ServerMode;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly tickMs: number;
  readonly maxDataBytes: number;
  readonly superDigest?: string;
  readonly dataDir: string;
}

const MODES: Record<Member["state"], ServerMode> = {
  LEADING: "leader",
  FOLLOWING: "follower",
  OBSERVING: "observer",
  LOOKING: "looking",
};

export function memberBackend(member: Member): ZkBackend {
  const listeners = new Set<(applied: Applied, txn: Txn) => void>();
  const replica = member.replica;
  const previous = replica.onApplied;
  // The member keeps its own hook (session tracking); the port's runs after it, in the same call.
  replica.onApplied = (applied, txn) => {
    previous(applied, txn);
    for (const listener of listeners) listener(applied, txn);
  };
  const { config } = member;
  return {
    tree: () => replica.tree,
    get lastZxid() {
      return replica.lastZxid;
    },
    write: (caller, req) => member.write(caller, req),
    sync: () => member.sync(),
    touch: (sessionId) => member.touch(sessionId),
    touched: (sessionId) => member.touched(sessionId),
    waitZxid: (zxid, timeoutMs) => replica.waitZxid(zxid, timeoutMs),
    unavailable: () => member.unavailable(),
    onServingChange: (listener) => member.onServingChange(listener),
    onApplied: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    info: {
      memberId: config.memberId,
      mode: () => MODES[member.state],
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      tickMs: config.tickMs,
      maxDataBytes: config.maxDataBytes,
      dataDir: config.dataDir,
      ...(config.superDigest === undefined ? {} : { superDigest: config.superDigest }),
    },
  };
}
