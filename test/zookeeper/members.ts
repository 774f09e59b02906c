/**
 * nzk members as child processes (member/main.ts, as `npm start` runs it) on one NATS, each with its
 * ZooKeeper port on a free loopback port, for tests that kill -9 the member a client is connected to.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePorts } from "../../infra/index.ts";

const main = fileURLToPath(new URL("../../member/main.ts", import.meta.url));

export interface ZkMemberProcess extends AsyncDisposable {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly zkPort: number;
  kill9(): Promise<void>;
}

export async function spawnZkMember(
  natsUrl: string,
  id: string,
  env: Record<string, string> = {},
): Promise<ZkMemberProcess> {
  const [httpPort, zkPort] = await freePorts(2);
  const proc = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      NATS_URL: natsUrl,
      NZK_MEMBER_ID: id,
      NZK_HTTP_PORT: String(httpPort),
      NZK_ZK_PORT: String(zkPort),
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`member ${id} did not start its ZooKeeper port`)),
      60_000,
    );
    createInterface({ input: proc.stdout! }).on("line", (text) => {
      if (process.env.NZK_TEST_LOG) console.error(id, text);
      if (text.includes('"nzk serving"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", () => reject(new Error(`member ${id} exited while starting`)));
  });
  const kill9 = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
  };
  return { id, proc, zkPort: zkPort!, kill9, [Symbol.asyncDispose]: kill9 };
}

/** A four-letter word's answer from a port. */
export function fourLetter(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
    socket.write(word);
  });
}

/** Polls the members' `srvr` until one leads and the rest follow. */
export async function settled(members: readonly ZkMemberProcess[], timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const modes = await Promise.all(
      members.map(async (m) => /Mode: (\w+)/.exec(await fourLetter(m.zkPort, "srvr"))?.[1]),
    );
    const leaders = modes.filter((m) => m === "leader").length;
    if (leaders === 1 && modes.every((m) => m === "leader" || m === "follower")) return;
    if (performance.now() > deadline) throw new Error(`the ensemble did not settle: ${modes.join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
