/**
 * The HTTP API over a real member on a real nats-server: `api.call(method, path, body?, headers?)`
 * goes through app.request(), so no socket is involved unless a test serves the app on a port.
 */
import { createApp } from "../../functions/app.ts";
import { localBackend } from "../../functions/node.ts";
import type { Config } from "../../member/config.ts";
import { type RunningMember, startMember } from "../../member/index.ts";
import { type NatsFixture, natsServer } from "../fixtures/nats.ts";
import { testConfig, until } from "../member/harness.ts";

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies freely
  readonly body: any;
  readonly text: string;
}

export interface Api extends AsyncDisposable {
  readonly nats: NatsFixture;
  readonly running: RunningMember;
  readonly app: ReturnType<typeof createApp>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** watches and event streams the app serves now (from /commands/wchs) */
  watchCount(): Promise<number>;
}

export interface ApiOptions {
  readonly maxDataBytes?: number;
  readonly sseBufferEvents?: number;
  readonly member?: Partial<Config>;
  readonly websocket?: boolean;
}

export async function startApi(options: ApiOptions = {}): Promise<Api> {
  const nats = await natsServer({ websocket: options.websocket ?? false });
  const nc = await nats.connect({ name: "h1", maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const running = await startMember(
    testConfig("h1", {
      ...(options.maxDataBytes ? { maxDataBytes: options.maxDataBytes } : {}),
      ...options.member,
    }),
    nc,
  );
  await until("leading", () => running.member.state === "LEADING");
  const app = createApp(localBackend(running), options);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
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
  };
  return {
    nats,
    running,
    app,
    call,
    watchCount: async () => (await call("GET", "/commands/wchs")).body.num_total_watches as number,
    [Symbol.asyncDispose]: async () => {
      await running.close();
      await nats[Symbol.asyncDispose]();
    },
  };
}

/** Polls an asynchronous condition (not a sleep: it ends as soon as the condition holds). */
export async function eventually(
  what: string,
  cond: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
