/**
 * `nzk serve`: member/main.ts, as `npm start` runs it, with its settings also taken as flags: each
 * `--some-name value` sets the environment variable the member reads (--nats-url → NATS_URL,
 * --http-port → NZK_HTTP_PORT, …), so there is one list of settings and one validation of them.
 */
import { UsageError } from "./context.ts";

const PLAIN = new Set(["NATS_URL", "NATS_CREDS"]);

export function serveEnv(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(a);
    if (m === null) throw new UsageError(`serve takes --setting value flags, not ${a}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`${a} needs a value`);
    const name = m[1]!.toUpperCase().replaceAll("-", "_");
    env[PLAIN.has(name) ? name : `NZK_${name}`] = value;
  }
  return env;
}

export async function serve(argv: readonly string[]): Promise<void> {
  Object.assign(process.env, serveEnv(argv));
  await import("../../member/main.ts");
}
