/**
 * The member's operations as one typed interface, in shared/API.md's JSON: the HTTP layer (functions/)
 * calls it in-process, and serveNatsApi exposes the same calls over NATS request/reply so stateless
 * handlers anywhere reach a member with one request. Bodies arrive as parsed JSON and are validated
 * here; every reply is the HTTP response body, or {"error": {...}}.
 */
import { isZkError, type ZkError, zkError } from "../core/errors.ts";
import {
  authenticate,
  exists,
  getACL,
  getChildren,
  getData,
  getEphemerals,
  ipIdentity,
  joinPath,
} from "../core/index.ts";
import type { Caller, Id, MultiOp, WriteRequest } from "../core/records.ts";
import { parseId, toHex } from "../core/zxid.ts";
import {
  type AclJson,
  AuthBody,
  aclJson,
  aclOf,
  bytesOf,
  CreateBody,
  createRequest,
  dataJson,
  type ErrorJson,
  errorJson,
  MultiBody,
  multiFailure,
  multiRequest,
  parse,
  resultJson,
  SessionBody,
  SetAclBody,
  SetBody,
  type StatJson,
  statJson,
} from "./api-json.ts";
import type { Member } from "./member.ts";
import type { SessionAuth } from "./session-auth.ts";
import { verifySessionToken } from "./session-token.ts";
import { memberStatus, type StatusReport } from "./status.ts";

export interface RequestContext {
  /** the Nzk-Session header: a session token */
  readonly token?: string;
  /** "user:password" from an Authorization: Basic header, the digest identity of this request only */
  readonly basic?: string;
  /** the client's address, for "ip" ACLs */
  readonly remoteAddress?: string;
  /**
   * the Nzk-Zxid header: the newest zxid the client has seen (hex), so that a read never shows it an
   * older view than it already had, whichever member answers (ZooKeeper's lastZxidSeen)
   */
  readonly seenZxid?: string;
}

export type Reply<T> = T | ErrorJson;
type Empty = Record<string, never>;

export interface ReadOptions {
  /** read after a sync: linearizable */
  readonly sync?: boolean;
  readonly encoding?: "utf8" | "base64";
}
export interface ChildrenOptions extends ReadOptions {
  readonly data?: boolean;
  readonly recursive?: boolean;
  readonly limit?: number;
  readonly after?: string;
}

export interface NzkApi {
  create(ctx: RequestContext, path: string, body: unknown): Promise<Reply<{ path: string; stat: StatJson }>>;
  get(
    ctx: RequestContext,
    path: string,
    opts?: ReadOptions,
  ): Promise<Reply<{ path: string; data: string; encoding: string; stat: StatJson }>>;
  exists(
    ctx: RequestContext,
    path: string,
    opts?: ReadOptions,
  ): Promise<Reply<{ path: string; stat: StatJson }>>;
  set(ctx: RequestContext, path: string, body: unknown): Promise<Reply<{ path: string; stat: StatJson }>>;
  delete(
    ctx: RequestContext,
    path: string,
    opts?: { version?: number; recursive?: boolean },
  ): Promise<Reply<Empty>>;
  children(
    ctx: RequestContext,
    path: string,
    opts?: ChildrenOptions,
  ): Promise<Reply<Record<string, unknown>>>;
  getAcl(ctx: RequestContext, path: string): Promise<Reply<{ path: string; acl: AclJson[]; stat: StatJson }>>;
  setAcl(
    ctx: RequestContext,
    path: string,
    body: unknown,
  ): Promise<Reply<{ path: string; acl: AclJson[]; stat: StatJson }>>;
  multi(ctx: RequestContext, body: unknown): Promise<Reply<{ results: Record<string, unknown>[] }>>;
  sync(ctx: RequestContext, path: string): Promise<Reply<{ zxid: string }>>;
  createSession(body: unknown): Promise<Reply<{ sessionId: string; token: string; timeoutMs: number }>>;
  keepalive(ctx: RequestContext, sessionId: string): Promise<Reply<{ timeoutMs: number }>>;
  closeSession(ctx: RequestContext, sessionId: string): Promise<Reply<Empty>>;
  sessionInfo(
    ctx: RequestContext,
    sessionId: string,
  ): Promise<Reply<{ sessionId: string; timeoutMs: number; ephemerals: string[] }>>;
  auth(ctx: RequestContext, sessionId: string, body: unknown): Promise<Reply<Empty>>;
  status(): Promise<StatusReport>;
  /** every session with its timeout, expiry and ephemerals: ZooKeeper's dump */
  dump(): Promise<Reply<SessionDump>>;
}

/** A session as ZooKeeper's dump shows it: its SessionTracker entry and its ephemeral nodes. */
export interface SessionDumpEntry {
  readonly sessionId: string;
  readonly timeoutMs: number;
  /**
   * when the leader expires it unless it is touched before (epoch ms, the end of its expiry bucket);
   * only the leader tracks expiry, so a follower's dump has none, as a ZooKeeper learner's
   */
  readonly expiresAt?: number;
  readonly ephemerals: readonly string[];
}

export interface SessionDump {
  /** the member that answered */
  readonly memberId: string;
  readonly sessions: readonly SessionDumpEntry[];
}

const fail = (err: ZkError): ErrorJson => errorJson(err);
/**
 * how long a request waits for this member to apply what its client has seen (the ZooKeeper port has
 * the same default, its catchUpMs, for a client that reconnects having seen more)
 */
const CATCH_UP_MS = 2000;

export class MemberApi implements NzkApi {
  readonly #member: Member;
  readonly #sessionAuth: SessionAuth;

  constructor(member: Member) {
    this.#member = member;
    this.#sessionAuth = member.sessionAuth;
  }

  /** ConnectionLoss naming why, while this member does not serve (Member.unavailable). */
  #notServing(): ZkError | undefined {
    const why = this.#member.unavailable();
    return why === undefined ? undefined : zkError("ConnectionLoss", why);
  }

  get #tree() {
    return this.#member.replica.tree;
  }

  #caller(ctx: RequestContext): Caller | ZkError {
    let sessionId = 0;
    const auth: Id[] = [];
    if (ctx.token !== undefined) {
      const id = verifySessionToken(this.#tree, ctx.token);
      if (isZkError(id)) return id;
      sessionId = id;
      this.#member.touched(id);
      auth.push(...this.#sessionAuth.identities(id));
    }
    if (ctx.remoteAddress !== undefined) auth.push(ipIdentity(ctx.remoteAddress));
    if (ctx.basic !== undefined) {
      const ids = authenticate("digest", ctx.basic, this.#authConfig(ctx));
      if (isZkError(ids)) return ids;
      auth.push(...ids);
    }
    return { sessionId, auth };
  }

  #authConfig(ctx: RequestContext) {
    const { superDigest } = this.#member.config;
    return {
      ...(superDigest === undefined ? {} : { superDigest }),
      ...(ctx.remoteAddress === undefined ? {} : { remoteAddress: ctx.remoteAddress }),
    };
  }

  /**
   * Waits until this member has applied what the client has seen, as a ZooKeeper server holds a client
   * that has seen more than it (up to CATCH_UP_MS, then ConnectionLoss: another member may have it).
   */
  async #caughtUp(ctx: RequestContext): Promise<ZkError | undefined> {
    if (ctx.seenZxid === undefined) return undefined;
    const seen = parseId(ctx.seenZxid);
    if (seen === undefined) return zkError("BadArguments", `bad zxid ${ctx.seenZxid} in Nzk-Zxid`);
    if (await this.#member.replica.waitZxid(seen, CATCH_UP_MS)) return undefined;
    return zkError(
      "ConnectionLoss",
      `this member has not applied ${toHex(seen)}, which the client has seen, within ${CATCH_UP_MS} ms; try another member`,
    );
  }

  /**
   * Whether a request may go on here: ConnectionLoss while this member does not serve, or once it has
   * not caught up in time with what the client has seen; undefined when it may. Before a session token
   * is checked too: the session may have been created through another member.
   */
  async #admit(ctx: RequestContext): Promise<ZkError | undefined> {
    return this.#notServing() ?? (await this.#caughtUp(ctx));
  }

  /** The caller, after a sync when asked for one. */
  async #reader(ctx: RequestContext, opts?: ReadOptions): Promise<Caller | ZkError> {
    const down = await this.#admit(ctx);
    if (down !== undefined) return down;
    if (opts?.sync === true) {
      const synced = await this.#member.sync();
      if (isZkError(synced)) return synced;
    }
    return this.#caller(ctx);
  }

  async #write(ctx: RequestContext, req: WriteRequest | ZkError) {
    if (isZkError(req)) return req;
    const down = await this.#admit(ctx);
    if (down !== undefined) return down;
    const caller = this.#caller(ctx);
    if (isZkError(caller)) return caller;
    const out = await this.#member.write(caller, req);
    if (isZkError(out)) return out;
    return out.error ?? out.applied.result;
  }

  async create(ctx: RequestContext, path: string, body: unknown) {
    const input = parse(CreateBody, body);
    if (isZkError(input)) return fail(input);
    const r = await this.#write(ctx, createRequest(path, input));
    if (isZkError(r)) return fail(r);
    // With parents, prep makes a multi of the missing ancestors' creates and the node's own, last.
    const created = r.type === "multi" ? r.results.at(-1) : r;
    return created?.type === "create"
      ? { path: created.path, stat: statJson(created.stat) }
      : fail(zkError("SystemError", `create answered ${created?.type}`));
  }

  async get(ctx: RequestContext, path: string, opts?: ReadOptions) {
    const caller = await this.#reader(ctx, opts);
    if (isZkError(caller)) return fail(caller);
    const r = getData(this.#tree, caller, path);
    if (isZkError(r)) return fail(r);
    return { path, ...dataJson(r.data, opts?.encoding), stat: statJson(r.stat) };
  }

  async exists(ctx: RequestContext, path: string, opts?: ReadOptions) {
    const caller = await this.#reader(ctx, opts);
    if (isZkError(caller)) return fail(caller);
    const r = exists(this.#tree, caller, path);
    return isZkError(r) ? fail(r) : { path, stat: statJson(r) };
  }

  async set(ctx: RequestContext, path: string, body: unknown) {
    const input = parse(SetBody, body);
    if (isZkError(input)) return fail(input);
    const data = bytesOf(input.data, input.encoding);
    const r = await this.#write(
      ctx,
      isZkError(data) ? data : { op: "setData", path, data, version: input.version },
    );
    if (isZkError(r)) return fail(r);
    return r.type === "setData" ? { path, stat: statJson(r.stat) } : fail(zkError("SystemError", r.type));
  }

  async delete(ctx: RequestContext, path: string, opts?: { version?: number; recursive?: boolean }) {
    const version = opts?.version ?? -1;
    if (!Number.isInteger(version)) return fail(zkError("BadArguments", "version must be an integer"));
    const req: WriteRequest =
      opts?.recursive === true ? { op: "deleteAll", path } : { op: "delete", path, version };
    const r = await this.#write(ctx, req);
    return isZkError(r) ? fail(r) : {};
  }

  async children(ctx: RequestContext, path: string, opts: ChildrenOptions = {}) {
    const caller = await this.#reader(ctx, opts);
    if (isZkError(caller)) return fail(caller);
    const r = getChildren(this.#tree, caller, path);
    if (isZkError(r)) return fail(r);
    if (opts.recursive === true) return { path, children: this.#descendants(path), stat: statJson(r.stat) };
    let names = r.children;
    let next: string | undefined;
    if (opts.after !== undefined) names = names.filter((n) => n > opts.after!);
    if (opts.limit !== undefined && opts.limit >= 0 && names.length > opts.limit) {
      names = names.slice(0, opts.limit);
      next = names.at(-1);
    }
    const children =
      opts.data === true
        ? names.flatMap((name) => {
            const child = getData(this.#tree, caller, joinPath(path, name));
            return isZkError(child)
              ? []
              : [{ name, ...dataJson(child.data, opts.encoding), stat: statJson(child.stat) }];
          })
        : names;
    return { path, children, stat: statJson(r.stat), ...(next === undefined ? {} : { next }) };
  }

  #descendants(path: string): string[] {
    const out: string[] = [];
    const stack = [path];
    for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
      for (const name of this.#tree.childNames(at) ?? []) {
        const child = joinPath(at, name);
        out.push(child);
        stack.push(child);
      }
    }
    return out.sort();
  }

  async getAcl(ctx: RequestContext, path: string) {
    const caller = await this.#reader(ctx);
    if (isZkError(caller)) return fail(caller);
    const r = getACL(this.#tree, caller, path);
    return isZkError(r) ? fail(r) : { path, acl: aclJson(r.acl), stat: statJson(r.stat) };
  }

  async setAcl(ctx: RequestContext, path: string, body: unknown) {
    const input = parse(SetAclBody, body);
    if (isZkError(input)) return fail(input);
    const acl = aclOf(input.acl);
    const r = await this.#write(
      ctx,
      isZkError(acl) ? acl : { op: "setACL", path, acl, version: input.version },
    );
    if (isZkError(r)) return fail(r);
    if (r.type !== "setACL") return fail(zkError("SystemError", r.type));
    return { path, acl: aclJson(this.#tree.acl(path) ?? []), stat: statJson(r.stat) };
  }

  async multi(ctx: RequestContext, body: unknown) {
    const input = parse(MultiBody, body);
    if (isZkError(input)) return fail(input);
    const req = multiRequest(input);
    if (isZkError(req)) return fail(req);
    const caller = this.#caller(ctx);
    if (isZkError(caller)) return fail(caller);
    const out = await this.#member.write(caller, req);
    if (isZkError(out)) return fail(out);
    const result = out.applied.result;
    const results = result.type === "multi" ? result.results : [];
    const ops = (req as { ops: readonly MultiOp[] }).ops;
    if (out.error !== undefined) return errorJson(out.error, multiFailure(results, ops));
    return { results: results.map(resultJson) };
  }

  async sync(_ctx: RequestContext, _path: string) {
    const zxid = await this.#member.sync();
    return isZkError(zxid) ? fail(zxid) : { zxid: toHex(zxid) };
  }

  async createSession(body: unknown) {
    const input = parse(SessionBody, body);
    if (isZkError(input)) return fail(input);
    const down = this.#notServing();
    if (down !== undefined) return fail(down);
    const s = await this.#member.createSession(input.timeoutMs);
    return isZkError(s) ? fail(s) : { sessionId: toHex(s.sessionId), token: s.token, timeoutMs: s.timeoutMs };
  }

  /** The session the URL names, once the request's token proves it is the caller's own. */
  async #ownSession(ctx: RequestContext, sessionId: string): Promise<number | ZkError> {
    const down = await this.#admit(ctx);
    if (down !== undefined) return down;
    const id = parseId(sessionId);
    if (id === undefined) return zkError("BadArguments", `bad session id ${sessionId}`);
    if (ctx.token === undefined) return zkError("AuthFailed", "this call needs the session's token");
    const verified = verifySessionToken(this.#tree, ctx.token);
    if (isZkError(verified)) return verified;
    return verified === id ? id : zkError("AuthFailed", "the token belongs to another session");
  }

  async keepalive(ctx: RequestContext, sessionId: string) {
    const id = await this.#ownSession(ctx, sessionId);
    if (isZkError(id)) return fail(id);
    const known = await this.#member.touch(id);
    if (isZkError(known)) return fail(known);
    if (!known) return fail(zkError("SessionExpired", `session ${toHex(id)} has expired`));
    return { timeoutMs: this.#tree.session(id)?.timeout ?? 0 };
  }

  async closeSession(ctx: RequestContext, sessionId: string) {
    const id = await this.#ownSession(ctx, sessionId);
    if (isZkError(id)) return fail(id);
    const r = await this.#member.closeSession(id);
    if (r !== undefined) return fail(r);
    await this.#sessionAuth.forget(id).catch(() => {});
    return {};
  }

  async sessionInfo(ctx: RequestContext, sessionId: string) {
    const id = await this.#ownSession(ctx, sessionId);
    if (isZkError(id)) return fail(id);
    const ephemerals = getEphemerals(this.#tree, id, "/");
    if (isZkError(ephemerals)) return fail(ephemerals);
    return { sessionId: toHex(id), timeoutMs: this.#tree.session(id)?.timeout ?? 0, ephemerals };
  }

  async auth(ctx: RequestContext, sessionId: string, body: unknown) {
    const id = await this.#ownSession(ctx, sessionId);
    if (isZkError(id)) return fail(id);
    const input = parse(AuthBody, body);
    if (isZkError(input)) return fail(input);
    const ids = authenticate(input.scheme, input.credentials, this.#authConfig(ctx));
    if (isZkError(ids)) return fail(ids);
    await this.#sessionAuth.add(id, ids);
    return {};
  }

  status(): Promise<StatusReport> {
    return memberStatus(this.#member);
  }

  async dump() {
    const down = this.#notServing();
    if (down !== undefined) return fail(down);
    // the tracker runs on performance.now(); epoch time is what someone reading the dump can use
    const epochOffset = Date.now() - performance.now();
    const sessions = [...this.#tree.sessions()].map((s) => {
      const due = this.#member.sessionExpiresAt(s.sessionId);
      return {
        sessionId: toHex(s.sessionId),
        timeoutMs: s.timeout,
        ...(due === undefined ? {} : { expiresAt: Math.round(epochOffset + due) }),
        ephemerals: this.#tree.ephemeralsOf(s.sessionId).sort(),
      };
    });
    return { memberId: this.#member.config.memberId, sessions };
  }
}
