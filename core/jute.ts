/**
 * Jute's binary encoding (ZooKeeper's BinaryOutputArchive / BinaryInputArchive): big-endian int and long,
 * boolean as one byte, buffer as an int length and the bytes (-1 for null), ustring as a UTF-8 buffer,
 * vector as an int count (-1 for null) and the items. Shared by the txn log, snapshots and the
 * ZooKeeper wire protocol.
 *
 * The reader never throws on bad input: the first short or malformed read records a MarshallingError,
 * moves to the end and returns zero values from then on, so a decoder reads straight through and checks
 * `error` once (and wherever a bad value could make it loop).
 */
import { bytesToBinary, writeBinary } from "./binary-string.ts";
import { type ZkError, zkError } from "./errors.ts";

const TWO_32 = 0x1_0000_0000;
const utf8Encoder = new TextEncoder();
// Java's new String(bytes, UTF_8) replaces malformed sequences rather than failing; so does this
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
/** below this, strings are decoded by hand: TextDecoder's per-call cost outweighs its speed */
const SHORT_STRING = 32;

export class JuteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(capacity = 1024) {
    this.#buf = new Uint8Array(Math.max(capacity, 16));
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  /** What has been written: a view that the next write may invalidate. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let capacity = this.#buf.length * 2;
    while (capacity < need) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  writeByte(value: number): void {
    this.reserve(1);
    this.#buf[this.#pos++] = value;
  }

  writeBool(value: boolean): void {
    this.writeByte(value ? 1 : 0);
  }

  writeInt(value: number): void {
    this.reserve(4);
    this.#view.setInt32(this.#pos, value);
    this.#pos += 4;
  }

  /** Overwrites the int at `offset`, e.g. a length prefix once the length is known. */
  writeIntAt(offset: number, value: number): void {
    this.#view.setInt32(offset, value);
  }

  /** A long from a safe integer (negative ones in two's complement). */
  writeLong(value: number): void {
    this.reserve(8);
    const high = Math.floor(value / TWO_32);
    this.#view.setInt32(this.#pos, high);
    this.#view.setUint32(this.#pos + 4, value - high * TWO_32);
    this.#pos += 8;
  }

  /** A long from a bigint, taken modulo 2^64. */
  writeBigLong(value: bigint): void {
    this.reserve(8);
    this.#view.setBigInt64(this.#pos, BigInt.asIntN(64, value));
    this.#pos += 8;
  }

  writeDouble(value: number): void {
    this.reserve(8);
    this.#view.setFloat64(this.#pos, value);
    this.#pos += 8;
  }

  writeBuffer(bytes: Uint8Array | null): void {
    if (bytes === null) {
      this.writeInt(-1);
      return;
    }
    this.reserve(4 + bytes.length);
    this.#view.setInt32(this.#pos, bytes.length);
    this.#buf.set(bytes, this.#pos + 4);
    this.#pos += 4 + bytes.length;
  }

  /** A buffer whose bytes are the char codes of a one-byte string (see binary-string.ts). */
  writeBinaryString(s: string): void {
    const n = s.length;
    this.reserve(4 + n);
    this.#view.setInt32(this.#pos, n);
    writeBinary(s, this.#buf, this.#pos + 4);
    this.#pos += 4 + n;
  }

  writeString(s: string | null): void {
    if (s === null) {
      this.writeInt(-1);
      return;
    }
    const n = s.length;
    this.reserve(4 + n);
    const at = this.#pos + 4;
    const buf = this.#buf;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    let length = i;
    if (i < n) {
      // a UTF-16 unit takes at most 3 UTF-8 bytes; growing may move the buffer, so encode it all again
      this.reserve(4 + n * 3);
      length = utf8Encoder.encodeInto(s, this.#buf.subarray(at)).written;
    }
    this.#view.setInt32(this.#pos, length);
    this.#pos = at + length;
  }

  writeVector<T>(items: readonly T[] | null, write: (writer: JuteWriter, item: T) => void): void {
    if (items === null) {
      this.writeInt(-1);
      return;
    }
    this.writeInt(items.length);
    for (const item of items) write(this, item);
  }
}

export class JuteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;
  #pos = 0;
  #error: ZkError | undefined;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#end = bytes.length;
  }

  /** the first failure, if any */
  get error(): ZkError | undefined {
    return this.#error;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** Records a failure (the first one wins) and stops all further reads. */
  fail(message: string): void {
    this.#error ??= zkError("MarshallingError", `${message} (at byte ${this.#pos})`);
    this.#pos = this.#end;
  }

  /** Fails unless every byte has been read. */
  expectEnd(): void {
    if (this.#pos !== this.#end) this.fail(`${this.#end - this.#pos} unexpected trailing bytes`);
  }

  #need(n: number): boolean {
    if (this.#pos + n <= this.#end) return true;
    if (this.#error === undefined) this.fail(`truncated: ${n} bytes needed, ${this.#end - this.#pos} left`);
    return false;
  }

  readByte(): number {
    if (!this.#need(1)) return 0;
    return this.#bytes[this.#pos++]!;
  }

  readBool(): boolean {
    return this.readByte() !== 0;
  }

  readInt(): number {
    if (!this.#need(4)) return 0;
    const value = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    return value;
  }

  /** A long that must be a safe integer (|value| < 2^53), as nzk's zxids, times and session ids are. */
  readLong(): number {
    if (!this.#need(8)) return 0;
    const high = this.#view.getInt32(this.#pos);
    const value = high * TWO_32 + this.#view.getUint32(this.#pos + 4);
    if (!Number.isSafeInteger(value)) {
      this.fail("long outside the safe integer range");
      return 0;
    }
    this.#pos += 8;
    return value;
  }

  readBigLong(): bigint {
    if (!this.#need(8)) return 0n;
    const value = this.#view.getBigInt64(this.#pos);
    this.#pos += 8;
    return value;
  }

  readDouble(): number {
    if (!this.#need(8)) return 0;
    const value = this.#view.getFloat64(this.#pos);
    this.#pos += 8;
    return value;
  }

  /** The length prefix of a buffer or string: -1 for null, else a length that fits what is left. */
  #length(): number {
    const length = this.readInt();
    if (length < -1) this.fail(`negative length ${length}`);
    else if (length > this.#end - this.#pos)
      this.fail(`truncated: length ${length}, ${this.#end - this.#pos} left`);
    else return length;
    return -1;
  }

  /** A buffer, copied so it does not hold on to the input. */
  readBuffer(): Uint8Array | null {
    const view = this.readBufferView();
    // new Uint8Array copies whatever the input is; Buffer#slice would share the socket's memory
    return view === null ? null : new Uint8Array(view);
  }

  /** A buffer as a view into the input, for callers that consume it at once. */
  readBufferView(): Uint8Array | null {
    const length = this.#length();
    if (length < 0) return null;
    const view = this.#bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return view;
  }

  /** A buffer as a one-byte string (see binary-string.ts); null reads as empty. */
  readBinaryString(): string {
    const view = this.readBufferView();
    return view === null ? "" : bytesToBinary(view);
  }

  readString(): string | null {
    const length = this.#length();
    if (length < 0) return null;
    const start = this.#pos;
    this.#pos += length;
    const bytes = this.#bytes;
    if (length <= SHORT_STRING) {
      let ascii = true;
      for (let i = start; i < start + length; i++) {
        if (bytes[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii)
        return String.fromCharCode.apply(null, bytes.subarray(start, start + length) as unknown as number[]);
    }
    return utf8Decoder.decode(bytes.subarray(start, start + length));
  }

  /**
   * A vector's count: -1 for null, else a count whose items (each at least minItemBytes long) could fit
   * in what is left, so a corrupt count cannot make the caller loop for long.
   */
  readVectorLength(minItemBytes = 1): number {
    const count = this.readInt();
    if (count < -1) this.fail(`negative vector length ${count}`);
    else if (count * minItemBytes > this.#end - this.#pos) this.fail(`truncated: vector of ${count} items`);
    else return count;
    return 0;
  }

  readVector<T>(read: (reader: JuteReader) => T, minItemBytes = 1): T[] | null {
    const count = this.readVectorLength(minItemBytes);
    if (count < 0) return null;
    const items: T[] = [];
    for (let i = 0; i < count && this.#error === undefined; i++) items.push(read(this));
    return items;
  }
}
