import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";

// These cases all end before the install step, so they need no network and no real nats-server.
const script = fileURLToPath(new URL("../../infra/nats-server.sh", import.meta.url));
const tools = ["bash", "sed", "head", "sort", "find", "mkdir", "flock"];

let dir = "";
let bin = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nzk-test-script-"));
  // A PATH with only what the script needs, so a nats-server installed on this machine cannot interfere.
  bin = join(dir, "bin");
  await mkdir(bin);
  for (const tool of tools) {
    const found = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map((d) => join(d, tool)).find(existsSync);
    if (found !== undefined) await symlink(found, join(bin, tool));
  }
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeServer(path: string, version: string): Promise<string> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, `#!/bin/sh\necho "nats-server: v${version}"\n`);
  await chmod(path, 0o755);
  return path;
}

function run(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(bin, "bash"),
      [script],
      { env: { PATH: bin, XDG_CACHE_HOME: join(dir, "cache"), ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

describe("infra/nats-server.sh", () => {
  test("uses NATS_SERVER_BIN when it is 2.10 or newer, printing only its path", async () => {
    const fake = await fakeServer(join(dir, "mine", "nats-server"), "2.10.0");
    expect(await run({ NATS_SERVER_BIN: fake })).toMatchObject({ code: 0, stdout: `${fake}\n` });
  });

  test("refuses an older NATS_SERVER_BIN and says what to do", async () => {
    const fake = await fakeServer(join(dir, "old", "nats-server"), "2.9.25");
    const result = await run({ NATS_SERVER_BIN: fake });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("2.9.25");
    expect(result.stderr).toContain("set NATS_SERVER_BIN=");
  });

  test("takes a new enough nats-server on PATH", async () => {
    const fake = await fakeServer(join(bin, "nats-server"), "2.11.4");
    expect(await run({})).toMatchObject({ code: 0, stdout: `${fake}\n` });
  });

  test("passes over an old one on PATH for the newest cached copy", async () => {
    await fakeServer(join(bin, "nats-server"), "2.9.25");
    const cache = join(dir, "cache", "nzk", "nats-server");
    await fakeServer(join(cache, "2.10.27", "nats-server"), "2.10.27");
    const newest = await fakeServer(join(cache, "2.15.1", "nats-server"), "2.15.1");
    await fakeServer(join(cache, "2.9.0", "nats-server"), "2.9.0");
    expect(await run({})).toMatchObject({ code: 0, stdout: `${newest}\n` });
  });
});
