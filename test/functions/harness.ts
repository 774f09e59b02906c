/**
 * The HTTP API over a real member on a real nats-server: `api.call(method, path, body?, headers?)`
 * goes through app.request(), so no socket is involved unless a test serves the app on a port.
 */
import { createApp } from "../../functions/app.ts";
import { MemberBackend } from "../../functions/member-backend.ts";
import type { Config } from "../../member/config.ts";
import type { Member } from "../../member/member.ts";
import { type NatsFixture, natsServer } from "../fixtures/nats.ts";
import { startMember, until } from "../member/harness.ts";

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies freely
  readonly body: any;
  readonly text: string;
}

export interface Api extends AsyncDisposable {
  readonly nats: NatsFixture;
  readonly member: Member;
  readonly backend: MemberBackend;
  readonly app: ReturnType<typeof createApp>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export interface ApiOptions {
  readonly maxDataBytes?: number;
  readonly sseBufferEvents?: number;
  readonly member?: Partial<Config>;
}

export async function startApi(options: ApiOptions = {}): Promise<Api> {
  const nats = await natsServer();
  const member = await startMember(nats.url, "h1", {
    ...(options.maxDataBytes ? { maxDataBytes: options.maxDataBytes } : {}),
    ...options.member,
  });
  await until("leading", () => member.state === "LEADING");
  const backend = new MemberBackend(member);
  const app = createApp(backend, options);
  return {
    nats,
    member,
    backend,
    app,
    call: async (method, path, body, headers = {}) => {
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const res = await app.request(path, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    [Symbol.asyncDispose]: async () => {
      await member.close();
      await nats[Symbol.asyncDispose]();
    },
  };
}
