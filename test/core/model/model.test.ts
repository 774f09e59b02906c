/**
 * The reference model against behaviour a real ZooKeeper 3.9 shows, so that the model itself is
 * checked before core is checked against it.
 */
import { describe, expect, it } from "vitest";
import { OPEN_ACL_UNSAFE, type Stamp, type WriteRequest } from "../../../core/records.ts";
import { ZkModel } from "./index.ts";

const anyone = { sessionId: 0, auth: [] };
const bytes = new Uint8Array(0);

function runAll(model: ZkModel, requests: WriteRequest[]) {
  return requests.map((req, i) => {
    const stamp: Stamp = { zxid: 0x1_0000_0000 + i + 1, time: 1000 + i };
    return model.run(anyone, stamp, req);
  });
}

describe("reference model", () => {
  it("starts as a fresh ZooKeeper: / has cversion -1, /zookeeper/config aversion -1 and read-only", () => {
    const model = new ZkModel();
    expect(model.paths()).toEqual(["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
    expect(model.stat("/")).toMatchObject({ cversion: -1, numChildren: 1, pzxid: 0 });
    expect(model.stat("/zookeeper")).toMatchObject({ cversion: -2, numChildren: 2 });
    expect(model.stat("/zookeeper/config")).toMatchObject({ aversion: -1 });
  });

  it("numbers sequential children from the creates under the parent, deletes not counted", () => {
    const model = new ZkModel();
    const create = (path: string): WriteRequest => ({
      op: "create",
      path,
      data: bytes,
      acl: OPEN_ACL_UNSAFE,
      mode: "persistent_sequential",
    });
    const results = runAll(model, [
      create("/q-"),
      { op: "delete", path: "/q-0000000000", version: -1 },
      create("/q-"),
    ]);
    expect(results.map((r) => r.result.type === "create" && r.result.path)).toEqual([
      "/q-0000000000",
      false,
      "/q-0000000001",
    ]);
    // two creates, one delete: the client's cversion counts all three
    expect(model.stat("/")).toMatchObject({ cversion: 2 * 2 - 2, numChildren: 2, pzxid: 0x1_0000_0003 });
  });

  it("fails a multi with Ok before the failing op, its code, RuntimeInconsistency after, and no change", () => {
    const model = new ZkModel();
    const [outcome] = runAll(model, [
      {
        op: "multi",
        ops: [
          { op: "create", path: "/a", data: bytes, acl: OPEN_ACL_UNSAFE, mode: "persistent" },
          { op: "setData", path: "/a", data: bytes, version: 3 },
          { op: "delete", path: "/a", version: -1 },
        ],
      },
    ]);
    expect(outcome!.result).toEqual({
      type: "multi",
      results: [
        { type: "error", err: "Ok" },
        { type: "error", err: "BadVersion" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    });
    expect(outcome!.events).toEqual([]);
    expect(model.stat("/a")).toBeUndefined();
  });

  it("hides container and TTL markers from the client's ephemeralOwner, as DataNode.copyStat does", () => {
    const model = new ZkModel();
    runAll(model, [
      { op: "create", path: "/c", data: bytes, acl: OPEN_ACL_UNSAFE, mode: "container" },
      { op: "create", path: "/t", data: bytes, acl: OPEN_ACL_UNSAFE, mode: "persistent_ttl", ttl: 5 },
    ]);
    expect(model.stat("/c")?.ephemeralOwner).toBe(0n);
    expect(model.stat("/t")?.ephemeralOwner).toBe(0n);
  });
});
