/**
 * A member: a process holding the tree in memory, in one of ZAB's states. It recovers (newest snapshot,
 * then the log tail), follows or observes by tailing the log, and when it suspects the leader and may
 * stand, claims the election, catches up to the tip JetStream reports, fences it with an epoch record
 * and only then leads. Whatever the election says, the log's expected-sequence check decides who
 * actually writes, so a wrong suspicion costs a failed append, never a fork.
 */
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { isZkError, type ZkError, zkError } from "../core/errors.ts";
import type { Applied, Caller, WriteRequest } from "../core/records.ts";
import { mayFence, mayStand, nonLeaderState, type ZabState } from "../core/zab/index.ts";
import { epochOf } from "../core/zxid.ts";
import { Availability } from "./availability.ts";
import type { Config } from "./config.ts";
import { Election } from "./election.ts";
import { EventPublisher, ensureEventsStream } from "./events.ts";
import { FollowerTail, logLoading } from "./follower-tail.ts";
import { decodeForward, encodeWriteReply } from "./forward-codec.ts";
import { Forwarder, type ForwardTarget } from "./forwarder.ts";
import { untilJetStreamAnswers } from "./jetstream-retry.ts";
import { type BroadcastStats, type Committed, Leader } from "./leader.ts";
import { LeaderWatch } from "./leader-watch.ts";
import { ensureLogStream, logTip } from "./log.ts";
import {
  memberSubject,
  type PingReply,
  type PingRequest,
  type TouchReply,
  type TouchRequest,
  type WriteForward,
  type WriteOutcome,
  type WriteReply,
} from "./member-links.ts";
import { Reaper } from "./reaper.ts";
import { Replica } from "./replica.ts";
import { SessionAuth } from "./session-auth.ts";
import { WaitingForLeader } from "./session-order.ts";
import { newSessionPassword, sessionToken } from "./session-token.ts";
import { SessionTracker } from "./session-tracker.ts";
import { SnapshotStore } from "./snapshots.ts";
import { Snapshotter } from "./snapshotter.ts";
import { decodeWire, encodeWire } from "./wire.ts";

export type Logger = (event: string, fields?: Record<string, unknown>) => void;

/** Room for headers and the txn codec's framing around the largest znode. */
const MESSAGE_OVERHEAD = 64 * 1024;
/** how often a long log replay at start says how far it got */
const PROGRESS_MS = 2000;

/** Creates (or updates) the log stream as `config` says; returns the largest message it takes. */
export async function ensureMemberLog(nc: NatsConnection, config: Config): Promise<number> {
  const maxMsgBytes = Math.min(nc.info?.max_payload ?? 1024 * 1024, config.maxGroupBytes + MESSAGE_OVERHEAD);
  await ensureLogStream(nc, {
    stream: config.logStream,
    subject: config.logSubject,
    replicas: config.replicas,
    maxMsgBytes,
  });
  return maxMsgBytes;
}

export interface MemberPeer {
  readonly memberId: string;
  readonly role: "participant" | "observer";
  readonly lastZxid: number;
  readonly lastSeenMs: number;
}

/** Whether p settled within ms. */
function within(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export class Member implements AsyncDisposable {
  readonly config: Config;
  readonly nc: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #election: Election;
  readonly #snapshots: SnapshotStore;
  /** identities sessions gained through addAuth, shared by every member */
  readonly sessionAuth: SessionAuth;
  readonly #log: Logger;
  readonly #maxGroupBytes: number;
  readonly #replica = new Replica();
  readonly #subs: Subscription[] = [];
  #state: ZabState = "LOOKING";
  #closed = false;
  readonly #tail: FollowerTail;
  #leader: Leader | undefined;
  #leaseTimer: NodeJS.Timeout | undefined;
  #watch: LeaderWatch | undefined;
  #sessions: SessionTracker | undefined;
  #reaper: Reaper | undefined;
  #snapshotter: Snapshotter | undefined;
  readonly #events: EventPublisher | undefined;
  #trying = false;
  /** the election key's revision this leader wrote last: the compare-and-set token of its renewal */
  #leaseRevision = 0;
  readonly #peers = new Map<string, MemberPeer>();
  /** requests that found no leader to go to, kept in arrival order (FIFO client order) */
  readonly #waiting = new WaitingForLeader(50);
  readonly #forwarder: Forwarder;
  readonly #availability: Availability;

  private constructor(
    config: Config,
    nc: NatsConnection,
    jsm: JetStreamManager,
    election: Election,
    snapshots: SnapshotStore,
    sessionAuth: SessionAuth,
    log: Logger,
    maxGroupBytes: number,
  ) {
    this.config = config;
    this.#maxGroupBytes = maxGroupBytes;
    this.nc = nc;
    this.#jsm = jsm;
    this.#election = election;
    this.#snapshots = snapshots;
    this.sessionAuth = sessionAuth;
    this.#log = log;
    this.#replica.onApplied = (applied) => this.#onApplied(applied);
    this.#availability = new Availability(config.contactLimitMs, log);
    this.#tail = new FollowerTail(
      nc,
      config.logStream,
      this.#replica,
      snapshots,
      log,
      () => !this.#closed && this.#state !== "LEADING",
    );
    this.#forwarder = new Forwarder(
      nc,
      { apiPrefix: config.apiPrefix, memberId: config.memberId, timeoutMs: config.requestTimeoutMs },
      this.#replica,
    );
    this.#events = config.events
      ? new EventPublisher(nc, { prefix: config.eventPrefix, stream: config.eventsStream }, log)
      : undefined;
  }

  /** Creates the streams and buckets if missing, recovers, and starts following or leading. */
  static async start(config: Config, nc: NatsConnection, log: Logger = () => {}): Promise<Member> {
    const startedAt = performance.now();
    const step = <T>(what: string, call: () => Promise<T>) => untilJetStreamAnswers(what, call, log);
    const maxMsgBytes = await step("log stream", () => ensureMemberLog(nc, config));
    if (config.events) {
      const events = {
        stream: config.eventsStream,
        prefix: config.eventPrefix,
        replicas: config.replicas,
        maxAgeSeconds: config.eventsMaxAgeSeconds,
      };
      await step("events stream", () => ensureEventsStream(nc, events));
    }
    // Its requests (the log's tip, for sync and for a claimant's catch-up) answer within the request
    // timeout, as the member's own callers and its followers' patience with a claimant expect.
    const jsm = await step("JetStream API", () => jetstreamManager(nc, { timeout: config.requestTimeoutMs }));
    const election = await step("election bucket", () =>
      Election.open(nc, config.electionBucket, config.replicas),
    );
    const snapshots = await step("snapshot store", () =>
      SnapshotStore.open(nc, config.snapshotBucket, config.replicas, config.logStream),
    );
    const sessionAuth = await step("session identities bucket", () =>
      SessionAuth.open(nc, config.sessionAuthBucket, config.replicas),
    );
    const member = new Member(
      config,
      nc,
      jsm,
      election,
      snapshots,
      sessionAuth,
      log,
      maxMsgBytes - MESSAGE_OVERHEAD,
    );
    await member.#recover(startedAt);
    void member.#watchConnection();
    return member;
  }

  get state(): ZabState {
    return this.#state;
  }
  /** true once recovery is done */
  get ready(): boolean {
    return this.#availability.ready;
  }
  /** whether it serves now: recovered, not closed, and in contact with its leader or JetStream's quorum */
  get serving(): boolean {
    return this.unavailable() === undefined;
  }
  /** Why this member does not serve now (for ConnectionLoss and ruok), or undefined when it does. */
  unavailable(): string | undefined {
    return this.#availability.unavailable();
  }
  /** Calls listener whenever this member starts or stops serving; returns the unsubscribe. */
  onServingChange(listener: (serving: boolean) => void): () => void {
    return this.#availability.onChange(listener);
  }
  get replica(): Replica {
    return this.#replica;
  }
  get epoch(): number {
    return this.#leader?.epoch ?? this.#replica.epoch;
  }
  get leaderId(): string | undefined {
    return this.#election.view.leader?.memberId;
  }
  get peers(): readonly MemberPeer[] {
    return [...this.#peers.values()];
  }
  /** When the session's expiry bucket comes due on this member's clock (performance.now), while it leads. */
  sessionExpiresAt(sessionId: number): number | undefined {
    return this.#sessions?.expiresAt(sessionId);
  }
  /** The broadcast's counters while this member leads, for benchmarks. */
  get broadcastStats(): BroadcastStats | undefined {
    return this.#leader?.stats;
  }

  /** startedAt: when start() began, so the log line's `ms` is the whole join, streams and buckets included */
  async #recover(startedAt: number): Promise<void> {
    const snap = await untilJetStreamAnswers(
      "newest snapshot",
      () => this.#snapshots.loadNewest(logLoading(this.#log)),
      this.#log,
    );
    if (snap !== undefined) this.#replica.reset(snap.tree, snap.ref.seq, snap.ref.epoch);
    const replayFrom = this.#replica.seq;
    const replayAt = performance.now();
    this.#tail.start();
    const tip = await untilJetStreamAnswers(
      "log tip",
      () => logTip(this.#jsm, this.config.logStream),
      this.#log,
    );
    if (tip > replayFrom) this.#log("replaying log", { from: replayFrom + 1, to: tip });
    const progress = setInterval(
      () => this.#log("replaying log", { seq: this.#replica.seq, to: tip }),
      PROGRESS_MS,
    );
    await this.#replica.waitSeq(tip).finally(() => clearInterval(progress));
    const replayMs = performance.now() - replayAt;
    this.#serve();
    await this.#election.watch(() => this.#onLeaderChange());
    this.#availability.recovered();
    this.#state = nonLeaderState(this.config.role);
    const memory = process.memoryUsage();
    this.#log("recovered", {
      seq: this.#replica.seq,
      zxid: this.#replica.lastZxid,
      snapshot: snap?.ref.name ?? null,
      znodes: this.#replica.tree.nodeCount,
      snapshotBytes: snap?.bytes ?? 0,
      fetchMs: Math.round(snap?.fetchMs ?? 0),
      decodeMs: Math.round(snap?.decodeMs ?? 0),
      replayEntries: this.#replica.seq - replayFrom,
      replayMs: Math.round(replayMs),
      ms: Math.round(performance.now() - startedAt),
      heapMiB: Math.round(memory.heapUsed / 2 ** 20),
      rssMiB: Math.round(memory.rss / 2 ** 20),
    });
    this.#watch = new LeaderWatch(
      this.nc,
      this.config,
      () => {
        const leader = this.#election.view.leader;
        const pingable = this.#state !== "LEADING" && leader?.memberId !== this.config.memberId;
        return pingable ? leader : undefined;
      },
      () => this.#replica.lastZxid,
      () => {
        this.#availability.check();
        this.#evaluate();
      },
      (now) => this.#availability.heard(now),
    );
    this.#snapshotter = new Snapshotter(
      this.#snapshots,
      this.#replica,
      {
        everyTxns: this.config.snapshotEveryTxns,
        everyMs: this.config.snapshotEverySeconds * 1000,
        kept: this.config.snapshotsKept,
      },
      () =>
        this.#state === "FOLLOWING" ||
        this.#state === "OBSERVING" ||
        (this.#state === "LEADING" && this.#alone()),
      this.#log,
    );
    this.#evaluate();
  }

  /**
   * After a reconnect the leader rebases its events, and a member that does not lead tails the log
   * again from where it stands: nats.js's consumer can stay silent after the server restarted, with no
   * error and no message, which left a follower stale until someone noticed.
   */
  async #watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== "reconnect") continue;
      this.#resumeEvents();
      if (this.#tail.again()) this.#log("tailing again after a reconnect", { seq: this.#replica.seq });
    }
  }

  #serve(): void {
    const { apiPrefix, memberId } = this.config;
    this.#subs.push(
      this.nc.subscribe(memberSubject(apiPrefix, memberId, "ping"), {
        callback: (_err, msg) => {
          msg.respond(encodeWire(this.#onPing(decodeWire<PingRequest>(msg.data))));
        },
      }),
      this.nc.subscribe(memberSubject(apiPrefix, memberId, "write"), {
        callback: (_err, msg) => {
          const fwd = decodeForward(msg.data);
          // Only members send these: a malformed one is a bug or a stranger, and its sender times out.
          if (isZkError(fwd)) {
            this.#log("malformed forward ignored", {
              level: "warn",
              subject: msg.subject,
              error: fwd.message,
            });
            return;
          }
          void this.#onForward(fwd).then((reply) => msg.respond(encodeWriteReply(reply)));
        },
      }),
      this.nc.subscribe(memberSubject(apiPrefix, memberId, "touch"), {
        callback: (_err, msg) => {
          const { sessionId } = decodeWire<TouchRequest>(msg.data);
          const reply: TouchReply =
            this.#sessions === undefined ? { notLeader: true } : { known: this.#sessions.touch(sessionId) };
          msg.respond(encodeWire(reply));
        },
      }),
    );
  }

  #onPing(ping: PingRequest): PingReply {
    const leading = this.#state === "LEADING";
    if (leading) {
      for (const id of ping.touches) this.#sessions?.touch(id);
      this.#peers.set(ping.from, {
        memberId: ping.from,
        role: ping.role,
        lastZxid: ping.lastZxid,
        lastSeenMs: performance.now(),
      });
    }
    return {
      leading,
      epoch: this.epoch,
      inContact: leading && this.serving,
      standing: !leading && this.#trying,
    };
  }

  async #onForward(fwd: WriteForward): Promise<WriteReply> {
    // Held while this member stands rather than refused: refusing a forward now and accepting the
    // sender's next one once leading would apply the sender's writes out of order.
    const ticket = this.#waiting.ticket();
    while (this.#trying) await this.#waiting.wait(ticket);
    const leader = this.#leader;
    if (this.#state !== "LEADING" || leader === undefined) return { notLeader: true };
    return { proposals: await Promise.all(fwd.writes.map((w) => leader.propose(w.caller, w.req))) };
  }

  /** Called for every write of the election key: claims, and the leader's lease renewals. */
  #onLeaderChange(): void {
    const leader = this.#election.view.leader;
    // Renewals prove only that the leader reaches JetStream, not that followers reach it, which is
    // what the pings measure: only a new leadership restarts the watch.
    this.#watch?.leaderIs(leader);
    this.#forwarder.leaderIs(leader?.epoch);
    this.#waiting.release();
    if (this.#state === "LEADING" && leader?.memberId !== this.config.memberId) {
      this.#stepDown(`the election names ${leader?.memberId} in epoch ${leader?.epoch}`);
      return;
    }
    this.#evaluate();
  }

  /** Decides, from the election's view, whether to stand now. */
  #evaluate(): void {
    if (this.#closed || !this.ready || this.#state === "LEADING") return;
    const leader = this.#election.view.leader;
    if (!mayStand(this.config.role)) return;
    if (leader === undefined || leader.memberId === this.config.memberId) void this.#tryLead();
    else if (this.#watch?.suspects() === true) void this.#tryLead();
  }

  async #tryLead(): Promise<void> {
    if (this.#trying || this.#closed) return;
    this.#trying = true;
    const previous = this.#state;
    this.#state = "LOOKING";
    try {
      const minEpoch = Math.max(this.#replica.epoch, epochOf(this.#replica.lastZxid));
      const standingAt = performance.now();
      const won = await this.#election.claim(this.config.memberId, minEpoch);
      if (won === undefined) return;
      this.#availability.heard();
      this.#log("claimed", { epoch: won.epoch, ms: Math.round(performance.now() - standingAt) });
      // ZAB's synchronisation: catch up to the tip as JetStream reports it, then stop reading.
      const tip = await logTip(this.#jsm, this.config.logStream);
      const caughtUp = await within(this.#replica.waitSeq(tip), this.config.requestTimeoutMs);
      if (!caughtUp) {
        // Its tail is not delivering: the next attempt reads through a new one.
        this.#log("catch-up timed out", { tip, seq: this.#replica.seq });
        this.#tail.again();
        return;
      }
      this.#tail.stop();
      if (!mayFence(won.epoch, this.#replica.lastZxid, this.#replica.epoch)) {
        this.#tail.start();
        return;
      }
      const leader = new Leader(
        this.nc,
        this.#replica,
        {
          memberId: this.config.memberId,
          subject: this.config.logSubject,
          appendTimeoutMs: this.config.requestTimeoutMs,
          group: {
            maxInFlight: this.config.maxInFlight,
            maxBytes: this.#maxGroupBytes,
            maxTxns: this.config.maxGroupTxns,
          },
          core: { maxDataBytes: this.config.maxDataBytes },
        },
        won.epoch,
        (current) => this.#nextEpoch(current),
        (err) => this.#stepDown(err.message),
      );
      if (!(await leader.fence())) {
        this.#log("fence refused", { epoch: won.epoch, seq: this.#replica.seq });
        this.#tail.start();
        return;
      }
      this.#leader = leader;
      this.#state = "LEADING";
      this.#leaseRevision = won.revision;
      this.#startLeading();
      this.#log("leading", {
        epoch: won.epoch,
        seq: this.#replica.seq,
        zxid: this.#replica.lastZxid,
        ms: Math.round(performance.now() - standingAt),
      });
    } catch (err) {
      this.#log("election attempt failed", { error: (err as Error).message });
      if (!this.#tail.running && this.#state !== "LEADING") this.#tail.start();
    } finally {
      if (this.#state === "LOOKING") this.#state = previous === "LEADING" ? "FOLLOWING" : previous;
      if (this.#state === "LOOKING") this.#state = nonLeaderState(this.config.role);
      this.#trying = false;
      // Writes that waited while this member stood go now (to itself, if it leads), before any newer one.
      this.#waiting.release();
    }
  }

  #startLeading(): void {
    this.#sessions = new SessionTracker(this.config.tickMs, (id) => this.#expire(id));
    // Every session gets a fresh timeout under a new leader, as in ZooKeeper.
    for (const s of this.#replica.tree.sessions()) this.#sessions.add(s.sessionId, s.timeout);
    this.#peers.clear();
    this.#leaseTimer = setInterval(() => void this.#renewLease(), this.config.leaseRenewMs);
    const leader = this.#leader!;
    this.#reaper = new Reaper(
      this.#replica,
      (path) => leader.submit({ sessionId: 0, auth: [] }, { op: "reap", path }),
      this.config.reapIntervalMs,
      this.config.reapMaxPerRun,
    );
    this.#resumeEvents();
  }

  /** The leader (re)starts publishing events from where the events stream ends. */
  #resumeEvents(): void {
    if (this.#leader !== undefined) this.#events?.start();
  }

  async #renewLease(): Promise<void> {
    const leader = this.#leader;
    if (leader === undefined || this.#state !== "LEADING") return;
    const next = await this.#election.renew(this.config.memberId, leader.epoch, this.#leaseRevision);
    if (this.#leader !== leader) return;
    if (next === undefined) {
      this.#stepDown("lease renewal refused");
      return;
    }
    this.#leaseRevision = next;
    this.#availability.heard();
  }

  async #nextEpoch(current: number): Promise<number | undefined> {
    const next = await this.#election.renew(this.config.memberId, current + 1, this.#leaseRevision);
    if (next === undefined) return undefined;
    this.#leaseRevision = next;
    return current + 1;
  }

  #onApplied(applied: Applied): void {
    // JetStream delivers, and acknowledges to the leader, only what its quorum stored.
    this.#availability.heard();
    const r = applied.result;
    if (r.type === "createSession") this.#sessions?.add(r.sessionId, r.timeout);
    else if (r.type === "closeSession" && this.#sessions !== undefined) {
      this.#sessions.remove(r.sessionId);
      this.sessionAuth.forget(r.sessionId).catch(() => {});
    }
    this.#events?.applied(applied.zxid, applied.events);
    this.#forwarder.applied(applied);
    this.#snapshotter?.applied();
  }

  /** No follower or observer pinged lately: the leader is the only one who could take a snapshot. */
  #alone(): boolean {
    const recent = performance.now() - 2000;
    return !this.peers.some((p) => p.lastSeenMs > recent);
  }

  #expire(sessionId: number): void {
    void this.#leader?.submit({ sessionId, auth: [] }, { op: "closeSession" });
  }

  #stepDown(reason: string): void {
    const leader = this.#leader;
    if (leader === undefined) return;
    this.#leader = undefined;
    leader.stop(reason);
    clearInterval(this.#leaseTimer);
    this.#reaper?.stop();
    this.#reaper = undefined;
    this.#events?.stop();
    this.#sessions?.close();
    this.#sessions = undefined;
    this.#state = nonLeaderState(this.config.role);
    this.#watch?.restart();
    this.#log("stepped down", { reason, seq: this.#replica.seq });
    if (!this.#closed) this.#tail.start();
  }

  // ---- what the API layer calls ----

  /** A write, by the leader here or forwarded to it; answered once this member has applied it. */
  async write(caller: Caller, req: WriteRequest): Promise<Committed | ZkError> {
    const deadline = performance.now() + this.config.requestTimeoutMs;
    const ticket = this.#waiting.ticket();
    for (;;) {
      if (this.#closed) return zkError("ConnectionLoss", "member closed");
      if (performance.now() >= deadline) return zkError("ConnectionLoss", "no leader reachable");
      // Behind every earlier write still waiting for a leader, so none is overtaken (FIFO client order).
      if (this.#waiting.busy) {
        await this.#waiting.wait(ticket);
        continue;
      }
      if (this.#state === "LEADING" && this.#leader !== undefined) return this.#leader.submit(caller, req);
      const target = this.#election.view.leader;
      if (target === undefined || target.memberId === this.config.memberId || this.#trying) {
        await this.#waiting.wait(ticket);
        continue;
      }
      const reply = await this.#forward(target, caller, req);
      if (reply === "retry") {
        await this.#waiting.wait(ticket);
        continue;
      }
      if ("error" in reply) return reply.error;
      // The forwarder answers only once this member applied the write itself (read-your-writes).
      return reply.committed;
    }
  }

  /**
   * One forwarded write. "retry" only when the write surely reached no leader (no responders, or the
   * addressee does not lead); when the leadership changes while the write is out, its outcome is
   * unknown and the writer is told ConnectionLoss at once (Forwarder.leaderIs).
   */
  async #forward(target: ForwardTarget, caller: Caller, req: WriteRequest): Promise<WriteOutcome | "retry"> {
    const result = await this.#forwarder.send(target, caller, req);
    if (result === "replaced") {
      return { error: zkError("ConnectionLoss", "the leader changed while the write was in flight") };
    }
    if (result instanceof Error) {
      return { error: zkError("ConnectionLoss", `forwarding to the leader failed: ${result.message}`) };
    }
    return result;
  }

  /** ZooKeeper's sync: this member catches up to the log's tip as JetStream reports it. */
  async sync(): Promise<number | ZkError> {
    try {
      const tip = await logTip(this.#jsm, this.config.logStream);
      const ok = await within(this.#replica.waitSeq(tip), this.config.requestTimeoutMs);
      if (!ok) return zkError("OperationTimeout", "could not catch up with the log");
      return this.#replica.lastZxid;
    } catch (err) {
      return zkError("ConnectionLoss", `log unreachable: ${(err as Error).message}`);
    }
  }

  /** ZooKeeper's createSession, with the timeout clamped to the configured bounds as ZooKeeper does. */
  async createSession(
    timeoutMs: number,
  ): Promise<{ sessionId: number; timeoutMs: number; token: string } | ZkError> {
    const timeout = Math.min(
      this.config.maxSessionTimeoutMs,
      Math.max(this.config.minSessionTimeoutMs, Math.trunc(timeoutMs)),
    );
    const password = newSessionPassword();
    const out = await this.write({ sessionId: 0, auth: [] }, { op: "createSession", timeout, password });
    if (isZkError(out)) return out;
    if (out.error !== undefined) return out.error;
    const result = out.applied.result;
    if (result.type !== "createSession")
      return zkError("SystemError", `createSession answered ${result.type}`);
    return {
      sessionId: result.sessionId,
      timeoutMs: result.timeout,
      token: sessionToken(result.sessionId, password),
    };
  }

  async closeSession(sessionId: number): Promise<undefined | ZkError> {
    const out = await this.write({ sessionId, auth: [] }, { op: "closeSession" });
    if (isZkError(out)) return out;
    return out.error;
  }

  /**
   * A session's keepalive: true when the leader knows it; false means expired. During an election it
   * waits for the new leader (which gives every session a fresh timeout anyway), as a ZooKeeper client
   * reconnects and revalidates its session, rather than failing the keepalive.
   */
  async touch(sessionId: number): Promise<boolean | ZkError> {
    if (this.#replica.tree.session(sessionId) === undefined) return false;
    const deadline = performance.now() + this.config.requestTimeoutMs;
    const ticket = this.#waiting.ticket();
    for (;;) {
      if (this.#closed) return zkError("ConnectionLoss", "member closed");
      if (this.#state === "LEADING") return this.#sessions?.touch(sessionId) ?? false;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return zkError("ConnectionLoss", "no leader reachable");
      const target = this.#election.view.leader?.memberId;
      if (target === undefined || target === this.config.memberId || this.#trying) {
        await this.#waiting.wait(ticket);
        continue;
      }
      try {
        const msg = await this.nc.request(
          memberSubject(this.config.apiPrefix, target, "touch"),
          encodeWire({ sessionId } satisfies TouchRequest),
          // A paused leader is given up on as a ping would be; the next attempt finds its successor.
          { timeout: Math.min(remaining, this.config.pingTimeoutMs) },
        );
        const reply = decodeWire<TouchReply>(msg.data);
        if (!("notLeader" in reply)) return reply.known;
      } catch {
        // no responders or a timeout: the leader is gone or changing; try whoever leads next
      }
      await this.#waiting.wait(ticket);
    }
  }

  /** Notes a request made within a session; the next ping carries it to the leader. */
  touched(sessionId: number): void {
    if (this.#state === "LEADING") this.#sessions?.touch(sessionId);
    else this.#watch?.touched(sessionId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#availability.close();
    this.#watch?.stop();
    this.#snapshotter?.stop();
    this.#stepDown("member closing");
    this.#tail.stop();
    this.#election.close();
    this.sessionAuth.close();
    this.#events?.close();
    for (const s of this.#subs) s.unsubscribe();
    this.#forwarder.leaderIs(undefined);
    this.#forwarder.close();
    this.#waiting.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
