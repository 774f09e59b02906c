/**
 * The nzk client: ZooKeeper's operations over the HTTP API (shared/API.md), typed, throwing NzkError.
 * Made with `new NzkClient()` it acts without a session; `NzkClient.connect()` opens a session first,
 * keeps it alive and reports its ConnectionState, and every request then carries its token, as a
 * ZooKeeper handle does. Reads and idempotent writes are retried on ConnectionLoss and
 * OperationTimeout; a sequential create is not (a retry could make a second node, which is why the
 * recipes create protected nodes and look for them after a failure, as Curator does), and neither is
 * a versioned setData or delete (a retry of one that had been applied would report BadVersion or
 * NoNode for the caller's own success): those surface ConnectionLoss, the outcome unknown.
 */
import { type Data, toDataJson } from "./bytes.ts";
import { isNzkError, NzkError } from "./errors.ts";
import { type EventsOptions, eventStream } from "./events.ts";
import { Http, type HttpOptions, routeOf } from "./http.ts";
import { type ConnectionState, Session, type StateListener } from "./session.ts";
import type {
  Acl,
  Children,
  ChildrenWithData,
  CreateMode,
  InstanceInput,
  MultiOp,
  PathStat,
  ServiceInstance,
  SessionJson,
  Stat,
  WatchEvent,
  WatchType,
  Znode,
} from "./types.ts";

export interface ConnectOptions extends HttpOptions {
  /** asked for; the server clamps it to its bounds (default 4 s to 40 s) */
  readonly sessionTimeoutMs?: number;
}

export interface CreateOptions {
  readonly data?: Data;
  readonly mode?: CreateMode;
  readonly ttlMs?: number;
  readonly acl?: readonly Acl[];
  /** create missing parents as persistent nodes (one by one, as Curator does) */
  readonly parents?: boolean;
}

export interface ReadOptions {
  /** read after a sync: linearizable */
  readonly sync?: boolean;
  readonly encoding?: "base64";
  readonly signal?: AbortSignal;
}

export interface WatchOptions {
  readonly type?: WatchType;
  /** the mzxid (data, exists) or pzxid (children) last seen: an event after it fires at once */
  readonly zxid?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const query = (o: ReadOptions = {}) => ({
  sync: o.sync === true ? "true" : undefined,
  encoding: o.encoding,
});

export class NzkClient {
  readonly http: Http;
  readonly session: Session | undefined;

  constructor(options: HttpOptions = {}, session?: { http: Http; session: Session }) {
    this.http = session?.http ?? new Http(options);
    this.session = session?.session;
  }

  /** A client with a session, kept alive until close(). */
  static async connect(options: ConnectOptions = {}): Promise<NzkClient> {
    const http = new Http(options);
    const sentAt = Date.now();
    const { body } = await http.call<SessionJson>("POST", "/v1/sessions", {
      body: { timeoutMs: options.sessionTimeoutMs ?? 30_000 },
    });
    http.token = body.token;
    // A session's id is the zxid that created it: no member may answer for it before applying that.
    http.saw(body.sessionId);
    return new NzkClient(options, { http, session: new Session(http, body, sentAt) });
  }

  get url(): string {
    return this.http.url;
  }

  get sessionId(): string | undefined {
    return this.session?.sessionId;
  }

  get state(): ConnectionState | undefined {
    return this.session?.state;
  }

  onState(listener: StateListener): () => void {
    if (this.session === undefined) return () => {};
    return this.session.onState(listener);
  }

  /** Closes the session: its ephemerals are deleted at once. */
  async close(): Promise<void> {
    await this.session?.close();
  }

  async create(path: string, options: CreateOptions = {}): Promise<PathStat> {
    const mode = options.mode ?? "persistent";
    const attempt = () =>
      this.#call<PathStat>("POST", routeOf("/v1/znodes", path), {
        body: {
          ...toDataJson(options.data),
          mode,
          ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
          ...(options.acl === undefined ? {} : { acl: options.acl }),
        },
        retry: !mode.includes("sequential"),
      });
    if (options.parents !== true) return attempt();
    // Curator's creatingParentsIfNeeded: the node first, its ancestors only when it turns out to lack them
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isNzkError(err, "NoNode") || tries >= 3) throw err;
      }
      await this.#mkdirs(path.slice(0, path.lastIndexOf("/")));
    }
  }

  async #mkdirs(path: string): Promise<void> {
    let at = "";
    for (const name of path.split("/").slice(1)) {
      at += `/${name}`;
      try {
        await this.#call("POST", routeOf("/v1/znodes", at), { body: {} });
      } catch (err) {
        if (!isNzkError(err, "NodeExists")) throw err;
      }
    }
  }

  get(path: string, options: ReadOptions = {}): Promise<Znode> {
    return this.#call<Znode>("GET", routeOf("/v1/znodes", path), {
      query: query(options),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The Stat, or undefined when the node does not exist (ZooKeeper's exists). */
  async exists(path: string, options: ReadOptions = {}): Promise<Stat | undefined> {
    try {
      return (await this.#call<PathStat>("GET", routeOf("/v1/stat", path), { query: query(options) })).stat;
    } catch (err) {
      if (isNzkError(err, "NoNode")) return undefined;
      throw err;
    }
  }

  set(path: string, data: Data, version = -1): Promise<PathStat> {
    return this.#call<PathStat>("PUT", routeOf("/v1/znodes", path), {
      body: { ...toDataJson(data), version },
      // a retried versioned write that had in fact been applied would come back BadVersion
      retry: version < 0,
    });
  }

  async delete(path: string, options: { version?: number; recursive?: boolean } = {}): Promise<void> {
    await this.#call("DELETE", routeOf("/v1/znodes", path), {
      query: { version: options.version, recursive: options.recursive === true ? "true" : undefined },
      retry: (options.version ?? -1) < 0,
    });
  }

  children(path: string, options: ReadOptions & { limit?: number; after?: string } = {}): Promise<Children> {
    return this.#call<Children>("GET", routeOf("/v1/children", path), {
      query: { ...query(options), limit: options.limit, after: options.after },
    });
  }

  childrenWithData(path: string, options: ReadOptions = {}): Promise<ChildrenWithData> {
    return this.#call<ChildrenWithData>("GET", routeOf("/v1/children", path), {
      query: { ...query(options), data: "true" },
    });
  }

  /** Every descendant's path (ZooKeeper's getAllChildren via ZKUtil.listSubTreeBFS). */
  async descendants(path: string, options: ReadOptions = {}): Promise<readonly string[]> {
    const got = await this.#call<Children>("GET", routeOf("/v1/children", path), {
      query: { ...query(options), recursive: "true" },
    });
    return got.children;
  }

  getAcl(path: string): Promise<{ path: string; acl: readonly Acl[]; stat: Stat }> {
    return this.#call("GET", routeOf("/v1/acl", path));
  }

  setAcl(
    path: string,
    acl: readonly Acl[],
    version = -1,
  ): Promise<{ path: string; acl: readonly Acl[]; stat: Stat }> {
    return this.#call("PUT", routeOf("/v1/acl", path), { body: { acl, version } });
  }

  async multi(ops: readonly MultiOp[]): Promise<readonly unknown[]> {
    const hasSequential = ops.some((o) => o.op === "create" && o.mode?.includes("sequential"));
    const got = await this.#call<{ results: unknown[] }>("POST", "/v1/multi", {
      body: { ops },
      retry: !hasSequential,
    });
    return got.results;
  }

  /** ZooKeeper's sync: the zxid every later read of this client reflects at least. */
  async sync(path = "/"): Promise<string> {
    return (await this.#call<{ zxid: string }>("POST", routeOf("/v1/sync", path))).zxid;
  }

  /**
   * A one-shot watch (long poll): the first event of the type after `zxid`, at once if it already
   * happened; undefined when `timeoutMs` passes first.
   */
  async watch(path: string, options: WatchOptions = {}): Promise<WatchEvent | undefined> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const got = await this.#call<WatchEvent | undefined>("GET", routeOf("/v1/watch", path), {
      query: { type: options.type ?? "data", zxid: options.zxid, timeoutMs },
      timeoutMs: timeoutMs + 15_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return got;
  }

  /** The path's events (its subtree's when recursive), resumed across disconnects, until aborted. */
  events(path: string, options: EventsOptions = {}): AsyncGenerator<WatchEvent> {
    return eventStream(this.http, path, options);
  }

  async addAuth(scheme: string, credentials: string): Promise<void> {
    const id = this.#needSession("addAuth");
    await this.#call("POST", `/v1/sessions/${id}/auth`, { body: { scheme, credentials } });
  }

  async sessionInfo(): Promise<{ sessionId: string; timeoutMs: number; ephemerals: readonly string[] }> {
    return this.#call("GET", `/v1/sessions/${this.#needSession("sessionInfo")}`);
  }

  status(): Promise<Record<string, unknown>> {
    return this.#call("GET", "/v1/status");
  }

  /** A ZooKeeper AdminServer command (ruok, srvr, mntr, …) as JSON. */
  command(name: string): Promise<Record<string, unknown>> {
    return this.#call("GET", `/commands/${encodeURIComponent(name)}`);
  }

  /** Registers an instance under this client's session (its znode is ephemeral). */
  registerService(name: string, id: string, instance: InstanceInput): Promise<ServiceInstance> {
    this.#needSession("registerService");
    return this.#call("PUT", `/v1/services/${encodeURIComponent(name)}/${encodeURIComponent(id)}`, {
      body: instance,
    });
  }

  async deregisterService(name: string, id: string): Promise<void> {
    await this.#call("DELETE", `/v1/services/${encodeURIComponent(name)}/${encodeURIComponent(id)}`);
  }

  async serviceNames(): Promise<readonly string[]> {
    return (await this.#call<{ services: string[] }>("GET", "/v1/services")).services;
  }

  async serviceInstances(name: string): Promise<readonly ServiceInstance[]> {
    const got = await this.#call<{ instances: ServiceInstance[] }>(
      "GET",
      `/v1/services/${encodeURIComponent(name)}`,
    );
    return got.instances;
  }

  #needSession(what: string): string {
    if (this.session === undefined)
      throw new NzkError(
        { code: "BadArguments", zkCode: -8, message: `${what} needs a session (NzkClient.connect)` },
        0,
      );
    return this.session.sessionId;
  }

  async #call<T>(method: string, route: string, options: Parameters<Http["call"]>[2] = {}): Promise<T> {
    try {
      return (await this.http.call<T>(method, route, options)).body;
    } catch (err) {
      if (isNzkError(err, "SessionExpired")) this.session?.expired();
      throw err;
    }
  }
}
