/**
 * The identities a session gained through addAuth. ZooKeeper keeps them on the client's connection;
 * an nzk session is served by every member, so they live in a KV bucket that every member watches.
 * They are not txns: like ZooKeeper's, they change no znode and need no place in the zxid order.
 * A member sees a new identity once the watch delivers it (milliseconds after addAuth returns).
 */

import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Id } from "../core/records.ts";
import { toHex } from "../core/zxid.ts";

export class SessionAuth {
  readonly #kv: KV;
  readonly #ids = new Map<string, readonly Id[]>();
  #watch: { stop(): void } | undefined;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(nc: NatsConnection, bucket: string, replicas: number): Promise<SessionAuth> {
    const auth = new SessionAuth(await new Kvm(nc).create(bucket, { history: 1, replicas, storage: "file" }));
    const it = await auth.#kv.watch();
    auth.#watch = it;
    (async () => {
      for await (const e of it) {
        if (e.operation === "PUT") auth.#ids.set(e.key, e.json<Id[]>());
        else auth.#ids.delete(e.key);
      }
    })().catch(() => {});
    return auth;
  }

  identities(sessionId: number): readonly Id[] {
    return this.#ids.get(toHex(sessionId)) ?? [];
  }

  async add(sessionId: number, ids: readonly Id[]): Promise<void> {
    const key = toHex(sessionId);
    const have = this.#ids.get(key) ?? [];
    const merged = [
      ...have,
      ...ids.filter((id) => !have.some((h) => h.scheme === id.scheme && h.id === id.id)),
    ];
    this.#ids.set(key, merged);
    await this.#kv.put(key, JSON.stringify(merged));
  }

  async forget(sessionId: number): Promise<void> {
    const key = toHex(sessionId);
    if (!this.#ids.has(key)) return;
    this.#ids.delete(key);
    await this.#kv.delete(key);
  }

  close(): void {
    this.#watch?.stop();
  }
}
