/**
 * Curator's SharedCount: an int32 in a znode as 4 big-endian bytes (Curator's encoding, so both read
 * the same node), changed only by a versioned setData: trySetCount fails on BadVersion instead of
 * overwriting a change it has not seen, and add() retries that read-modify-write until it wins.
 */
import { bytesOf, isNzkError, type NzkClient } from "../sdk/index.ts";

export interface VersionedValue {
  readonly value: number;
  readonly version: number;
}

const encode = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value);
  return out;
};

const decode = (bytes: Uint8Array): number =>
  bytes.length < 4 ? 0 : new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);

export class SharedCount {
  readonly #client: NzkClient;
  readonly path: string;
  readonly #seed: number;

  constructor(client: NzkClient, path: string, seedValue = 0) {
    this.#client = client;
    this.path = path;
    this.#seed = seedValue;
  }

  async get(): Promise<VersionedValue> {
    for (;;) {
      try {
        const node = await this.#client.get(this.path);
        return { value: decode(bytesOf(node)), version: node.stat.version };
      } catch (err) {
        if (!isNzkError(err, "NoNode")) throw err;
      }
      try {
        await this.#client.create(this.path, { data: encode(this.#seed), parents: true });
      } catch (err) {
        if (!isNzkError(err, "NodeExists")) throw err;
      }
    }
  }

  /** Sets the value if nobody changed it since `previous` was read; false when someone did. */
  async trySet(previous: VersionedValue, value: number): Promise<boolean> {
    try {
      await this.#client.set(this.path, encode(value), previous.version);
      return true;
    } catch (err) {
      if (isNzkError(err, "BadVersion")) return false;
      throw err;
    }
  }

  /** Adds delta atomically; resolves to the new value. */
  async add(delta: number): Promise<number> {
    for (;;) {
      const current = await this.get();
      const next = (current.value + delta) | 0;
      if (await this.trySet(current, next)) return next;
    }
  }
}
