/**
 * ZooKeeper's own Java client, zkCli.sh from Debian's zookeeper package (installed by
 * install-clients.sh), running a script of commands against a member's ZooKeeper port: it uses the
 * 3.x opcodes (create2, containers, TTL, getEphemerals, getAllChildrenNumber, whoAmI, addWatch,
 * removeWatches, sync) that node-zookeeper-client lacks.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { zkMember } from "./fixture.ts";

const ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh";
const missing = !existsSync(ZKCLI);
if (missing)
  console.warn(`skipping the zkCli test: ${ZKCLI} is not installed (run test/zookeeper/install-clients.sh)`);

function run(server: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ZKCLI, ["-server", server], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("error", reject);
    child.on("close", () => resolve(out));
    child.stdin.end(script);
  });
}

describe("zkCli.sh (ZooKeeper's Java client)", () => {
  it.skipIf(missing)(
    "runs a script of commands against the ZooKeeper port",
    { timeout: 90_000 },
    async () => {
      await using zk = await zkMember();
      const script = readFileSync(fileURLToPath(new URL("./zkcli-script.txt", import.meta.url)), "utf8");
      const out = await run(zk.connect, script);
      const lines = out.split("\n").filter((l) => !/^\s*at |INFO|SLF4J|^\s*$/.test(l));
      const expected = [
        "Created /cli",
        "hello",
        "world",
        "dataVersion = 1",
        "Created /cli/eph",
        "Created /cli/seq-0000000001",
        "Created /cli/box",
        "Created /cli/ttl",
        "[box, eph, seq-0000000001, ttl]",
        "[/cli/eph]",
        "4",
        "'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=",
        ": cdrwa",
        "digest: alice",
        "WatchedEvent state:SyncConnected type:NodeDataChanged path:/cli/eph",
        "WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/cli",
        "Sync is OK",
        "[eph, seq-0000000001]",
        "Node does not exist: /missing",
      ];
      let at = 0;
      for (const want of expected) {
        const found = lines.findIndex((l, i) => i >= at && l.includes(want));
        expect(found, `"${want}" after line ${at} of:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      expect(zk.member.replica.tree.has("/cli/box")).toBe(false);
    },
  );
});
