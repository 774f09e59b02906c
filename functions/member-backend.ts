/**
 * The Backend over a Member in the same process: writes go through Member.write (to the leader, here
 * or forwarded), reads are core's read operations on this member's replica, after a sync when asked.
 * Sessions and their tokens are the member's (member/session-token.ts); the identities addAuth adds
 * live here, per session, as ZooKeeper keeps them per connection.
 */
import { type AuthConfig, authenticate, ipIdentity } from "../core/auth.ts";
import { isZkError, type ZkError, zkError } from "../core/errors.ts";
import { keeperError } from "../core/keeper-error.ts";
import { joinPath } from "../core/paths.ts";
import { exists, getACL, getChildren, getData, getEphemerals } from "../core/read.ts";
import type { Caller, Id, OpResult, Stat, WriteRequest } from "../core/records.ts";
import type { Member } from "../member/member.ts";
import { verifySessionToken } from "../member/session-token.ts";
import type { Backend, Child, ReadOptions, ServerStats, WatchCheck, WatchType, Who } from "./backend.ts";
import { EventHub } from "./event-hub.ts";

export class MemberBackend implements Backend {
  readonly #member: Member;
  readonly #hub: EventHub;
  /** identities added with addAuth, by session: ZooKeeper keeps them per connection, never in the log */
  readonly #sessionAuth = new Map<number, Id[]>();
  #outstanding = 0;

  constructor(member: Member, hub = EventHub.attach(member.replica)) {
    this.#member = member;
    this.#hub = hub;
  }

  get #tree() {
    return this.#member.replica.tree;
  }

  async create(who: Who, req: Parameters<Backend["create"]>[1]) {
    const result = await this.#write(who, req);
    if (isZkError(result)) return result;
    const created = result.type === "multi" ? result.results[result.results.length - 1] : result;
    if (created?.type !== "create") return zkError("SystemError", "create returned no path");
    return { path: created.path, stat: created.stat };
  }

  async getData(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    return isZkError(caller) ? caller : getData(this.#tree, caller, path);
  }

  async exists(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    return isZkError(caller) ? caller : exists(this.#tree, caller, path);
  }

  async setData(who: Who, path: string, data: Uint8Array, version: number) {
    return statOf(await this.#write(who, { op: "setData", path, data, version }));
  }

  async delete(who: Who, path: string, version: number, recursive: boolean) {
    const req: WriteRequest = recursive ? { op: "deleteAll", path } : { op: "delete", path, version };
    const result = await this.#write(who, req);
    return isZkError(result) ? result : undefined;
  }

  async getChildren(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    return isZkError(caller) ? caller : getChildren(this.#tree, caller, path);
  }

  async getChildrenData(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    if (isZkError(caller)) return caller;
    const listed = getChildren(this.#tree, caller, path);
    if (isZkError(listed)) return listed;
    const children: Child[] = [];
    for (const name of listed.children) {
      const got = getData(this.#tree, caller, joinPath(path, name));
      // A child the caller may not read is left out, as a ZooKeeper client's getData on it would fail.
      if (!isZkError(got)) children.push({ name, data: got.data, stat: got.stat });
    }
    return { children, stat: listed.stat };
  }

  async getDescendants(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    if (isZkError(caller)) return caller;
    const top = getChildren(this.#tree, caller, path);
    if (isZkError(top)) return top;
    const paths: string[] = [];
    const stack = top.children.map((name) => joinPath(path, name)).reverse();
    for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
      paths.push(at);
      const below = getChildren(this.#tree, caller, at);
      if (!isZkError(below)) for (const name of [...below.children].reverse()) stack.push(joinPath(at, name));
    }
    return { paths: paths.sort(), stat: top.stat };
  }

  async getACL(who: Who, path: string, read?: ReadOptions) {
    const caller = await this.#reader(who, read);
    return isZkError(caller) ? caller : getACL(this.#tree, caller, path);
  }

  async setACL(who: Who, path: string, acl: Parameters<Backend["setACL"]>[2], version: number) {
    return statOf(await this.#write(who, { op: "setACL", path, acl, version }));
  }

  async multi(who: Who, ops: Parameters<Backend["multi"]>[1]) {
    const caller = this.#caller(who);
    if (isZkError(caller)) return caller;
    const out = await this.#submit(caller, { op: "multi", ops });
    if (isZkError(out)) return out;
    const result = out.applied.result;
    const results = result.type === "multi" ? result.results : [];
    return out.error === undefined ? { results } : { error: out.error, results };
  }

  async sync(who: Who, _path: string) {
    const caller = this.#caller(who);
    if (isZkError(caller)) return caller;
    return this.#member.sync();
  }

  createSession(timeoutMs: number) {
    return this.#member.createSession(timeoutMs);
  }

  async keepalive(who: Who, sessionId: number) {
    const own = this.#ownSession(who, sessionId);
    if (isZkError(own)) return own;
    const known = await this.#member.touch(sessionId);
    if (isZkError(known)) return known;
    if (!known) return keeperError("SessionExpired");
    return { timeoutMs: own };
  }

  async closeSession(who: Who, sessionId: number) {
    const own = this.#ownSession(who, sessionId);
    if (isZkError(own)) return own;
    const closed = await this.#member.closeSession(sessionId);
    if (closed === undefined) this.#sessionAuth.delete(sessionId);
    return closed;
  }

  async sessionInfo(who: Who, sessionId: number) {
    const own = this.#ownSession(who, sessionId);
    if (isZkError(own)) return own;
    const ephemerals = getEphemerals(this.#tree, sessionId, "/");
    if (isZkError(ephemerals)) return ephemerals;
    return { sessionId, timeoutMs: own, ephemerals };
  }

  async addAuth(who: Who, sessionId: number, scheme: string, credentials: string) {
    const own = this.#ownSession(who, sessionId);
    if (isZkError(own)) return own;
    const ids = authenticate(scheme, credentials, this.#authConfig(who));
    if (isZkError(ids)) return ids;
    const held = this.#sessionAuth.get(sessionId) ?? [];
    for (const id of ids) if (!held.some((h) => h.scheme === id.scheme && h.id === id.id)) held.push(id);
    this.#sessionAuth.set(sessionId, held);
    return undefined;
  }

  /** one-shot watches and event streams being waited on */
  get watchCount(): number {
    return this.#hub.watchCount;
  }

  watch(...args: Parameters<Backend["watch"]>) {
    return this.#hub.watch(this.#tree, ...args);
  }

  /** the first half of a remote one-shot watch (nats-service.ts): after a sync, an event already missed */
  async watchCheck(path: string, type: WatchType, after: number | undefined): Promise<WatchCheck | ZkError> {
    const synced = await this.#member.sync();
    if (isZkError(synced)) return synced;
    const event = this.#hub.alreadyHappened(this.#tree, path, type, after);
    if (isZkError(event)) return event;
    return event === undefined ? { zxid: this.#tree.lastZxid } : { zxid: this.#tree.lastZxid, event };
  }

  events(options: Parameters<Backend["events"]>[0]) {
    return this.#hub.events(options);
  }

  async status() {
    const { memberStatus } = await import("../member/status.ts");
    return { ...(await memberStatus(this.#member)) };
  }

  async stats(): Promise<ServerStats> {
    const tree = this.#tree;
    let sessions = 0;
    let ephemerals = 0;
    for (const s of tree.sessions()) {
      sessions++;
      ephemerals += tree.ephemeralsOf(s.sessionId).length;
    }
    const status = await this.status();
    const log = status.log as { lastSeq: number; appliedSeq: number };
    return {
      mode: String(status.mode),
      memberId: this.#member.config.memberId,
      epoch: this.#member.epoch,
      lastZxid: tree.lastZxid,
      znodeCount: tree.nodeCount,
      ephemeralsCount: ephemerals,
      watchCount: this.#hub.watchCount,
      sessionCount: sessions,
      outstandingRequests: this.#outstanding,
      approximateDataSize: 0,
      logLag: Math.max(0, log.lastSeq - log.appliedSeq),
      ready: this.#member.ready,
    };
  }

  async #write(who: Who, req: WriteRequest): Promise<OpResult | ZkError> {
    const caller = this.#caller(who);
    if (isZkError(caller)) return caller;
    const out = await this.#submit(caller, req);
    if (isZkError(out)) return out;
    return out.error ?? out.applied.result;
  }

  async #submit(caller: Caller, req: WriteRequest) {
    this.#outstanding++;
    try {
      return await this.#member.write(caller, req);
    } finally {
      this.#outstanding--;
    }
  }

  async #reader(who: Who, read: ReadOptions | undefined): Promise<Caller | ZkError> {
    const caller = this.#caller(who);
    if (isZkError(caller) || read?.sync !== true) return caller;
    const synced = await this.#member.sync();
    return isZkError(synced) ? synced : caller;
  }

  #caller(who: Who): Caller | ZkError {
    const auth: Id[] = [];
    if (who.remoteAddress !== undefined) auth.push(ipIdentity(who.remoteAddress));
    if (who.basic !== undefined) {
      const ids = authenticate("digest", who.basic, this.#authConfig(who));
      if (isZkError(ids)) return ids;
      auth.push(...ids);
    }
    if (who.session === undefined) return { sessionId: 0, auth };
    const sessionId = this.#verify(who.session);
    if (isZkError(sessionId)) return sessionId;
    this.#member.touched(sessionId);
    return { sessionId, auth: [...auth, ...(this.#sessionAuth.get(sessionId) ?? [])] };
  }

  /** the session's timeout when the token is this session's */
  #ownSession(who: Who, sessionId: number): number | ZkError {
    if (who.session === undefined)
      return zkError("AuthFailed", "KeeperErrorCode = AuthFailed: no Nzk-Session token");
    const id = this.#verify(who.session);
    if (isZkError(id)) return id;
    if (id !== sessionId)
      return zkError("AuthFailed", "KeeperErrorCode = AuthFailed: the token is another session's");
    return this.#tree.session(id)?.timeout ?? keeperError("SessionExpired");
  }

  #verify(token: string): number | ZkError {
    return verifySessionToken(this.#tree, token);
  }

  #authConfig(who: Who): AuthConfig {
    const { superDigest } = this.#member.config;
    return {
      ...(superDigest === undefined ? {} : { superDigest }),
      ...(who.remoteAddress === undefined ? {} : { remoteAddress: who.remoteAddress }),
    };
  }
}

function statOf(result: OpResult | ZkError): Stat | ZkError {
  if (isZkError(result)) return result;
  return "stat" in result ? result.stat : zkError("SystemError", `unexpected result ${result.type}`);
}
