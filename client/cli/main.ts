/** The `nzk` executable: `serve`, the interactive shell, or one command. */
import { Context } from "./context.ts";
import { parseGlobals, report, run } from "./run.ts";
import { serve } from "./serve.ts";
import { shell } from "./shell.ts";

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

async function main(argv: string[]): Promise<number | undefined> {
  if (argv[0] === "serve") {
    await serve(argv.slice(1));
    return undefined;
  }
  let parsed: ReturnType<typeof parseGlobals>;
  try {
    parsed = parseGlobals(argv, process.env);
  } catch (err) {
    return report(new Context(io, { url: "", json: false }), err);
  }
  if (parsed.rest.length === 0) return shell(parsed.globals, io);
  return run(argv, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`nzk: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
