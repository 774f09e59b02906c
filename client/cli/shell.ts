/**
 * The interactive shell (zkCli without a command): one session for every command, a zkCli prompt,
 * line editing and history through node:readline, kept in ~/.nzk_history between runs. A command
 * with -w returns at once and prints its watch when it fires, as zkCli's watcher does.
 */
import { appendFile, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { NzkClient, NzkError } from "../sdk/index.ts";
import { Context, type Io } from "./context.ts";
import { errorLine } from "./format.ts";
import { type Globals, runCommand } from "./run.ts";

const HISTORY = join(homedir(), ".nzk_history");

/** Splits a line as a shell would for plain words and '…' or "…" quoted ones. */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]!));
  return out;
}

export async function shell(globals: Globals, io: Io): Promise<number> {
  let session: NzkClient | undefined;
  try {
    session = await NzkClient.connect({ url: globals.url, ...(globals.auth ? { auth: globals.auth } : {}) });
  } catch (err) {
    io.err(
      `cannot open a session at ${globals.url}: ${err instanceof NzkError ? errorLine(err) : String(err)}`,
    );
  }
  const history = (await readFile(HISTORY, "utf8").catch(() => "")).split("\n").filter(Boolean).reverse();
  const rl = createInterface({ input: process.stdin, output: process.stdout, history, historySize: 1000 });
  const ctx = new Context(io, { ...globals, ...(session ? { session } : {}) });
  let count = 0;
  const prompt = (): void => {
    rl.setPrompt(`[zk: ${globals.url}(${(session?.state ?? "closed").toUpperCase()}) ${count}] `);
    rl.prompt();
  };
  prompt();
  for await (const line of rl) {
    const argv = splitLine(line);
    if (argv.length > 0) {
      await appendFile(HISTORY, `${line}\n`).catch(() => {});
      if (argv[0] === "quit" || argv[0] === "exit") break;
      if (argv[0] === "history")
        io.out(
          history
            .slice(0, 10)
            .reverse()
            .map((h, i) => `${count - 10 + i}\t${h}`)
            .join("\n"),
        );
      else if (argv.slice(1).includes("-w")) void runCommand(ctx, argv);
      else await runCommand(ctx, argv);
      history.unshift(line);
      count++;
    }
    prompt();
  }
  rl.close();
  await session?.close().catch(() => {});
  return 0;
}
