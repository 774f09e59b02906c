/** Ending the child processes a bench started, by their PID. */
import type { ChildProcess } from "node:child_process";

/**
 * Sends signal to proc and resolves once it has exited (at once if it already has); with killAfterMs,
 * SIGKILL follows if it is still running by then.
 */
export async function endProcess(
  proc: ChildProcess,
  signal: NodeJS.Signals,
  killAfterMs?: number,
): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill(signal);
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill("SIGKILL"), killAfterMs);
  await exited;
  clearTimeout(timer);
}
