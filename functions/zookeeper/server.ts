/**
 * The ZooKeeper port of a member (NIOServerCnxnFactory's part): accepts connections, keeps the
 * member's watches, fires them from every committed change in zxid order, and drops the connections of
 * a session once the log says it ended. No timer per connection: one sweep closes connections that
 * never finished their handshake, and idle sessions expire through the member's session buckets. When
 * the member stops serving (it lost contact with its leader), every connection is closed, as a
 * ZooKeeper server closes its clients' when it leaves FOLLOWING: they reconnect to another member with
 * their sessions, and this one accepts handshakes again once it serves.
 */
import { createServer, type Server } from "node:net";
import { checkACL } from "../../core/acl.ts";
import { type Applied, Perms } from "../../core/records.ts";
import { FRAME_SLACK } from "../../core/wire/frame.ts";
import type { ZkBackend } from "./backend.ts";
import { Connection, type ConnectionHost, type Limits } from "./connection.ts";
import { fourLetterAnswer, type PortStats } from "./four-letter.ts";
import { Watches } from "./watches.ts";

export interface ZkServerOptions {
  readonly host?: string;
  /** 0 picks a free port */
  readonly port?: number;
  readonly limits?: Partial<Limits>;
  /** a connection that has not sent its ConnectRequest by then is closed */
  readonly handshakeTimeoutMs?: number;
}

export class ZkServer implements ConnectionHost, AsyncDisposable {
  readonly backend: ZkBackend;
  readonly watches = new Watches<Connection>();
  readonly limits: Limits;
  readonly host: string;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #sessions = new Map<number, Set<Connection>>();
  readonly #unsubscribe: () => void;
  readonly #unsubscribeServing: () => void;
  readonly #sweep: NodeJS.Timeout;
  #received = 0;
  #sent = 0;
  #latency = { min: Number.POSITIVE_INFINITY, max: 0, total: 0, count: 0 };

  private constructor(backend: ZkBackend, server: Server, options: ZkServerOptions) {
    this.backend = backend;
    this.#server = server;
    this.host = options.host ?? "127.0.0.1";
    this.limits = {
      maxFrameBytes: backend.info.maxDataBytes + FRAME_SLACK,
      highWaterBytes: 1024 * 1024,
      maxOutputBytes: 32 * 1024 * 1024,
      maxOutstanding: 1000,
      catchUpMs: 2000,
      ...options.limits,
    };
    this.#unsubscribe = backend.onApplied((applied) => {
      // this runs inside the member's apply loop: a fault of the port must never reach the replica
      try {
        this.#onApplied(applied);
      } catch (err) {
        console.error("zookeeper port: delivering watch events failed", err);
      }
    });
    this.#unsubscribeServing = backend.onServingChange((serving) => {
      if (!serving) for (const conn of [...this.#connections]) conn.destroy();
    });
    const handshakeMs = options.handshakeTimeoutMs ?? 10_000;
    this.#sweep = setInterval(() => this.#sweepHandshakes(handshakeMs), Math.max(100, handshakeMs / 2));
    this.#sweep.unref();
  }

  /** Listens on host:port; resolves once listening. */
  static async listen(backend: ZkBackend, options: ZkServerOptions = {}): Promise<ZkServer> {
    const server = createServer({ noDelay: true });
    const zk = new ZkServer(backend, server, options);
    server.on("connection", (socket) => zk.#connections.add(new Connection(socket, zk)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 2181, zk.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return zk;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  fourLetter(word: number): string | undefined {
    return fourLetterAnswer(word, this.backend, () => this.stats());
  }

  established(conn: Connection): void {
    let conns = this.#sessions.get(conn.sessionId);
    if (conns === undefined) {
      conns = new Set();
      this.#sessions.set(conn.sessionId, conns);
    }
    // a client that reconnects replaces its old connection (CLIENT_RECONNECT)
    for (const old of conns) old.destroy();
    conns.add(conn);
  }

  closed(conn: Connection): void {
    this.#connections.delete(conn);
    this.watches.removeWatcher(conn);
    this.#received += conn.received;
    this.#sent += conn.sent;
    const conns = this.#sessions.get(conn.sessionId);
    conns?.delete(conn);
    if (conns?.size === 0) this.#sessions.delete(conn.sessionId);
  }

  answered(latencyMs: number): void {
    const l = this.#latency;
    l.min = Math.min(l.min, latencyMs);
    l.max = Math.max(l.max, latencyMs);
    l.total += latencyMs;
    l.count++;
  }

  stats(): PortStats {
    const conns = [...this.#connections].filter((c) => c.state === "open");
    const l = this.#latency;
    return {
      port: this.port,
      host: this.host,
      connections: conns.map((c) => ({
        remote: c.remote,
        sessionId: c.sessionId,
        timeoutMs: c.timeoutMs,
        outstanding: c.outstanding,
        received: c.received,
        sent: c.sent,
      })),
      received: this.#received + conns.reduce((n, c) => n + c.received, 0),
      sent: this.#sent + conns.reduce((n, c) => n + c.sent, 0),
      outstanding: conns.reduce((n, c) => n + c.outstanding, 0),
      latency: { min: l.count === 0 ? 0 : l.min, avg: l.count === 0 ? 0 : l.total / l.count, max: l.max },
      watches: {
        connections: new Set([...this.watches.data.watchers(), ...this.watches.child.watchers()]).size,
        paths: this.watches.data.pathCount + this.watches.child.pathCount,
        total: this.watches.data.watchCount + this.watches.child.watchCount,
      },
      watched: [...this.watches.data.pairs(), ...this.watches.child.pairs()].map(({ watcher, path }) => ({
        sessionId: watcher.sessionId,
        path,
      })),
    };
  }

  /** Every change fires its watches; an ended session loses its connections. */
  #onApplied(applied: Applied): void {
    const tree = this.backend.tree();
    for (const event of applied.events) {
      const acl = event.type === "NodeDeleted" ? undefined : tree.acl(event.path);
      for (const fired of this.watches.fire(event.type, event.path)) {
        // ServerCnxn.process(event, acl): a watcher that may no longer read the node is not told
        if (acl !== undefined && !checkACL(acl, Perms.READ, fired.watcher.caller)) continue;
        fired.watcher.notify(fired.type, fired.path, event.zxid);
      }
    }
    const r = applied.result;
    if (r.type === "closeSession") {
      for (const conn of this.#sessions.get(r.sessionId) ?? []) conn.sessionEnded();
    }
  }

  #sweepHandshakes(timeoutMs: number): void {
    const now = performance.now();
    for (const conn of this.#connections) {
      if (conn.state === "new" && now - conn.openedAt > timeoutMs) conn.destroy();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#unsubscribe();
    this.#unsubscribeServing();
    for (const conn of [...this.#connections]) conn.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
