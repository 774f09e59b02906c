/**
 * Regression tests for bugs the property tests in test/core/properties found, each named after what
 * broke and reduced to the fewest steps that show it.
 */
import { describe, expect, it } from "vitest";
import { apply } from "../../core/apply.ts";
import { DataTree } from "../../core/data-tree.ts";
import { Preparer } from "../../core/prep.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../../core/records.ts";

const anyone = { sessionId: 0, auth: [] };

function run(tree: DataTree, zxid: number, req: WriteRequest) {
  return apply(tree, new Preparer(tree).prep(anyone, { zxid, time: 1000 }, req));
}

describe("regressions", () => {
  // ZooKeeper's DataNode.copyStat gives clients getClientEphemeralOwner(stat): 0 unless the node is a
  // session's ephemeral; the container and TTL markers stay in StatPersisted (snapshots), and
  // shared/API.md promises "0x0" for non-ephemerals. Clients that test ephemeralOwner != 0 to spot
  // ephemerals (zkCli's stat, Curator, kazoo) would take containers and TTL nodes for ephemerals.
  it("a container's and a TTL node's Stat shows ephemeralOwner 0, as DataNode.copyStat does", () => {
    const tree = new DataTree();
    const data = new Uint8Array(0);
    const container = run(tree, 1, {
      op: "create",
      path: "/c",
      data,
      acl: OPEN_ACL_UNSAFE,
      mode: "container",
    });
    const ttl = run(tree, 2, {
      op: "create",
      path: "/t",
      data,
      acl: OPEN_ACL_UNSAFE,
      mode: "persistent_ttl",
      ttl: 5000,
    });
    expect(container.result).toMatchObject({ type: "create", stat: { ephemeralOwner: 0n } });
    expect(ttl.result).toMatchObject({ type: "create", stat: { ephemeralOwner: 0n } });
    expect(tree.stat("/c")?.ephemeralOwner).toBe(0n);
    expect(tree.stat("/t")?.ephemeralOwner).toBe(0n);
  });
});
