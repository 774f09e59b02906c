/** `nzk` as a user runs it: a child process against a running nzk, with its exit code and streams. */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Nzk, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ["client/cli/nzk.mjs", ...args], {
    env: { ...process.env, NZK_URL: nzk.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, out, err };
}

/** Resolves with everything printed so far once stdout holds `text`. */
function printed(child: ChildProcess, text: string): Promise<string> {
  let out = "";
  return new Promise((resolve) =>
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes(text)) resolve(out);
    }),
  );
}

describe("the nzk executable", () => {
  it("exits 0, 1 and 2 with zkCli's messages", async () => {
    expect(await finish(start(["create", "/p", "hi"]))).toEqual({ code: 0, out: "Created /p\n", err: "" });
    expect(await finish(start(["get", "/p"]))).toEqual({ code: 0, out: "hi\n", err: "" });
    const missing = await finish(start(["get", "/nope"]));
    expect([missing.code, missing.err]).toEqual([
      1,
      "Node does not exist: /nope (KeeperErrorCode = NoNode, -101)\n",
    ]);
    const usage = await finish(start(["get"]));
    expect([usage.code, usage.err]).toEqual([2, "usage: get [-s] [-w] path\n"]);
  });

  it("watch -R streams events until interrupted", async () => {
    const child = start(["watch", "-R", "/streamed"]);
    const done = finish(child);
    const client = nzk.client();
    // the command streams what happens after its first sync; write until its first event shows that it has
    let streaming = false;
    void printed(child, "NodeCreated").then(() => (streaming = true));
    for (let i = 0; !streaming; i++) await client.create(`/streamed/p${i}`, { parents: true });
    const seen = printed(child, "NodeCreated path:/streamed/b");
    await client.create("/streamed/b", { data: "x" });
    const out = await seen;
    child.kill("SIGINT");
    expect((await done).code).toBe(0);
    expect(out).toMatch(
      /WatchedEvent state:SyncConnected type:NodeCreated path:\/streamed\/b zxid: 0x[0-9a-f]+/,
    );
  });

  it("lock runs a command while holding the lock, one holder at a time, with the command's exit code", async () => {
    const client = nzk.client();
    await client.create("/lock-log", { data: "" });
    // a read-modify-write by two separate processes: without the lock, concurrent runs lose tags
    const script = (tag: string) =>
      `n=$(node client/cli/nzk.mjs get /lock-log); node client/cli/nzk.mjs set /lock-log "\${n}${tag} "`;
    const runs = ["a", "b", "c"].map((tag) =>
      finish(start(["lock", "/locks/cli", "--", "sh", "-c", script(tag)])),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const log = (await client.get("/lock-log")).data.trim().split(" ");
    expect(log.sort()).toEqual(["a", "b", "c"]);
    const failing = await finish(start(["lock", "/locks/cli", "--", "sh", "-c", "exit 7"]));
    expect(failing.code).toBe(7);
    expect((await client.children("/locks/cli")).children).toEqual([]);
  });
});
