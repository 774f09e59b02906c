export { COMMANDS, type Command } from "./commands.ts";
export { Context, type Io, UsageError } from "./context.ts";
export { aclLines, errorLine, javaDate, parseAcl, statLines } from "./format.ts";
export { HELP, parseGlobals, run, runCommand } from "./run.ts";
export { serveEnv } from "./serve.ts";
export { shell, splitLine } from "./shell.ts";
