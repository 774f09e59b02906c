/**
 * The HTTP transport: one fetch per call against shared/API.md's routes, with the session token and
 * Basic credentials as headers, a per-request deadline, and retries with backoff for the retryable
 * errors only. Any fetch works (Node's, a Worker's, a test's that cuts the network). Given several
 * URLs (a ZooKeeper connect string's way), it moves to the next one whenever a call meets
 * ConnectionLoss (the member is gone, or does not serve: it lost contact with its leader), for that
 * call's retry and every call after: a session lives in the log, so any member carries it on. Every
 * reply names the zxid its member had applied (`Nzk-Zxid`); the client sends the newest it has seen
 * with each request, so that whichever member answers never shows it an older view than it has had
 * (ZooKeeper's single system image: a member behind waits to catch up, or answers ConnectionLoss).
 */
import { connectionLoss, type ErrorBody, NzkError } from "./errors.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

export const DEFAULT_URL = "http://127.0.0.1:8080";
const ZXID_HEADER = "Nzk-Zxid";

export interface HttpOptions {
  /** the nzk HTTP API, default http://127.0.0.1:8080; several, comma-separated, to move between */
  readonly url?: string;
  readonly fetch?: typeof fetch;
  readonly retry?: RetryPolicy;
  /** a digest identity sent with every request as Authorization: Basic */
  readonly auth?: { readonly user: string; readonly password: string };
  /** how long one request may take before it counts as ConnectionLoss (default 15 s) */
  readonly requestTimeoutMs?: number;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly headers?: Record<string, string>;
  /** false: one attempt only (writes that must not be repeated blindly, keepalives) */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
  /** this request's deadline instead of the client's (long polls wait longer, keepalives less) */
  readonly timeoutMs?: number;
}

export interface Reply<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** `/v1/znodes` + `/a/b` → `/v1/znodes/a/b`, each segment percent-encoded. */
export function routeOf(prefix: string, path: string): string {
  if (path === "/") return `${prefix}/`;
  return `${prefix}${path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/")}`;
}

export class Http {
  readonly #urls: readonly string[];
  #at = 0;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #basic: string | undefined;
  /** the session's Nzk-Session token, once there is one */
  token: string | undefined;
  /** the newest zxid a reply named (0: none yet) */
  #seen = 0;

  constructor(options: HttpOptions = {}) {
    this.#urls = (options.url ?? DEFAULT_URL)
      .split(",")
      .map((u) => u.trim().replace(/\/+$/, ""))
      .filter((u) => u !== "");
    if (this.#urls.length === 0) throw new TypeError(`no URL in ${JSON.stringify(options.url)}`);
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#basic =
      options.auth === undefined ? undefined : basic(`${options.auth.user}:${options.auth.password}`);
  }

  /** the newest zxid a member answered this client with, "0x…" (undefined before any reply named one) */
  get seenZxid(): string | undefined {
    return this.#seen === 0 ? undefined : `0x${this.#seen.toString(16)}`;
  }

  /** Notes a zxid the client has seen ("0x…"; anything else is ignored). */
  saw(zxid: string | null): void {
    const named = /^0x[0-9a-f]{1,14}$/i.exec(zxid ?? "");
    if (named !== null) this.#seen = Math.max(this.#seen, Number.parseInt(named[0].slice(2), 16));
  }

  /** Notes the zxid a reply names. */
  #saw(res: Response): Response {
    this.saw(res.headers.get(ZXID_HEADER));
    return res;
  }

  /** the URL calls go to now */
  get url(): string {
    return this.#urls[this.#at]!;
  }

  /** After ConnectionLoss at url: the next URL, unless another call has moved on already. */
  #movedFrom(url: string, err: unknown): unknown {
    if (err instanceof NzkError && err.code === "ConnectionLoss" && this.url === url) {
      this.#at = (this.#at + 1) % this.#urls.length;
    }
    return err;
  }

  call<T>(method: string, route: string, options: CallOptions = {}): Promise<Reply<T>> {
    const once = () => this.#once<T>(method, route, options);
    return options.retry === false ? once() : withRetry(this.#retry, once, options.signal);
  }

  /** A raw response (event streams): errors are thrown as NzkError, the body is left unread. */
  async open(route: string, options: CallOptions = {}): Promise<Response> {
    const url = this.url;
    try {
      const res = this.#saw(await this.#send(url, "GET", route, options, undefined));
      if (!res.ok) throw await errorOf(res);
      return res;
    } catch (err) {
      throw this.#movedFrom(url, err);
    }
  }

  async #once<T>(method: string, route: string, options: CallOptions): Promise<Reply<T>> {
    const url = this.url;
    const deadline = AbortSignal.timeout(Math.ceil(options.timeoutMs ?? this.#timeoutMs));
    try {
      const res = this.#saw(await this.#send(url, method, route, options, deadline));
      if (!res.ok) throw await errorOf(res);
      const text = await res.text().catch((err: unknown) => {
        throw connectionLoss(`reading the reply to ${method} ${route} failed`, err);
      });
      return {
        status: res.status,
        body: (text === "" ? undefined : JSON.parse(text)) as T,
        headers: res.headers,
      };
    } catch (err) {
      throw this.#movedFrom(url, err);
    }
  }

  async #send(
    url: string,
    method: string,
    route: string,
    options: CallOptions,
    deadline: AbortSignal | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token !== undefined) headers["Nzk-Session"] = this.token;
    const seen = this.seenZxid;
    if (seen !== undefined) headers[ZXID_HEADER] = seen;
    if (this.#basic !== undefined) headers.Authorization = this.#basic;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const signals = [deadline, options.signal].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await this.#fetch(url + route + queryOf(options.query), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) }),
      });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw connectionLoss(`${method} ${url}${route}: ${(err as Error).message}`, err);
    }
  }
}

async function errorOf(res: Response): Promise<NzkError> {
  const text = await res.text().catch(() => "");
  try {
    const body = (JSON.parse(text) as { error?: ErrorBody }).error;
    if (body !== undefined && typeof body.code === "string") return new NzkError(body, res.status);
  } catch {
    // not the API's error JSON (a proxy's page, say): judged by its status below
  }
  const code = res.status >= 500 ? "ConnectionLoss" : "BadArguments";
  return new NzkError(
    {
      code,
      zkCode: code === "ConnectionLoss" ? -4 : -8,
      message: `HTTP ${res.status}: ${text.slice(0, 200)}`,
    },
    res.status,
  );
}

function queryOf(query: CallOptions["query"]): string {
  if (query === undefined) return "";
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined);
  if (pairs.length === 0) return "";
  return `?${new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString()}`;
}

function basic(credentials: string): string {
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}`;
}
