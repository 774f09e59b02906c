/**
 * The member's API (member/api.ts's NzkApi) called over NATS request/reply, as member/nats-api.ts
 * serves it: `<apiPrefix>.v1.<call>` with {"ctx", "path", "sessionId", "body", "options"}, answered by
 * whichever member of the queue group takes it (nats-requests.ts: one inbox, and a turn's requests in
 * one write). No responder, or none in time, is ConnectionLoss: the caller cannot know whether a
 * write happened, exactly as a ZooKeeper client that lost its connection cannot.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { zkError } from "../core/errors.ts";
import { parseId } from "../core/zxid.ts";
import { errorJson, ZXID_HEADER } from "../member/api-json.ts";
import type { NzkApi, RequestContext } from "../member/index.ts";
import type { Backend } from "./backend.ts";
import { NatsRequests } from "./nats-requests.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface ApiRequest {
  readonly ctx?: RequestContext;
  readonly path?: string;
  readonly sessionId?: string;
  readonly body?: unknown;
  readonly options?: unknown;
}

const lost = (name: string, why: string) =>
  errorJson(zkError("ConnectionLoss", `no member answered ${name}: ${why}`));

/**
 * onZxid is told, for each request made with a context, the zxid the answering member had applied
 * (its reply's Nzk-Zxid header).
 */
export function natsApi(
  nc: NatsConnection,
  apiPrefix = "nzk.api",
  timeoutMs = 15_000,
  onZxid: (ctx: RequestContext, zxid: number) => void = () => {},
): NzkApi {
  const requests = new NatsRequests(nc, timeoutMs);
  // biome-ignore lint/suspicious/noExplicitAny: each call's reply type is NzkApi's for that call
  const call = async (name: string, req: ApiRequest): Promise<any> => {
    const reply = await requests.request(`${apiPrefix}.v1.${name}`, encoder.encode(JSON.stringify(req)));
    if (reply instanceof Error) return lost(name, reply.message);
    const zxid = parseId(reply.headers?.get(ZXID_HEADER) ?? "");
    if (req.ctx !== undefined && zxid !== undefined) onZxid(req.ctx, zxid);
    try {
      return JSON.parse(decoder.decode(reply.data));
    } catch (err) {
      return lost(name, `the reply is not JSON: ${(err as Error).message}`);
    }
  };
  return {
    create: (ctx, path, body) => call("create", { ctx, path, body }),
    get: (ctx, path, options) => call("get", { ctx, path, options }),
    exists: (ctx, path, options) => call("exists", { ctx, path, options }),
    set: (ctx, path, body) => call("set", { ctx, path, body }),
    delete: (ctx, path, options) => call("delete", { ctx, path, options }),
    children: (ctx, path, options) => call("children", { ctx, path, options }),
    getAcl: (ctx, path) => call("acl.get", { ctx, path }),
    setAcl: (ctx, path, body) => call("acl.set", { ctx, path, body }),
    multi: (ctx, body) => call("multi", { ctx, body }),
    sync: (ctx, path) => call("sync", { ctx, path }),
    createSession: (body) => call("sessions.create", { body }),
    keepalive: (ctx, sessionId) => call("sessions.keepalive", { ctx, sessionId }),
    closeSession: (ctx, sessionId) => call("sessions.close", { ctx, sessionId }),
    sessionInfo: (ctx, sessionId) => call("sessions.info", { ctx, sessionId }),
    auth: (ctx, sessionId, body) => call("sessions.auth", { ctx, sessionId, body }),
    status: () => call("status", {}),
    dump: () => call("sessions.dump", {}),
  };
}

export interface NatsBackendOptions {
  readonly apiPrefix?: string;
  readonly eventPrefix?: string;
  readonly eventsStream?: string;
  readonly timeoutMs?: number;
}

/** The Backend of handlers with no member in their process: every call goes to a member over NATS. */
export function natsBackend(nc: NatsConnection, options: NatsBackendOptions = {}): Backend {
  const answered = new WeakMap<RequestContext, number>();
  const note = (ctx: RequestContext, zxid: number) =>
    answered.set(ctx, Math.max(answered.get(ctx) ?? 0, zxid));
  return {
    api: natsApi(nc, options.apiPrefix, options.timeoutMs, note),
    answeredZxid: (ctx) => answered.get(ctx),
    nc,
    ...(options.eventPrefix === undefined ? {} : { eventPrefix: options.eventPrefix }),
    ...(options.eventsStream === undefined ? {} : { eventsStream: options.eventsStream }),
  };
}
