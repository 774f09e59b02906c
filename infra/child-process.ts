import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running server process whose recent log lines are kept to explain a failure. */
export interface Launched {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last log lines, oldest first. */
  readonly tail: readonly string[];
  /** Settles once the process has exited and `afterExit` has run. */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
}

const LOG_TAIL = 40;
const POLL_MS = 20;
const SETPRIV = "/usr/bin/setpriv";

/**
 * Spawns `command`, feeding each line it prints to `logger` and nothing to this process's stdout. It dies
 * with this process: when this process is killed, Linux kills it (PR_SET_PDEATHSIG, set by setpriv, which
 * then execs the command under the same pid; SIGKILL, because a paused process would sit on a SIGTERM
 * forever), and when this process exits normally it is asked to shut down.
 */
export async function launch(
  command: string,
  args: readonly string[],
  logger: ((line: string) => void) | undefined,
  afterExit: () => Promise<void>,
): Promise<Launched> {
  const [file, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", command, ...args]]
    : [command, [...args]];
  const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL) tail.shift();
      logger?.(line);
    });
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      void afterExit().then(() => resolve({ code, signal }));
    });
  });
  await once(child, "spawn");
  track(child);
  return {
    child,
    pid: child.pid!,
    tail,
    exited,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** SIGTERM, then SIGKILL if the process has not exited within `timeoutMs`. */
export async function terminate(launched: Launched, timeoutMs: number): Promise<Exit> {
  if (!launched.hasExited()) {
    launched.child.kill("SIGTERM");
    // A paused (SIGSTOPped) process acts on the SIGTERM only once it runs again.
    launched.child.kill("SIGCONT");
  }
  const timer = setTimeout(() => launched.child.kill("SIGKILL"), timeoutMs);
  try {
    return await launched.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it yields a value; fails if the process exits or `deadline` (epoch ms) passes. */
export async function pollWhileRunning<T>(
  launched: Launched,
  what: string,
  deadline: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    if (launched.hasExited()) {
      const { exitCode, signalCode } = launched.child;
      throw new ProcessError(
        `exited (code ${exitCode}, signal ${signalCode}) while waiting for ${what}`,
        launched.tail,
      );
    }
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ProcessError(`timed out waiting for ${what}`, launched.tail);
    await delay(POLL_MS);
  }
}

/** A process failed to start or to become ready: `reason` says how, `log` holds its last log lines. */
export class ProcessError extends Error {
  override readonly name: string = "ProcessError";
  readonly reason: string;
  readonly log: readonly string[];

  constructor(reason: string, log: readonly string[], options?: ErrorOptions) {
    super(log.length === 0 ? reason : `${reason}\n${log.join("\n")}`, options);
    this.reason = reason;
    this.log = [...log];
  }
}

const live = new Set<ChildProcess>();
let reaperInstalled = false;

function track(child: ChildProcess): void {
  if (!reaperInstalled) {
    process.on("exit", () => {
      for (const running of live) {
        running.kill("SIGTERM");
        running.kill("SIGCONT");
      }
    });
    reaperInstalled = true;
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}
