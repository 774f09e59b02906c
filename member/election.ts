/**
 * Leader election through one key of a JetStream KV bucket. The key holds the leader's id and epoch;
 * every change is a compare-and-set on the revision last seen, so epochs handed out are strictly
 * increasing and two members can never both believe they won the same revision. The leader renews its
 * lease by rewriting the key; a renewal that fails its compare-and-set means someone else took over.
 * The election only decides who may try to write: the log's expected-sequence check is what fences.
 */

import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";

const KEY = "leader";

export interface Leadership {
  readonly memberId: string;
  readonly epoch: number;
}

export interface LeaderView {
  /** undefined when nobody ever led */
  readonly leader: Leadership | undefined;
  /** the key's revision, the compare-and-set token of the next claim (0 when absent) */
  readonly revision: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parse(value: Uint8Array): Leadership | undefined {
  try {
    const v = JSON.parse(decoder.decode(value)) as Leadership;
    return typeof v.memberId === "string" && Number.isInteger(v.epoch) ? v : undefined;
  } catch {
    return undefined;
  }
}

export class Election {
  readonly #kv: KV;
  #view: LeaderView = { leader: undefined, revision: 0 };
  #watch: { stop(): void } | undefined;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(nc: NatsConnection, bucket: string, replicas: number): Promise<Election> {
    const kv = await new Kvm(nc).create(bucket, { history: 1, replicas, storage: "file" });
    const election = new Election(kv);
    await election.refresh();
    return election;
  }

  /** The newest leadership this member has seen (by a watch or its own compare-and-set). */
  get view(): LeaderView {
    return this.#view;
  }

  #see(view: LeaderView): boolean {
    if (view.revision <= this.#view.revision) return false;
    this.#view = view;
    return true;
  }

  async refresh(): Promise<LeaderView> {
    const entry = await this.#kv.get(KEY);
    if (entry !== null && entry.operation === "PUT") {
      this.#see({ leader: parse(entry.value), revision: entry.revision });
    }
    return this.#view;
  }

  /** Calls onChange for every new leadership or renewal written by anyone. */
  async watch(onChange: (view: LeaderView) => void): Promise<void> {
    const it = await this.#kv.watch({ key: KEY });
    this.#watch = it;
    (async () => {
      for await (const e of it) {
        if (e.operation !== "PUT") continue;
        if (this.#see({ leader: parse(e.value), revision: e.revision })) onChange(this.#view);
      }
    })().catch(() => {});
  }

  /**
   * Tries to become leader over the view last seen, with an epoch above both the key's and minEpoch.
   * Resolves with the leadership won, or undefined when another member changed the key first.
   */
  async claim(memberId: string, minEpoch: number): Promise<{ epoch: number; revision: number } | undefined> {
    const seen = this.#view;
    const epoch = Math.max(seen.leader?.epoch ?? 0, minEpoch) + 1;
    const value = encoder.encode(JSON.stringify({ memberId, epoch } satisfies Leadership));
    try {
      const revision =
        seen.revision === 0
          ? await this.#kv.create(KEY, value)
          : await this.#kv.update(KEY, value, seen.revision);
      this.#see({ leader: { memberId, epoch }, revision });
      return { epoch, revision };
    } catch {
      await this.refresh().catch(() => {});
      return undefined;
    }
  }

  /**
   * Renews the lease (and, on a counter overflow, moves to a newer epoch) with a compare-and-set on the
   * revision this leader wrote last. Undefined means the leadership is lost.
   */
  async renew(memberId: string, epoch: number, revision: number): Promise<number | undefined> {
    const value = encoder.encode(JSON.stringify({ memberId, epoch } satisfies Leadership));
    try {
      const next = await this.#kv.update(KEY, value, revision);
      this.#see({ leader: { memberId, epoch }, revision: next });
      return next;
    } catch {
      await this.refresh().catch(() => {});
      return undefined;
    }
  }

  close(): void {
    this.#watch?.stop();
  }
}
