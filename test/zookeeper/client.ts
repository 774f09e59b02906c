/**
 * node-zookeeper-client (an unmodified ZooKeeper client from npm) behind promises, for the tests and
 * the benchmark. Errors reject with the client's Exception, whose `code` is ZooKeeper's number.
 */
import { createRequire } from "node:module";

type Callback<T extends unknown[]> = (error: ZkClientError | null, ...results: T) => void;

export interface ZkClientError extends Error {
  readonly code: number;
}

export interface ClientStat {
  czxid: Buffer;
  mzxid: Buffer;
  ctime: Buffer;
  mtime: Buffer;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: Buffer;
  dataLength: number;
  numChildren: number;
  pzxid: Buffer;
}

export interface ClientEvent {
  readonly type: number;
  readonly name: string;
  readonly path: string;
}

export interface ClientACL {
  readonly permission: number;
  readonly id: { readonly scheme: string; readonly id: string };
}

type Watcher = (event: ClientEvent) => void;

interface Transaction {
  create(path: string, data?: Buffer, acls?: unknown[], mode?: number): Transaction;
  setData(path: string, data: Buffer | null, version?: number): Transaction;
  check(path: string, version?: number): Transaction;
  remove(path: string, version?: number): Transaction;
  commit(cb: Callback<[{ type: number; path?: string; stat?: ClientStat; err?: number }[]]>): void;
}

interface RawClient {
  connect(): void;
  close(): void;
  once(event: "connected" | "disconnected" | "expired", listener: () => void): void;
  on(event: "state", listener: (state: { name: string; code: number }) => void): void;
  getSessionId(): Buffer;
  getSessionPassword(): Buffer;
  getSessionTimeout(): number;
  addAuthInfo(scheme: string, auth: Buffer): void;
  create(path: string, data: Buffer | undefined, acls: unknown[], mode: number, cb: Callback<[string]>): void;
  remove(path: string, version: number, cb: Callback<[]>): void;
  exists(path: string, watcher: Watcher | undefined, cb: Callback<[ClientStat | null]>): void;
  getData(path: string, watcher: Watcher | undefined, cb: Callback<[Buffer | null, ClientStat]>): void;
  setData(path: string, data: Buffer | null, version: number, cb: Callback<[ClientStat]>): void;
  getACL(path: string, cb: Callback<[ClientACL[], ClientStat]>): void;
  setACL(path: string, acls: unknown[], version: number, cb: Callback<[ClientStat]>): void;
  getChildren(path: string, watcher: Watcher | undefined, cb: Callback<[string[], ClientStat]>): void;
  mkdirp(path: string, cb: Callback<[string]>): void;
  transaction(): Transaction;
}

interface Module {
  createClient(connect: string, options?: Record<string, unknown>): RawClient;
  CreateMode: Record<"PERSISTENT" | "PERSISTENT_SEQUENTIAL" | "EPHEMERAL" | "EPHEMERAL_SEQUENTIAL", number>;
  ACL: { OPEN_ACL_UNSAFE: unknown[]; READ_ACL_UNSAFE: unknown[]; CREATOR_ALL_ACL: unknown[] };
  Id: new (scheme: string, id: string) => unknown;
  Permission: Record<"READ" | "WRITE" | "CREATE" | "DELETE" | "ADMIN" | "ALL", number>;
  Exception: Record<string, number>;
}

const require = createRequire(import.meta.url);
export const zookeeper = require("node-zookeeper-client") as Module & {
  ACL: Module["ACL"] & (new (perm: number, id: unknown) => unknown);
};

function call<T extends unknown[]>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((error, ...results) => (error ? reject(error) : resolve(results))),
  );
}

/** The 64-bit fields node-zookeeper-client gives as 8-byte buffers. */
export function long(buf: Buffer): number {
  return Number(buf.readBigInt64BE(0));
}

export class ZkClient {
  readonly raw: RawClient;

  private constructor(raw: RawClient) {
    this.raw = raw;
  }

  /** Connects, resolving on the first SyncConnected. */
  static async connect(connect: string, options: Record<string, unknown> = {}): Promise<ZkClient> {
    const raw = zookeeper.createClient(connect, {
      sessionTimeout: 10_000,
      spinDelay: 100,
      retries: 0,
      ...options,
    });
    const connected = new Promise<void>((resolve) => raw.once("connected", resolve));
    raw.connect();
    await connected;
    return new ZkClient(raw);
  }

  get sessionId(): number {
    return long(this.raw.getSessionId());
  }

  close(): void {
    this.raw.close();
  }

  create(
    path: string,
    data?: Buffer,
    mode = 0,
    acls: unknown[] = zookeeper.ACL.OPEN_ACL_UNSAFE,
  ): Promise<string> {
    return call<[string]>((cb) => this.raw.create(path, data, acls, mode, cb)).then(([p]) => p);
  }
  remove(path: string, version = -1): Promise<void> {
    return call<[]>((cb) => this.raw.remove(path, version, cb)).then(() => undefined);
  }
  exists(path: string, watcher?: Watcher): Promise<ClientStat | null> {
    return call<[ClientStat | null]>((cb) => this.raw.exists(path, watcher, cb)).then(([s]) => s);
  }
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: ClientStat }> {
    return call<[Buffer | null, ClientStat]>((cb) => this.raw.getData(path, watcher, cb)).then(
      ([data, stat]) => ({
        data,
        stat,
      }),
    );
  }
  setData(path: string, data: Buffer | null, version = -1): Promise<ClientStat> {
    return call<[ClientStat]>((cb) => this.raw.setData(path, data, version, cb)).then(([s]) => s);
  }
  getACL(path: string): Promise<{ acls: ClientACL[]; stat: ClientStat }> {
    return call<[ClientACL[], ClientStat]>((cb) => this.raw.getACL(path, cb)).then(([acls, stat]) => ({
      acls,
      stat,
    }));
  }
  setACL(path: string, acls: unknown[], version = -1): Promise<ClientStat> {
    return call<[ClientStat]>((cb) => this.raw.setACL(path, acls, version, cb)).then(([s]) => s);
  }
  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: ClientStat }> {
    return call<[string[], ClientStat]>((cb) => this.raw.getChildren(path, watcher, cb)).then(
      ([children, stat]) => ({ children, stat }),
    );
  }
  mkdirp(path: string): Promise<string> {
    return call<[string]>((cb) => this.raw.mkdirp(path, cb)).then(([p]) => p);
  }
  commit(tx: Transaction): Promise<{ type: number; path?: string; stat?: ClientStat; err?: number }[]> {
    return call<[{ type: number; path?: string; stat?: ClientStat; err?: number }[]]>((cb) =>
      tx.commit(cb),
    ).then(([r]) => r);
  }
}

/** Resolves with the error a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<ZkClientError> {
  try {
    await p;
  } catch (error) {
    return error as ZkClientError;
  }
  throw new Error("expected the call to fail");
}
