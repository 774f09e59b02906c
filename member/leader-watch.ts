/**
 * A follower's or observer's watch on its leader: it pings the leader every interval, carrying the
 * sessions its clients touched since the last ping (as ZooKeeper's learners do in their PINGs), and
 * feeds the outcomes to the failure detector: a ping that found no responders, or a member that says
 * it does not lead, is a miss (unless it says it is standing, catching up to lead, within two request
 * timeouts of its leadership); a timed-out ping only prolongs the silence. A stall of this member's own
 * event loop (a GC pause, a large snapshot, a SIGSTOP of this process) shows as a gap between ticks;
 * the silence and the ping timeouts it caused are discarded, so a slow follower does not depose a
 * healthy leader.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { FailureDetector } from "../core/zab/index.ts";
import type { Config } from "./config.ts";
import { memberSubject, type PingReply, type PingRequest } from "./member-links.ts";
import { decodeWire, encodeWire } from "./wire.ts";

export function isNoResponders(err: unknown): boolean {
  return (err as { code?: string }).code === "503" || /no responders/i.test((err as Error).message);
}

export interface WatchedLeader {
  readonly memberId: string;
  readonly epoch: number;
}

export class LeaderWatch {
  readonly #nc: NatsConnection;
  readonly #config: Config;
  readonly #detector: FailureDetector;
  readonly #timer: NodeJS.Timeout;
  readonly #touches = new Set<number>();
  #lastTick = performance.now();
  #stalledAt = 0;
  #epoch: number | undefined;
  /** when the leadership now watched began (as this member learned of it) */
  #epochSince = performance.now();
  /** how long a standing claimant counts as alive: its catch-up, then its fence, each within the request timeout */
  get #claimGraceMs(): number {
    return 2 * this.#config.requestTimeoutMs;
  }

  /**
   * target() names the leader to ping (undefined: none, or this member leads); lastZxid() is reported
   * in each ping; afterPing() runs after each outcome so the member can decide whether to stand;
   * answered() is told when the leader answered as leader and in contact with JetStream's quorum (the
   * member's contact with its leadership).
   */
  constructor(
    nc: NatsConnection,
    config: Config,
    readonly target: () => WatchedLeader | undefined,
    readonly lastZxid: () => number,
    readonly afterPing: () => void,
    readonly answered: (now: number) => void,
  ) {
    this.#nc = nc;
    this.#config = config;
    this.#detector = new FailureDetector(
      { misses: config.suspectAfterMisses, silenceMs: config.suspectAfterSilenceMs },
      performance.now(),
    );
    this.#timer = setInterval(() => void this.#tick(), config.pingIntervalMs);
  }

  /** A new leadership starts the detector afresh; renewals of the same one do not. */
  leaderIs(leader: WatchedLeader | undefined): void {
    if (leader?.epoch === this.#epoch) return;
    this.#epoch = leader?.epoch;
    this.#epochSince = performance.now();
    this.#detector.reset(this.#epochSince);
  }

  /** Starts judging afresh, as after this member stepped down from leading (it pinged nobody then). */
  restart(): void {
    this.#detector.reset(performance.now());
  }

  suspects(): boolean {
    return this.#detector.suspects(performance.now());
  }

  /** Notes a request made within a session; the next ping carries it to the leader. */
  touched(sessionId: number): void {
    this.#touches.add(sessionId);
  }

  async #tick(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastTick > 3 * this.#config.pingIntervalMs) {
      this.#detector.reset(now);
      this.#stalledAt = now;
    }
    this.#lastTick = now;
    const leader = this.target();
    if (leader === undefined) {
      this.afterPing();
      return;
    }
    const touches = [...this.#touches];
    this.#touches.clear();
    const ping: PingRequest = {
      from: this.#config.memberId,
      role: this.#config.role,
      lastZxid: this.lastZxid(),
      touches,
    };
    try {
      const msg = await this.#nc.request(
        memberSubject(this.#config.apiPrefix, leader.memberId, "ping"),
        encodeWire(ping),
        { timeout: this.#config.pingTimeoutMs },
      );
      const reply = decodeWire<PingReply>(msg.data);
      const heard = performance.now();
      if (reply.leading) {
        this.#detector.heard(heard);
        if (reply.inContact !== false) this.answered(heard);
      } else if (reply.standing === true && heard - this.#epochSince < this.#claimGraceMs) {
        this.#detector.heard(heard);
      } else this.#detector.missed();
    } catch (err) {
      for (const t of touches) this.#touches.add(t);
      // No responders means the leader's subscriptions are gone with its connection: a killed leader
      // is noticed within two pings. A timeout only adds to the silence, which a busy server or a
      // loaded machine also causes, so it takes the longer silence threshold to suspect on it.
      if (now >= this.#stalledAt && isNoResponders(err)) this.#detector.missed();
    }
    if (this.target()?.epoch === leader.epoch) this.afterPing();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
