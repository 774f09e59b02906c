/**
 * A bare-bones ZooKeeper 3.9 client for the opcodes node-zookeeper-client does not send (create2,
 * createTTL, createContainer, getAllChildrenNumber, getEphemerals, multiRead, addWatch, checkWatches,
 * removeWatches, whoAmI, setWatches2, sync, closeSession). Requests are written field by field from
 * zookeeper.jute here, not with nzk's own encoders, so a test checks the server against the schema.
 */
import { connect, type Socket } from "node:net";
import { JuteReader, JuteWriter } from "../../core/jute.ts";

export interface Reply {
  readonly xid: number;
  readonly zxid: number;
  readonly err: number;
  /** the body, to read with a JuteReader */
  readonly body: JuteReader;
}

export interface Notification {
  readonly type: number;
  readonly state: number;
  readonly path: string;
  readonly zxid: number;
}

export class RawClient {
  readonly socket: Socket;
  readonly notifications: Notification[] = [];
  sessionId = 0;
  password: Uint8Array = new Uint8Array(0);
  timeout = 0;
  #buffer = Buffer.alloc(0);
  #frames: Uint8Array[] = [];
  #waiters: (() => void)[] = [];
  #xid = 1;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 4) {
        const n = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < 4 + n) break;
        this.#frames.push(new Uint8Array(this.#buffer.subarray(4, 4 + n)));
        this.#buffer = this.#buffer.subarray(4 + n);
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new RawClient(socket);
  }

  /** Opens a connection and runs the handshake; sessionId 0 asks for a new session. */
  static async session(
    port: number,
    options: { sessionId?: number; password?: Uint8Array; lastZxid?: number; timeout?: number } = {},
  ): Promise<RawClient> {
    const c = await RawClient.open(port);
    const w = new JuteWriter();
    w.writeInt(0);
    w.writeInt(0);
    w.writeLong(options.lastZxid ?? 0);
    w.writeInt(options.timeout ?? 10_000);
    w.writeLong(options.sessionId ?? 0);
    w.writeBuffer(options.password ?? new Uint8Array(16));
    w.writeBool(false);
    w.writeIntAt(0, w.length - 4);
    c.socket.write(w.bytes().slice());
    const frame = await c.#nextFrame();
    if (frame === undefined) throw new Error("closed during the handshake");
    const r = new JuteReader(frame);
    r.readInt();
    c.timeout = r.readInt();
    c.sessionId = r.readLong();
    c.password = r.readBuffer() ?? new Uint8Array(0);
    return c;
  }

  async #nextFrame(): Promise<Uint8Array | undefined> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return frame;
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends one request (the header and the body the callback writes); resolves with its reply. */
  async request(opcode: number, body: (w: JuteWriter) => void = () => {}, xid = this.#xid++): Promise<Reply> {
    this.send(opcode, body, xid);
    return this.reply(xid);
  }

  send(opcode: number, body: (w: JuteWriter) => void = () => {}, xid = this.#xid++): number {
    const w = new JuteWriter();
    w.writeInt(0);
    w.writeInt(xid);
    w.writeInt(opcode);
    body(w);
    w.writeIntAt(0, w.length - 4);
    this.socket.write(w.bytes().slice());
    return xid;
  }

  /** The next reply; notifications met on the way are kept in `notifications`. */
  async reply(xid?: number): Promise<Reply> {
    for (;;) {
      const frame = await this.#nextFrame();
      if (frame === undefined) throw new Error("connection closed");
      const r = new JuteReader(frame);
      const got = { xid: r.readInt(), zxid: r.readLong(), err: r.readInt(), body: r };
      if (got.xid === -1) {
        this.notifications.push({
          type: r.readInt(),
          state: r.readInt(),
          path: r.readString() ?? "",
          zxid: got.zxid,
        });
        this.#wake();
        continue;
      }
      if (xid !== undefined && got.xid !== xid) throw new Error(`reply ${got.xid} came before ${xid}`);
      return got;
    }
  }

  /** Waits until a notification matches (reading replies meanwhile is the caller's business). */
  async notification(match: (n: Notification) => boolean): Promise<Notification> {
    for (;;) {
      const hit = this.notifications.find(match);
      if (hit !== undefined) return hit;
      const frame = await this.#nextFrame();
      if (frame === undefined) throw new Error("connection closed");
      const r = new JuteReader(frame);
      const xid = r.readInt();
      const zxid = r.readLong();
      r.readInt();
      if (xid === -1)
        this.notifications.push({ type: r.readInt(), state: r.readInt(), path: r.readString() ?? "", zxid });
    }
  }

  /** Resolves once the server has closed the connection. */
  async ended(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

export const writeOpenAcl = (w: JuteWriter): void => {
  w.writeInt(1);
  w.writeInt(31);
  w.writeString("world");
  w.writeString("anyone");
};

export function readStat(r: JuteReader) {
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLong(),
    mtime: r.readLong(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readBigLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}
