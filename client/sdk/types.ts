/** The API's JSON (shared/API.md) as the SDK returns it: zxids and session ids are hex strings. */
export interface Stat {
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid: string;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

export interface Znode {
  readonly path: string;
  readonly data: string;
  readonly encoding: "utf8" | "base64";
  readonly stat: Stat;
}

export interface PathStat {
  readonly path: string;
  readonly stat: Stat;
}

export interface Children {
  readonly path: string;
  readonly children: readonly string[];
  readonly stat: Stat;
  readonly next?: string;
}

export interface ChildrenWithData {
  readonly path: string;
  readonly children: readonly (Omit<Znode, "path"> & { readonly name: string })[];
  readonly stat: Stat;
}

export interface Acl {
  readonly scheme: string;
  readonly id: string;
  readonly perms: string;
}

export type CreateMode =
  | "persistent"
  | "ephemeral"
  | "persistent_sequential"
  | "ephemeral_sequential"
  | "container"
  | "persistent_ttl"
  | "persistent_sequential_ttl";

export type EventType = "NodeCreated" | "NodeDeleted" | "NodeDataChanged" | "NodeChildrenChanged";

export interface WatchEvent {
  readonly type: EventType;
  readonly path: string;
  readonly zxid: string;
}

export type WatchType = "data" | "exists" | "children";

export type MultiOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly data?: string;
      readonly encoding?: "utf8" | "base64";
      readonly mode?: CreateMode;
      readonly ttlMs?: number;
      readonly acl?: readonly Acl[];
    }
  | { readonly op: "delete"; readonly path: string; readonly version?: number }
  | {
      readonly op: "set";
      readonly path: string;
      readonly data?: string;
      readonly encoding?: "utf8" | "base64";
      readonly version?: number;
    }
  | { readonly op: "check"; readonly path: string; readonly version?: number };

export interface SessionJson {
  readonly sessionId: string;
  readonly token: string;
  readonly timeoutMs: number;
}

/** Apache Curator 5's ServiceInstance JSON, as /v1/services reads and writes it. */
export interface ServiceInstance {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: Record<string, unknown> | null;
  readonly registrationTimeUTC: number;
  readonly serviceType: string;
  readonly uriSpec: { readonly parts: readonly { value: string; variable: boolean }[] } | null;
  readonly enabled?: boolean;
}

export interface InstanceInput {
  readonly address: string;
  readonly port?: number;
  readonly sslPort?: number;
  readonly payload?: Record<string, unknown> | null;
  readonly uriSpec?: string;
  readonly enabled?: boolean;
}
