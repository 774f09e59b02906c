/**
 * The client protocol's framing: every packet is a 4-byte big-endian length and that many bytes of
 * jute. The decoder takes the stream in whatever chunks the socket delivers and hands out whole
 * frames; a negative length or one above the limit is an error after which it yields nothing more,
 * so the caller closes that one connection with nothing applied (NIOServerCnxn.readLength).
 */
import { type ZkError, zkError } from "../errors.ts";

/** BinaryInputArchive's default zookeeper.jute.maxbuffer.extrasize: room for a request's fields around the largest data */
export const FRAME_SLACK = 1024;

export class FrameDecoder {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #error: ZkError | undefined;

  constructor(maxFrameBytes: number) {
    this.#max = maxFrameBytes;
  }

  get buffered(): number {
    return this.#buffered;
  }

  get error(): ZkError | undefined {
    return this.#error;
  }

  push(chunk: Uint8Array): void {
    if (this.#error !== undefined || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /** The first four bytes as an int, unconsumed: how a four-letter word is told from a length. */
  peekInt(): number | undefined {
    if (this.#buffered < 4) return undefined;
    const head = this.#take(4, false);
    return new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
  }

  /** The next whole frame (without its length), undefined until one is complete. */
  next(): Uint8Array | undefined {
    const length = this.peekInt();
    if (length === undefined || this.#error !== undefined) return undefined;
    if (length < 0 || length > this.#max) {
      this.#error = zkError("MarshallingError", `frame length ${length} outside 0..${this.#max}`);
      this.#chunks = [];
      this.#buffered = 0;
      return undefined;
    }
    if (this.#buffered < 4 + length) return undefined;
    this.#take(4, true);
    return this.#take(length, true);
  }

  /** n bytes from the front, copied only when they span chunks */
  #take(n: number, consume: boolean): Uint8Array {
    const first = this.#chunks[0];
    let out: Uint8Array;
    if (first !== undefined && first.length >= n) {
      out = first.subarray(0, n);
      if (consume) {
        if (first.length === n) this.#chunks.shift();
        else this.#chunks[0] = first.subarray(n);
      }
    } else {
      out = new Uint8Array(n);
      let at = 0;
      let i = 0;
      while (at < n) {
        const chunk = this.#chunks[i]!;
        const part = Math.min(chunk.length, n - at);
        out.set(chunk.subarray(0, part), at);
        at += part;
        if (consume) {
          if (part === chunk.length) this.#chunks.shift();
          else this.#chunks[0] = chunk.subarray(part);
        } else i++;
      }
    }
    if (consume) this.#buffered -= n;
    return out;
  }
}
