/**
 * The commands of `nzk`, as zkCli names them and with its options: each parses its own arguments
 * with node:util parseArgs (strict: an unknown option is a usage error) and prints zkCli's output, or
 * JSON with --json.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { Mutex } from "../recipes/index.ts";
import { type CreateMode, type NzkClient, textOf, type WatchType } from "../sdk/index.ts";
import { type Context, UsageError } from "./context.ts";
import { aclLines, eventLine, listLine, parseAcl, statLines } from "./format.ts";

type Options = Record<string, { type: "boolean" | "string"; short?: string }>;

export interface Command {
  readonly usage: string;
  readonly options: Options;
  /** positional arguments: at least min, at most max */
  readonly args: readonly [min: number, max: number];
  run(ctx: Context, values: Record<string, string | boolean | undefined>, args: string[]): Promise<void>;
}

const flag = (short: string) => ({ type: "boolean" as const, short });
const value = (short: string) => ({ type: "string" as const, short });

function version(v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw new UsageError(`version must be a number: ${v}`);
  return Number(v);
}

/** ZKUtil.visitSubTreeDFS: the path, then each child's subtree in sorted order */
function depthFirst(root: string, paths: readonly string[]): string[] {
  const kids = new Map<string, string[]>();
  for (const p of paths) {
    const parent = p.slice(0, p.lastIndexOf("/")) || "/";
    kids.set(parent, [...(kids.get(parent) ?? []), p]);
  }
  const out: string[] = [];
  const visit = (p: string): void => {
    out.push(p);
    for (const k of (kids.get(p) ?? []).sort()) visit(k);
  };
  visit(root);
  return out;
}

/** Waits for the watch to fire and prints it as zkCli's watcher does. */
async function awaitWatch(ctx: Context, path: string, type: WatchType, zxid: string): Promise<void> {
  for (;;) {
    const event = await ctx.client.watch(path, { type, zxid });
    if (event === undefined) continue;
    ctx.print(event, () => ["", "WATCHER::", "", eventLine(event)]);
    return;
  }
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  ls: {
    usage: "ls [-s] [-w] [-R] path",
    options: { stat: flag("s"), watch: flag("w"), recursive: flag("R") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      if (o.recursive) {
        const all = depthFirst(path!, await ctx.client.descendants(path!));
        ctx.print(all, () => all);
        return;
      }
      const got = await ctx.client.children(path!);
      ctx.print(o.stat ? got : got.children, () => [
        listLine(got.children),
        ...(o.stat ? statLines(got.stat) : []),
      ]);
      if (o.watch) await awaitWatch(ctx, path!, "children", got.stat.pzxid);
    },
  },
  get: {
    usage: "get [-s] [-w] path",
    options: { stat: flag("s"), watch: flag("w") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      const got = await ctx.client.get(path!);
      ctx.print(got, () => [textOf(got), ...(o.stat ? statLines(got.stat) : [])]);
      if (o.watch) await awaitWatch(ctx, path!, "data", got.stat.mzxid);
    },
  },
  stat: {
    usage: "stat [-w] path",
    options: { watch: flag("w") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      const stat = await ctx.client.exists(path!);
      if (stat === undefined) {
        // zkCli's stat reports a missing node as NoNode
        await ctx.client.get(path!);
        return;
      }
      ctx.print({ path, stat }, () => statLines(stat));
      if (o.watch) await awaitWatch(ctx, path!, "exists", stat.mzxid);
    },
  },
  create: {
    usage: "create [-s] [-e] [-c] [-t ttl] path [data] [acl]",
    options: { sequential: flag("s"), ephemeral: flag("e"), container: flag("c"), ttl: value("t") },
    args: [1, 3],
    async run(ctx, o, [path, data, acl]) {
      const ttl = o.ttl === undefined ? undefined : Number(o.ttl);
      if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0))
        throw new UsageError(`ttl must be a positive integer: ${o.ttl}`);
      const mode = createMode(
        Boolean(o.sequential),
        Boolean(o.ephemeral),
        Boolean(o.container),
        ttl !== undefined,
      );
      const parsedAcl = acl === undefined ? undefined : parseAcl(acl);
      if (acl !== undefined && parsedAcl === undefined) throw new UsageError(`not an ACL: ${acl}`);
      const client = o.ephemeral ? await ctx.sessionClient() : ctx.client;
      const made = await client.create(path!, {
        mode,
        ...(data === undefined ? {} : { data }),
        ...(ttl === undefined ? {} : { ttlMs: ttl }),
        ...(parsedAcl === undefined ? {} : { acl: parsedAcl }),
      });
      ctx.print(made, () => [`Created ${made.path}`]);
    },
  },
  set: {
    usage: "set [-s] [-v version] path data",
    options: { stat: flag("s"), version: value("v") },
    args: [2, 2],
    async run(ctx, o, [path, data]) {
      const got = await ctx.client.set(path!, data!, version(o.version) ?? -1);
      ctx.print(got, () => (o.stat ? statLines(got.stat) : []));
    },
  },
  delete: {
    usage: "delete [-v version] path",
    options: { version: value("v") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      const v = version(o.version);
      await ctx.client.delete(path!, v === undefined ? {} : { version: v });
      ctx.print({ path, deleted: true }, () => []);
    },
  },
  deleteall: {
    usage: "deleteall path",
    options: {},
    args: [1, 1],
    async run(ctx, _o, [path]) {
      await ctx.client.delete(path!, { recursive: true });
      ctx.print({ path, deleted: true }, () => []);
    },
  },
  getAcl: {
    usage: "getAcl [-s] path",
    options: { stat: flag("s") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      const got = await ctx.client.getAcl(path!);
      ctx.print(got, () => [...aclLines(got.acl), ...(o.stat ? statLines(got.stat) : [])]);
    },
  },
  setAcl: {
    usage: "setAcl [-s] [-v version] path acl",
    options: { stat: flag("s"), version: value("v") },
    args: [2, 2],
    async run(ctx, o, [path, text]) {
      const acl = parseAcl(text!);
      if (acl === undefined) throw new UsageError(`not an ACL: ${text}`);
      const got = await ctx.client.setAcl(path!, acl, version(o.version) ?? -1);
      ctx.print(got, () => (o.stat ? statLines(got.stat) : []));
    },
  },
  addauth: {
    usage: "addauth scheme auth",
    options: {},
    args: [2, 2],
    async run(ctx, _o, [scheme, auth]) {
      await (await ctx.sessionClient()).addAuth(scheme!, auth!);
      ctx.print({ scheme, added: true }, () => []);
    },
  },
  sync: {
    usage: "sync path",
    options: {},
    args: [1, 1],
    async run(ctx, _o, [path]) {
      const zxid = await ctx.client.sync(path!);
      ctx.print({ path, zxid }, () => ["Sync is OK"]);
    },
  },
  watch: {
    usage: "watch [-R] path",
    options: { recursive: flag("R") },
    args: [1, 1],
    async run(ctx, o, [path]) {
      const stop = new AbortController();
      const onInt = (): void => stop.abort();
      process.once("SIGINT", onInt);
      try {
        for await (const e of ctx.client.events(path!, {
          recursive: Boolean(o.recursive),
          signal: stop.signal,
        }))
          ctx.print(e, () => [eventLine(e)]);
      } finally {
        process.off("SIGINT", onInt);
      }
    },
  },
  services: {
    usage: "services [name]",
    options: {},
    args: [0, 1],
    async run(ctx, _o, [name]) {
      if (name === undefined) {
        const names = await ctx.client.serviceNames();
        ctx.print(names, () => [listLine(names)]);
        return;
      }
      const instances = await ctx.client.serviceInstances(name);
      ctx.print(instances, () =>
        instances.map(
          (i) =>
            `${i.id}\t${i.address}${i.port === null ? "" : `:${i.port}`}${i.enabled === false ? "\t(disabled)" : ""}`,
        ),
      );
    },
  },
  status: {
    usage: "status",
    options: {},
    args: [0, 0],
    async run(ctx) {
      const s = await ctx.client.status();
      ctx.print(s, () =>
        Object.entries(s).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`),
      );
    },
  },
};

function createMode(sequential: boolean, ephemeral: boolean, container: boolean, ttl: boolean): CreateMode {
  if (container && (sequential || ephemeral || ttl))
    throw new UsageError("-c cannot be combined with -s, -e or -t");
  if (ttl && ephemeral) throw new UsageError("-t cannot be combined with -e");
  if (container) return "container";
  if (ttl) return sequential ? "persistent_sequential_ttl" : "persistent_ttl";
  if (ephemeral) return sequential ? "ephemeral_sequential" : "ephemeral";
  return sequential ? "persistent_sequential" : "persistent";
}

/** `lock path -- command args…`: runs the command while holding the lock; its exit code is ours. */
export async function lockCommand(ctx: Context, path: string, argv: readonly string[]): Promise<number> {
  if (argv.length === 0) throw new UsageError("lock path -- command [args…]");
  const client: NzkClient = await ctx.sessionClient();
  const lock = new Mutex(client, path);
  await lock.acquire();
  try {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: "inherit" });
    const off = client.onState((s) => {
      if (s === "suspended" || s === "lost" || s === "expired") {
        ctx.io.err(`nzk: the session holding ${path} is ${s}: stopping ${argv[0]}`);
        child.kill("SIGTERM");
      }
    });
    const code = await new Promise<number>((resolve) => {
      child.on("error", (err) => {
        ctx.io.err(`nzk: cannot run ${argv[0]}: ${err.message}`);
        resolve(127);
      });
      child.on("exit", (c, signal) => resolve(c ?? (signal === null ? 1 : 128 + 15)));
    });
    off();
    return code;
  } finally {
    await lock.release().catch(() => {});
  }
}

export function parseCommand(
  name: string,
  argv: readonly string[],
): { command: Command; values: Record<string, string | boolean | undefined>; args: string[] } {
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command: ${name}`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: command.options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${command.usage}`);
  }
  const [min, max] = command.args;
  if (parsed.positionals.length < min || parsed.positionals.length > max)
    throw new UsageError(`usage: ${command.usage}`);
  return {
    command,
    values: parsed.values as Record<string, string | boolean | undefined>,
    args: parsed.positionals,
  };
}
