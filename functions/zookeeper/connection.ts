/**
 * One client connection, as NIOServerCnxn and FinalRequestProcessor treat it: the handshake (a new
 * session through the log, or a session taken over with its id and password), then requests answered
 * strictly in order. Reads run against the tree once every earlier request of the connection is done, so
 * they see its writes; consecutive writes are pipelined to the leader. Notifications go out as they
 * happen. Backpressure: the connection stops reading while too many requests are outstanding or its
 * output is backed up, and is closed if notifications alone fill its output past the limit.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { authenticate, ipIdentity } from "../../core/auth.ts";
import { ErrCode, isZkError } from "../../core/errors.ts";
import type { Caller, EventType, Id } from "../../core/records.ts";
import { type ConnectRequest, decodeConnectRequest, encodeConnectResponse } from "../../core/wire/connect.ts";
import { FrameDecoder } from "../../core/wire/frame.ts";
import { EventTypeCode, Xid } from "../../core/wire/opcodes.ts";
import { type ClientRequest, decodeRequest } from "../../core/wire/requests.ts";
import { encodeNotification, encodeReply } from "../../core/wire/responses.ts";
import type { ZkBackend } from "./backend.ts";
import { type HandlerContext, isWriteLike, read, write } from "./handlers.ts";
import type { Watches } from "./watches.ts";

export interface Limits {
  readonly maxFrameBytes: number;
  /** stop reading requests while this much output waits for the client */
  readonly highWaterBytes: number;
  /** close the connection when its unsent output passes this */
  readonly maxOutputBytes: number;
  /** stop reading requests while this many are unanswered */
  readonly maxOutstanding: number;
  /** how long a reconnecting client may wait for this member to apply what it has seen */
  readonly catchUpMs: number;
}

/** What a connection needs from the listener that accepted it. */
export interface ConnectionHost {
  readonly backend: ZkBackend;
  readonly watches: Watches<Connection>;
  readonly limits: Limits;
  /** a four-letter word's answer */
  fourLetter(word: number): string | undefined;
  /** the connection now speaks for a session; other connections of the session here are dropped */
  established(conn: Connection): void;
  closed(conn: Connection): void;
  /** a request answered, for the server's statistics */
  answered(latencyMs: number): void;
}

interface Slot {
  readonly writeLike: boolean;
  readonly at: number;
  readonly run: () => Uint8Array | Promise<Uint8Array | undefined>;
  started: boolean;
  done: boolean;
  reply: Uint8Array | undefined;
  /** close once this reply is out (closeSession, failed auth) */
  closeAfter: boolean;
}

const EMPTY_PASSWORD = new Uint8Array(16);

export class Connection {
  readonly socket: Socket;
  readonly remote: string;
  readonly openedAt = performance.now();
  state: "new" | "connecting" | "open" | "closed" = "new";
  sessionId = 0;
  timeoutMs = 0;
  received = 0;
  sent = 0;
  readonly #host: ConnectionHost;
  readonly #decoder: FrameDecoder;
  readonly #auth: Id[];
  readonly #slots: Slot[] = [];
  #paused = false;
  #corked = false;
  #closingSession = false;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.#host = host;
    this.remote = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`;
    this.#decoder = new FrameDecoder(host.limits.maxFrameBytes);
    // every connection carries its address as an "ip" identity, as NIOServerCnxn adds it
    this.#auth = socket.remoteAddress === undefined ? [] : [ipIdentity(socket.remoteAddress)];
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => this.#flow());
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.destroy());
  }

  get caller(): Caller {
    return { sessionId: this.sessionId, auth: [...this.#auth] };
  }

  /** a getter, so that checks after an await are not narrowed away */
  get closed(): boolean {
    return this.state === "closed";
  }

  get outstanding(): number {
    return this.#slots.length;
  }

  /** Ends the connection at once, unsent output dropped. */
  destroy(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#slots.length = 0;
    this.socket.destroy();
    this.#host.closed(this);
  }

  /** Ends the connection once what is queued for the socket is sent. */
  end(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#slots.length = 0;
    this.socket.end();
    this.#host.closed(this);
  }

  /** The session ended in the log (expired or closed elsewhere): ZooKeeper drops its connection. */
  sessionEnded(): void {
    if (!this.#closingSession) this.end();
  }

  /** A watch fired; sent at once, not in request order, as ZooKeeper sends notifications. */
  notify(type: EventType, path: string, zxid: number): void {
    if (this.state !== "open") return;
    this.#send(encodeNotification(zxid, EventTypeCode[type], path));
    if (this.socket.writableLength > this.#host.limits.maxOutputBytes) this.destroy();
  }

  /** Frames sent in one turn of the event loop (a group commit's replies, a burst of reads) share a syscall. */
  #send(frame: Uint8Array): void {
    this.sent++;
    if (!this.#corked) {
      this.#corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  #onData(chunk: Buffer): void {
    if (this.state === "closed") return;
    // a plain Uint8Array view: Buffer's slice() does not copy, and a Buffer handed on as znode data
    // would reach the member's JSON wire as Buffer.toJSON's {type, data} instead of bytes
    this.#decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#guarded(() => this.#process());
  }

  /** Whatever a client sends, a fault in handling it ends that connection, never the member. */
  #guarded(step: () => void): void {
    try {
      step();
    } catch (err) {
      console.error(`zookeeper port: closing ${this.remote} after a fault`, err);
      this.destroy();
    }
  }

  #process(): void {
    if (this.state === "new") this.#first();
    if (this.state === "open") {
      while (!this.#blocked()) {
        const frame = this.#decoder.next();
        if (frame === undefined) break;
        this.#onRequest(frame);
      }
    }
    if (this.#decoder.error !== undefined) {
      this.destroy();
      return;
    }
    this.#flow();
  }

  #blocked(): boolean {
    const { limits } = this.#host;
    return (
      this.state !== "open" ||
      this.#slots.length >= limits.maxOutstanding ||
      this.socket.writableLength > limits.highWaterBytes
    );
  }

  /** Pauses the socket while requests must wait, resumes (and takes buffered frames) once they may go on. */
  #flow(): void {
    if (this.state === "closed") return;
    const blocked = this.state === "connecting" || (this.state === "open" && this.#blocked());
    if (blocked && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    } else if (!blocked && this.#paused) {
      this.#paused = false;
      this.socket.resume();
      if (this.#decoder.buffered > 0) queueMicrotask(() => this.#guarded(() => this.#process()));
    }
  }

  /** The first frame: a four-letter word, or the ConnectRequest. */
  #first(): void {
    const word = this.#decoder.peekInt();
    if (word === undefined) return;
    const answer = this.#host.fourLetter(word);
    if (answer !== undefined) {
      this.socket.write(answer);
      this.end();
      return;
    }
    const frame = this.#decoder.next();
    if (frame === undefined) return;
    const req = decodeConnectRequest(frame);
    if (isZkError(req)) {
      this.destroy();
      return;
    }
    this.state = "connecting";
    void this.#handshake(req).catch(() => this.destroy());
  }

  async #handshake(req: ConnectRequest): Promise<void> {
    const { backend } = this.#host;
    // ZooKeeper closes a connection it cannot serve ("ZooKeeperServer not running"); the client tries
    // the next server of its connect string.
    if (backend.unavailable() !== undefined) return this.destroy();
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = backend.info;
    const timeout = Math.min(Math.max(req.timeout, minSessionTimeoutMs), maxSessionTimeoutMs);
    const lastSeen = req.lastZxidSeen;
    if (lastSeen > BigInt(Number.MAX_SAFE_INTEGER)) return this.destroy();
    // ZooKeeper refuses a client that has seen more than this server; nzk first waits a little for it
    if (!(await backend.waitZxid(Number(lastSeen), this.#host.limits.catchUpMs))) return this.destroy();
    if (this.closed) return;
    if (req.sessionId === 0n) {
      const password = new Uint8Array(randomBytes(16));
      const out = await backend.write({ sessionId: 0, auth: [] }, { op: "createSession", timeout, password });
      if (isZkError(out) || out.applied.result.type !== "createSession") return this.destroy();
      this.#open(req, out.applied.result.sessionId, out.applied.result.timeout, password);
      return;
    }
    const sessionId = req.sessionId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(req.sessionId) : -1;
    // the session id is the zxid that created it: once applied here, the session is known or gone
    if (sessionId > 0) await backend.waitZxid(sessionId, this.#host.limits.catchUpMs);
    const session = sessionId > 0 ? backend.tree().session(sessionId) : undefined;
    let valid = session !== undefined && sameBytes(session.password, req.password);
    if (valid) {
      const known = await backend.touch(sessionId);
      if (isZkError(known)) return this.destroy();
      valid = known;
    }
    if (this.closed) return;
    if (valid && session !== undefined) {
      this.#open(req, sessionId, session.timeout, session.password);
      return;
    }
    this.socket.write(
      encodeConnectResponse(
        { timeout: 0, sessionId: 0, password: EMPTY_PASSWORD, readOnly: false },
        req.withReadOnly,
      ),
    );
    this.end();
  }

  #open(req: ConnectRequest, sessionId: number, timeout: number, password: Uint8Array): void {
    if (this.state === "closed") return;
    this.sessionId = sessionId;
    this.timeoutMs = timeout;
    this.socket.write(
      encodeConnectResponse({ timeout, sessionId, password, readOnly: false }, req.withReadOnly),
    );
    this.state = "open";
    this.#host.established(this);
    this.#process();
  }

  #onRequest(frame: Uint8Array): void {
    this.received++;
    const decoded = decodeRequest(frame);
    if (isZkError(decoded)) {
      this.destroy();
      return;
    }
    const { xid, request } = decoded;
    // Between losing contact and the member's next check, which closes every connection.
    if (this.#host.backend.unavailable() !== undefined) {
      this.destroy();
      return;
    }
    this.#host.backend.touched(this.sessionId);
    this.#enqueue(this.#slot(xid, request));
  }

  #slot(xid: number, req: ClientRequest): Slot {
    const { backend, watches } = this.#host;
    const base = { at: performance.now(), started: false, done: false, reply: undefined, closeAfter: false };
    const context = (): HandlerContext<Connection> => ({
      backend,
      watches,
      watcher: this,
      caller: this.caller,
    });
    switch (req.type) {
      case "ping":
        return { ...base, writeLike: false, run: () => encodeReply(Xid.ping, backend.lastZxid, 0) };
      case "auth": {
        const slot: Slot = {
          ...base,
          writeLike: false,
          run: () => {
            const ids = authenticate(req.scheme, req.auth, {
              ...(backend.info.superDigest === undefined ? {} : { superDigest: backend.info.superDigest }),
              ...(this.socket.remoteAddress === undefined
                ? {}
                : { remoteAddress: this.socket.remoteAddress }),
            });
            if (isZkError(ids)) {
              // ZooKeeper answers AuthFailed and closes the connection
              slot.closeAfter = true;
              return encodeReply(xid, 0, ErrCode.AuthFailed);
            }
            for (const id of ids) {
              if (!this.#auth.some((a) => a.scheme === id.scheme && a.id === id.id)) this.#auth.push(id);
            }
            return encodeReply(xid, 0, 0);
          },
        };
        return slot;
      }
      case "closeSession":
        return {
          ...base,
          writeLike: true,
          closeAfter: true,
          run: async () => {
            this.#closingSession = true;
            const out = await backend.write(this.caller, { op: "closeSession" });
            if (isZkError(out))
              return out.code === "ConnectionLoss"
                ? undefined
                : encodeReply(xid, backend.lastZxid, out.zkCode);
            return encodeReply(xid, backend.lastZxid, out.error?.zkCode ?? 0);
          },
        };
      default:
        if (isWriteLike(req)) return { ...base, writeLike: true, run: () => write(context(), xid, req) };
        return {
          ...base,
          writeLike: false,
          run: () =>
            read(context(), xid, req, (fired, zxid) => fired.watcher.notify(fired.type, fired.path, zxid)),
        };
    }
  }

  #enqueue(slot: Slot): void {
    this.#slots.push(slot);
    this.#pump();
  }

  /**
   * Starts what may start and sends what is done, in order: a read waits for every earlier request;
   * a write waits only for earlier reads, so writes pipeline but never overtake a read before them.
   */
  #pump(): void {
    let unfinished = false;
    let readWaiting = false;
    for (const slot of this.#slots) {
      if (!slot.started) {
        if (!slot.writeLike && !unfinished) this.#runRead(slot);
        else if (slot.writeLike && !readWaiting) this.#runWrite(slot);
        else if (!slot.writeLike) readWaiting = true;
      }
      if (!slot.done) unfinished = true;
      if (readWaiting) break;
    }
    while (this.state === "open" && this.#slots[0]?.done) {
      const slot = this.#slots.shift()!;
      if (slot.reply !== undefined) this.#send(slot.reply);
      this.#host.answered(performance.now() - slot.at);
      if (slot.closeAfter) {
        this.end();
        return;
      }
    }
    this.#flow();
  }

  #runRead(slot: Slot): void {
    slot.started = true;
    slot.reply = slot.run() as Uint8Array;
    slot.done = true;
  }

  #runWrite(slot: Slot): void {
    slot.started = true;
    const finish = (reply: Uint8Array | undefined): void => {
      if (this.state === "closed") return;
      // no answer means the outcome is unknown: drop the connection, as a ZooKeeper server that lost its leader
      if (reply === undefined) {
        this.destroy();
        return;
      }
      slot.reply = reply;
      slot.done = true;
      this.#guarded(() => this.#pump());
    };
    Promise.resolve(slot.run()).then(finish, () => finish(undefined));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
