/** What a command runs with: where to print, the output mode, and a client made on first use. */
import { NzkClient } from "../sdk/index.ts";

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface ContextOptions {
  readonly url: string;
  readonly json: boolean;
  readonly auth?: { user: string; password: string };
  /** the shell keeps one session for all its commands, as zkCli does */
  readonly session?: NzkClient;
}

export class Context {
  readonly io: Io;
  readonly url: string;
  readonly json: boolean;
  readonly #auth: ContextOptions["auth"];
  #plain: NzkClient | undefined;
  #session: NzkClient | undefined;
  readonly #ownsSession: boolean;

  constructor(io: Io, options: ContextOptions) {
    this.io = io;
    this.url = options.url;
    this.json = options.json;
    this.#auth = options.auth;
    this.#session = options.session;
    this.#ownsSession = options.session === undefined;
  }

  /** the shell's session when there is one, else a client without a session */
  get client(): NzkClient {
    if (this.#session !== undefined) return this.#session;
    this.#plain ??= new NzkClient({ url: this.url, ...(this.#auth ? { auth: this.#auth } : {}) });
    return this.#plain;
  }

  /** a client with a session (opened now in one-shot mode, closed by close()) */
  async sessionClient(): Promise<NzkClient> {
    this.#session ??= await NzkClient.connect({ url: this.url, ...(this.#auth ? { auth: this.#auth } : {}) });
    return this.#session;
  }

  print(value: unknown, lines: () => readonly string[]): void {
    if (this.json) this.io.out(JSON.stringify(value));
    else for (const line of lines()) this.io.out(line);
  }

  async close(): Promise<void> {
    if (this.#ownsSession) await this.#session?.close().catch(() => {});
  }
}
