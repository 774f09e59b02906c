/** Starts member-child.ts as a process and follows what it logs. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/nats-core";

const script = fileURLToPath(new URL("./member-child.ts", import.meta.url));

export interface ChildMember extends AsyncDisposable {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** resolves with the first logged line (past or future) that matches */
  logged(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  probe(nc: NatsConnection): Promise<{ state: string; lastZxid: number; seq: number; tree: string }>;
}

export async function spawnMember(
  natsUrl: string,
  id: string,
  env: Record<string, string> = {},
): Promise<ChildMember> {
  const proc = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, NATS_URL: natsUrl, NZK_MEMBER_ID: id, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout! }).on("line", (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
    for (const w of waiters) w();
  });
  const logged = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = (): void => {
        const hit = lines.find(match);
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`member ${id} never logged what was expected; it logged ${JSON.stringify(lines)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const child: ChildMember = {
    id,
    proc,
    lines,
    logged,
    probe: async (nc) =>
      JSON.parse(
        new TextDecoder().decode((await nc.request(`nzk.test.${id}.probe`, "", { timeout: 5000 })).data),
      ),
    [Symbol.asyncDispose]: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGCONT");
        proc.kill("SIGKILL");
        await new Promise((r) => proc.once("exit", r));
      }
    },
  };
  await logged((l) => l.msg === "ready");
  return child;
}
