/**
 * A member's settings: defaults, then the JSON file named by NZK_CONFIG, then the environment
 * (shared/API.md, "Running"). Everything is checked with zod before anything is started or written,
 * and a bad setting stops the start with a message naming it.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();
const name = z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-' only");
const subjectPrefix = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "dot-separated NATS tokens");

export const ConfigSchema = z
  .object({
    natsUrl: z.string().min(1).optional(),
    natsCreds: z.string().min(1).optional(),
    httpPort: port.default(8080),
    zkPort: port.default(2181),
    host: z.string().min(1).default("127.0.0.1"),
    memberId: name.default(() => `${hostname().replace(/[^A-Za-z0-9_-]/g, "-")}-${process.pid}`),
    role: z.enum(["participant", "observer"]).default("participant"),
    dataDir: z.string().min(1).default(".nzk"),
    replicas: z.coerce.number().int().min(1).max(5).default(1),
    superDigest: z
      .string()
      .regex(/^[^:]+:.+$/, "user:base64digest")
      .optional(),
    logStream: name.default("NZK_LOG"),
    logSubject: subjectPrefix.default("nzk.log"),
    electionBucket: name.default("nzk-election"),
    snapshotBucket: name.default("nzk-snapshots"),
    sessionAuthBucket: name.default("nzk-session-auth"),
    eventsStream: name.default("NZK_EVENTS"),
    eventPrefix: subjectPrefix.default("nzk.ev"),
    apiPrefix: subjectPrefix.default("nzk.api"),
    minSessionTimeoutMs: positive.default(4000),
    maxSessionTimeoutMs: positive.default(40000),
    /** ZooKeeper's tickTime: the width of a session expiry bucket */
    tickMs: positive.default(2000),
    snapshotEveryTxns: positive.default(100_000),
    snapshotEverySeconds: positive.default(3600),
    snapshotsKept: positive.max(100).default(3),
    maxDataBytes: positive.default(1024 * 1024),
    /** ZooKeeper's znode.container.checkIntervalMs and maxPerMinute */
    reapIntervalMs: positive.default(60_000),
    reapMaxPerRun: positive.default(10_000),
    /** publish watch events on NATS and keep them in the events stream for this long */
    events: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
    eventsMaxAgeSeconds: positive.default(86_400),
    /** how often followers ping the leader, and how long a ping may take */
    pingIntervalMs: positive.default(100),
    pingTimeoutMs: positive.default(500),
    /**
     * a follower suspects its leader after this many pings in a row found no responders (or a member
     * that does not lead), or after this long without an answer
     */
    suspectAfterMisses: positive.default(2),
    suspectAfterSilenceMs: positive.default(750),
    /**
     * a member that has heard neither its leader nor JetStream's quorum for this long stops serving (as
     * a ZooKeeper server that lost its leader); keep it under half of minSessionTimeoutMs, so that its
     * clients move to another member before the leader could expire their sessions
     */
    contactLimitMs: positive.default(1500),
    /** the leader renews its lease in the election bucket this often; a lease unrenewed 3 times is void */
    leaseRenewMs: positive.default(500),
    /**
     * how long a forwarded or replicated request waits before ConnectionLoss; the member's JetStream
     * API calls (the log's tip, for sync and for a claimant's catch-up) time out after it too
     */
    requestTimeoutMs: positive.default(5000),
    /**
     * appends in flight (default 4 on one server, 1 for a replicated log: with several in flight
     * nats-server refused the later ones of a replicated stream as out of sequence, about 50 times in
     * 15 s under the nemesis test's load, each ending a leadership; at 1 it refused none), and the size
     * of one group-committed log message
     */
    maxInFlight: positive.optional(),
    maxGroupBytes: positive.default(4 * 1024 * 1024),
    maxGroupTxns: positive.default(2000),
    /** start a private nats-server when NATS_URL is unset */
    embedded: z.boolean().default(true),
  })
  .strict()
  .refine((c) => c.minSessionTimeoutMs <= c.maxSessionTimeoutMs, {
    message: "minSessionTimeoutMs must not exceed maxSessionTimeoutMs",
    path: ["minSessionTimeoutMs"],
  })
  .transform((c) => ({ ...c, maxInFlight: c.maxInFlight ?? (c.replicas > 1 ? 1 : 4) }));

export type Config = z.infer<typeof ConfigSchema>;

/** Environment variable → config key. */
export const ENV_KEYS: Readonly<Record<string, keyof Config>> = {
  NATS_URL: "natsUrl",
  NATS_CREDS: "natsCreds",
  NZK_HTTP_PORT: "httpPort",
  NZK_ZK_PORT: "zkPort",
  NZK_HOST: "host",
  NZK_MEMBER_ID: "memberId",
  NZK_ROLE: "role",
  NZK_DATA_DIR: "dataDir",
  NZK_REPLICAS: "replicas",
  NZK_SUPER_DIGEST: "superDigest",
  NZK_LOG_STREAM: "logStream",
  NZK_LOG_SUBJECT: "logSubject",
  NZK_ELECTION_BUCKET: "electionBucket",
  NZK_SNAPSHOT_BUCKET: "snapshotBucket",
  NZK_SESSION_AUTH_BUCKET: "sessionAuthBucket",
  NZK_EVENTS_STREAM: "eventsStream",
  NZK_EVENT_PREFIX: "eventPrefix",
  NZK_API_PREFIX: "apiPrefix",
  NZK_MIN_SESSION_TIMEOUT_MS: "minSessionTimeoutMs",
  NZK_MAX_SESSION_TIMEOUT_MS: "maxSessionTimeoutMs",
  NZK_TICK_MS: "tickMs",
  NZK_SNAPSHOT_EVERY_TXNS: "snapshotEveryTxns",
  NZK_SNAPSHOT_EVERY_SECONDS: "snapshotEverySeconds",
  NZK_SNAPSHOTS_KEPT: "snapshotsKept",
  NZK_EVENTS: "events",
  NZK_CONTACT_LIMIT_MS: "contactLimitMs",
};

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The source of each key, so an error names the variable or file the user actually wrote. */
function describe(key: string, fromEnv: Map<string, string>, file: string | undefined): string {
  const env = fromEnv.get(key);
  if (env !== undefined) return env;
  return file === undefined ? key : `${key} (in ${file})`;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const file = env.NZK_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError(`NZK_CONFIG: cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`NZK_CONFIG: ${file} is not a JSON object: ${(err as Error).message}`);
    }
  }
  const merged: Record<string, unknown> = { ...fromFile };
  const fromEnv = new Map<string, string>();
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    merged[key] = value;
    fromEnv.set(key, variable);
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "config");
      return `${describe(key, fromEnv, file)}: ${issue.message}`;
    });
    throw new ConfigError(`bad setting: ${problems.join("; ")}`);
  }
  return result.data;
}

/**
 * NATS's raft elects a new stream leader no sooner than this after losing the old one (server/raft.go,
 * minElectionTimeoutDefault); a member cut off with a minority must have stopped serving by then.
 */
export const NATS_MIN_ELECTION_MS = 4000;

/** A setting that works but weakens a promise: what to change and why, with the values at fault. */
export interface ConfigWarning {
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/**
 * Settings that work but weaken a promise, each with what to change: a contact limit over half the
 * shortest session timeout lets the leader expire a session while its client, on a member cut off
 * from NATS, has not yet been told it is disconnected; on a replicated log, a contact limit over half
 * of NATS's shortest election lets a member cut off with a minority, beside its leader, answer a sync
 * from a stale stream leader after the majority acknowledged a newer write.
 */
export function configWarnings(c: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (2 * c.contactLimitMs > c.minSessionTimeoutMs) {
    warnings.push({
      msg: "contactLimitMs is over half of minSessionTimeoutMs: lower NZK_CONTACT_LIMIT_MS or raise NZK_MIN_SESSION_TIMEOUT_MS, or a client on a member cut off from NATS may learn it is disconnected only after the leader expired its session",
      fields: { contactLimitMs: c.contactLimitMs, minSessionTimeoutMs: c.minSessionTimeoutMs },
    });
  }
  if (c.replicas > 1 && 2 * c.contactLimitMs >= NATS_MIN_ELECTION_MS) {
    warnings.push({
      msg: `contactLimitMs is not under ${NATS_MIN_ELECTION_MS / 2} ms with a replicated log: lower NZK_CONTACT_LIMIT_MS, or a member cut off with a minority of NATS may answer a sync from a stale stream leader after the majority elected a new one (NATS elects after ${NATS_MIN_ELECTION_MS} ms at the soonest)`,
      fields: { contactLimitMs: c.contactLimitMs, replicas: c.replicas },
    });
  }
  return warnings;
}
