/**
 * `nzk [--server URL] [--json] [--auth user:password] [command args…]`. Exit codes: 0 success, 1 a
 * ZooKeeper error (the message names its code), 2 a usage error. Without a command it is an
 * interactive shell, as zkCli is.
 */
import { DEFAULT_URL, NzkError } from "../sdk/index.ts";
import { COMMANDS, lockCommand, parseCommand } from "./commands.ts";
import { Context, type Io, UsageError } from "./context.ts";
import { errorLine } from "./format.ts";

export interface Globals {
  readonly url: string;
  readonly json: boolean;
  readonly auth?: { user: string; password: string };
}

export const HELP = [
  "usage: nzk [--server URL] [--json] [--auth user:password] [command [args…]]",
  "  --server URL   the nzk HTTP API (default $NZK_URL, else http://127.0.0.1:8080)",
  "  --json         print JSON for scripts",
  "  --auth u:p     a digest identity for every request",
  "commands:",
  "  serve [--http-port N] [--zk-port N] [--nats-url URL] …   run a member (as npm start)",
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  "  lock path -- command [args…]   run the command while holding the lock",
  "without a command: an interactive shell",
];

/** Splits the global options off; the rest is the command and its arguments. */
export function parseGlobals(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): {
  globals: Globals;
  rest: string[];
} {
  let url = env.NZK_URL ?? DEFAULT_URL;
  let json = false;
  let auth: Globals["auth"];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") json = true;
    else if (a === "--server" || a.startsWith("--server="))
      url = a.includes("=") ? a.slice(9) : need(argv, ++i, a);
    else if (a === "--auth" || a.startsWith("--auth=")) {
      const creds = a.includes("=") ? a.slice(7) : need(argv, ++i, a);
      const colon = creds.indexOf(":");
      if (colon < 0) throw new UsageError("--auth takes user:password");
      auth = { user: creds.slice(0, colon), password: creds.slice(colon + 1) };
    } else if (a.startsWith("-") && a !== "-h" && a !== "--help") throw new UsageError(`unknown option ${a}`);
    else break;
  }
  return { globals: { url, json, ...(auth ? { auth } : {}) }, rest: argv.slice(i) };
}

function need(argv: readonly string[], i: number, name: string): string {
  const v = argv[i];
  if (v === undefined) throw new UsageError(`${name} needs a value`);
  return v;
}

/** Runs one command line in the context; the exit code. */
export async function runCommand(ctx: Context, argv: readonly string[]): Promise<number> {
  try {
    const [name, ...args] = argv;
    if (name === undefined || name === "help" || name === "-h" || name === "--help") {
      for (const line of HELP) ctx.io.out(line);
      return 0;
    }
    if (name === "lock") {
      const dash = args.indexOf("--");
      if (dash !== 1) throw new UsageError("usage: lock path -- command [args…]");
      return await lockCommand(ctx, args[0]!, args.slice(2));
    }
    const { command, values, args: positionals } = parseCommand(name, args);
    await command.run(ctx, values, positionals);
    return 0;
  } catch (err) {
    return report(ctx, err);
  }
}

export function report(ctx: Context, err: unknown): number {
  if (err instanceof UsageError) {
    ctx.io.err(err.message);
    return 2;
  }
  if (err instanceof NzkError) {
    if (ctx.json)
      ctx.io.err(
        JSON.stringify({
          error: { code: err.code, zkCode: err.zkCode, message: err.message, path: err.path },
        }),
      );
    else ctx.io.err(errorLine(err));
    return 1;
  }
  throw err;
}

/** The whole command line: `serve` and the shell are started by main.ts, everything else runs here. */
export async function run(argv: readonly string[], io: Io, env = process.env): Promise<number> {
  let parsed: ReturnType<typeof parseGlobals>;
  try {
    parsed = parseGlobals(argv, env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  const ctx = new Context(io, parsed.globals);
  try {
    return await runCommand(ctx, parsed.rest);
  } finally {
    await ctx.close();
  }
}
