import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./nats-server.sh", import.meta.url));

let pending: Promise<string> | undefined;

/**
 * The path of a nats-server 2.10 or newer: $NATS_SERVER_BIN, one on PATH, the user's cache, or Debian's
 * package installed into that cache (see nats-server.sh). Resolved once per process; a failure is not
 * remembered, so a caller may fix the environment and try again.
 */
export function natsServerBinary(): Promise<string> {
  pending ??= runScript().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

function runScript(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    // Installing takes seconds; its progress is worth seeing, and its last words explain a failure.
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.once("error", (error) =>
      reject(new Error(`cannot run ${script} (is bash installed?): ${error.message}`, { cause: error })),
    );
    child.once("close", (code) => {
      const path = stdout.trim();
      if (code === 0 && path !== "") return resolve(path);
      reject(
        new Error(
          `no nats-server 2.10+ available (${script} exited with ${code}). ` +
            "Install nats-server 2.10 or newer and set NATS_SERVER_BIN=/path/to/nats-server, " +
            `or run 'bash infra/nats-server.sh' as root on Debian.\n${stderr.trim()}`,
        ),
      );
    });
  });
}
