/**
 * Members for tests: each on its own NATS connection (so a test can sever one), with timings short
 * enough that failover happens within a test, and a helper to compare trees byte for byte.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { expect } from "vitest";
import { serializeSnapshot } from "../../core/index.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { epochOf } from "../../core/zxid.ts";
import { type Config, ConfigSchema } from "../../member/config.ts";
import { decodeEntry } from "../../member/log.ts";
import { type Logger, Member } from "../../member/member.ts";

export function testConfig(memberId: string, overrides: Partial<Config> = {}): Config {
  return ConfigSchema.parse({ memberId, requestTimeoutMs: 5000, ...overrides });
}

export async function startMember(
  url: string,
  memberId: string,
  overrides: Partial<Config> = {},
  onLog?: Logger,
): Promise<Member> {
  const nc = await connect({
    servers: url,
    name: memberId,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
  const log = process.env.NZK_TEST_LOG
    ? (msg: string, fields?: Record<string, unknown>) => {
        console.error(Math.round(performance.now()), memberId, msg, JSON.stringify(fields ?? {}));
        onLog?.(msg, fields);
      }
    : onLog;
  const member = await Member.start(testConfig(memberId, overrides), nc, log);
  const close = member.close.bind(member);
  member.close = async () => {
    await close();
    await nc.close();
  };
  return member;
}

/** Polls a condition on the members' own state (not a sleep: it ends as soon as the state is reached). */
export async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const snapshotOf = (m: Member): string =>
  Buffer.from(serializeSnapshot(m.replica.tree)).toString("base64");

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A caller with no session and no auth. */
export const anyone = { sessionId: 0, auth: [] };

/** A persistent create of path that holds its own path as data. */
export const createOf = (path: string) =>
  ({ op: "create", path, data: bytes(path), acl: OPEN_ACL_UNSAFE, mode: "persistent" }) as const;

/** What members logged and when (performance.now()), for tests that time protocol steps. */
export class LogBook {
  readonly entries: { memberId: string; msg: string; at: number; fields: Record<string, unknown> }[] = [];

  for(memberId: string): Logger {
    return (msg, fields = {}) => {
      this.entries.push({ memberId, msg, at: performance.now(), fields });
    };
  }

  /** The first entry of a member with this message, if any. */
  first(memberId: string, msg: string) {
    return this.entries.find((e) => e.memberId === memberId && e.msg === msg);
  }
}

/**
 * Every epoch record names a newer epoch than any before it, and zxids only rise along the log (from
 * its first entry left by purges: an epoch whose record was purged is taken from its first txns).
 */
export async function checkLogOrder(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const { first_seq: first, last_seq: last } = (await jsm.streams.info("NZK_LOG")).state;
  let epoch: number | undefined;
  let zxid = 0;
  for (let seq = first; seq <= last; seq++) {
    const m = await jsm.streams.getMessage("NZK_LOG", { seq });
    expect(m, `log entry ${seq}`).not.toBeNull();
    const entry = decodeEntry(seq, m!.header, m!.data);
    if (entry?.kind === "epoch") {
      expect(entry.epoch).toBeGreaterThan(epoch ?? 0);
      epoch = entry.epoch;
    } else if (entry?.kind === "txns") {
      expect(entry.lastZxid).toBeGreaterThan(zxid);
      epoch ??= epochOf(entry.lastZxid);
      expect(epochOf(entry.lastZxid)).toBe(epoch);
      zxid = entry.lastZxid;
    }
  }
}
