/**
 * kazoo (Debian's python3-kazoo, installed by install-clients.sh) runs its Lock, Election, Barrier,
 * Counter and Queue recipes, DataWatch/ChildrenWatch, a transaction and an ephemeral's session end
 * against a member's ZooKeeper port (kazoo_recipes.py).
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { zkMember } from "./fixture.ts";

const PYTHON = "/usr/bin/python3";
const script = fileURLToPath(new URL("./kazoo_recipes.py", import.meta.url));
const missing = spawnSync(PYTHON, ["-c", "import kazoo"]).status !== 0;
if (missing)
  console.warn(
    `skipping the kazoo test: ${PYTHON} cannot import kazoo (run test/zookeeper/install-clients.sh)`,
  );

describe("kazoo recipes", () => {
  it.skipIf(missing)(
    "Lock, Election, Barrier, Counter, Queue and watches work unchanged",
    { timeout: 90_000 },
    async () => {
      await using zk = await zkMember();
      const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(PYTHON, [script, zk.connect], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
        });
        child.stderr.on("data", (c: Buffer) => {
          out += c.toString();
        });
        child.on("close", (c) => resolve({ code: c, out }));
      });
      expect(out.match(/^ok \w+$/gm), out).toEqual([
        "ok lock",
        "ok election",
        "ok barrier",
        "ok counter",
        "ok queue",
        "ok watches",
        "ok session",
      ]);
      expect(code).toBe(0);
    },
  );
});
