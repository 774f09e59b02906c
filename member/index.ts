/**
 * The member's public entry: start one (recovery done when this resolves), get its API for in-process
 * use, and have the same API served over NATS.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { MemberApi, type NzkApi } from "./api.ts";
import type { Config } from "./config.ts";
import { type Logger, Member } from "./member.ts";
import { serveNatsApi } from "./nats-api.ts";

export type {
  ChildrenOptions,
  NzkApi,
  ReadOptions,
  Reply,
  RequestContext,
  SessionDump,
  SessionDumpEntry,
} from "./api.ts";
export { MemberApi } from "./api.ts";
export type { AclJson, ErrorJson, StatJson } from "./api-json.ts";
export { type Config, ConfigError, ConfigSchema, loadConfig } from "./config.ts";
export { minimalApp } from "./http-minimal.ts";
export { type Logger, Member } from "./member.ts";
export { API_CALLS, serveNatsApi } from "./nats-api.ts";
export { memberStatus, type StatusReport } from "./status.ts";

export interface RunningMember extends AsyncDisposable {
  readonly member: Member;
  readonly api: NzkApi;
  close(): Promise<void>;
}

export async function startMember(config: Config, nc: NatsConnection, log?: Logger): Promise<RunningMember> {
  const member = await Member.start(config, nc, log);
  const api = new MemberApi(member);
  const subs = serveNatsApi(nc, api, config.apiPrefix, () => member.replica.lastZxid);
  const close = async (): Promise<void> => {
    for (const s of subs) s.unsubscribe();
    await member.close();
  };
  return { member, api, close, [Symbol.asyncDispose]: close };
}
