import { describe, expect, it } from "vitest";
import { apply } from "../../core/apply.ts";
import { DataTree } from "../../core/data-tree.ts";
import { OPEN_ACL_UNSAFE, type Stat, type TxnBody } from "../../core/records.ts";
import { serializeSnapshot } from "../../core/snapshot.ts";
import { bytes, create, createBody, del, digestACL, setACL, setData, txn } from "./txn-fixtures.ts";

const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data);

function treeWith(...paths: string[]): DataTree {
  const tree = new DataTree();
  paths.forEach((path, i) => {
    apply(tree, create(i + 1, path));
  });
  return tree;
}

/** Applies a txn meant to fail, at the tree's own lastZxid, and checks that not one byte of state moved. */
function expectUnchanged(tree: DataTree, body: TxnBody) {
  const before = serializeSnapshot(tree);
  const applied = apply(tree, txn(tree.lastZxid, body));
  expect(serializeSnapshot(tree)).toEqual(before);
  expect(applied.events).toEqual([]);
  return applied.result;
}

describe("create", () => {
  it("sets every Stat field of the new node", () => {
    const tree = new DataTree();
    const applied = apply(tree, create(5, "/a", { data: bytes("hello") }));
    const stat: Stat = {
      czxid: 5,
      mzxid: 5,
      ctime: 5000,
      mtime: 5000,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: 5,
    };
    expect(applied).toEqual({
      zxid: 5,
      result: { type: "create", path: "/a", stat },
      events: [
        { type: "NodeCreated", path: "/a", zxid: 5 },
        { type: "NodeChildrenChanged", path: "/", zxid: 5 },
      ],
    });
    expect(tree.stat("/a")).toEqual(stat);
    expect(text(tree.data("/a"))).toBe("hello");
    expect(tree.acl("/a")).toEqual(OPEN_ACL_UNSAFE);
  });

  it("moves the parent's cversion to parentCVersion and its pzxid to the zxid", () => {
    const tree = treeWith("/p");
    apply(tree, create(2, "/p/a", { parentCVersion: 1 }));
    expect(tree.persistedCversion("/p")).toBe(1);
    expect(tree.stat("/p")).toMatchObject({ cversion: 1, pzxid: 2, numChildren: 1, mzxid: 1, version: 0 });
  });

  it("takes parentCVersion -1 as one more than the parent's cversion", () => {
    const tree = treeWith("/p", "/p/a");
    apply(tree, create(3, "/p/b", { parentCVersion: -1 }));
    expect(tree.persistedCversion("/p")).toBe(2);
    expect(tree.stat("/p")).toMatchObject({ cversion: 2, pzxid: 3 });
  });

  it("leaves the parent's cversion and pzxid when parentCVersion is not above it (ZooKeeper's replay rule)", () => {
    const tree = treeWith("/p");
    apply(tree, create(2, "/p/a", { parentCVersion: 7 }));
    apply(tree, create(3, "/p/b", { parentCVersion: 5 }));
    apply(tree, create(4, "/p/c", { parentCVersion: 7 }));
    expect(tree.persistedCversion("/p")).toBe(7);
    expect(tree.stat("/p")).toMatchObject({ pzxid: 2, numChildren: 3 });
    expect(tree.has("/p/b") && tree.has("/p/c")).toBe(true);
    apply(tree, create(5, "/p/d", { parentCVersion: 8 }));
    expect(tree.persistedCversion("/p")).toBe(8);
    expect(tree.stat("/p")?.pzxid).toBe(5);
  });

  it("compares cversions as Java ints, so a cversion at 2^31 - 1 does not wrap forward", () => {
    const tree = treeWith("/p");
    apply(tree, create(2, "/p/a", { parentCVersion: 2 ** 31 - 1 }));
    apply(tree, create(3, "/p/b", { parentCVersion: -1 }));
    expect(tree.persistedCversion("/p")).toBe(2 ** 31 - 1);
    // DataNode.copyStat: (2^31 - 1) * 2 - 2 in int arithmetic
    expect(tree.stat("/p")).toMatchObject({ cversion: -4, pzxid: 2, numChildren: 2 });
  });

  it("fails with NodeExists on an existing path and changes nothing", () => {
    const tree = treeWith("/p", "/p/a");
    const lists = tree.acls.size;
    const result = expectUnchanged(tree, createBody("/p/a", { data: bytes("other"), acl: [digestACL("u")] }));
    expect(result).toEqual({ type: "error", err: "NodeExists", path: "/p/a" });
    expect(tree.acls.size).toBe(lists);
  });

  it("fails with NoNode when the parent is missing and changes nothing", () => {
    const tree = treeWith("/p");
    expect(expectUnchanged(tree, createBody("/q/a"))).toEqual({ type: "error", err: "NoNode", path: "/q/a" });
    expect(expectUnchanged(tree, createBody("relative"))).toMatchObject({ err: "NoNode" });
  });
});

describe("the client cversion and the sequential-suffix cversion", () => {
  it("client cversion counts creates and deletes; the persisted one counts creates only", () => {
    const tree = treeWith("/p", "/p/a", "/p/b");
    expect(tree.persistedCversion("/p")).toBe(2);
    expect(tree.stat("/p")?.cversion).toBe(2);
    apply(tree, del(4, "/p/a"));
    // ZooKeeper's next sequential child under /p is ...0000000002, though a client sees cversion 3
    expect(tree.persistedCversion("/p")).toBe(2);
    expect(tree.stat("/p")).toMatchObject({ cversion: 3, numChildren: 1, pzxid: 4 });
    apply(tree, create(5, "/p/c"));
    expect(tree.persistedCversion("/p")).toBe(3);
    expect(tree.stat("/p")).toMatchObject({ cversion: 4, numChildren: 2, pzxid: 5 });
  });
});

describe("delete", () => {
  it("removes the node, moves the parent's pzxid and fires NodeDeleted then NodeChildrenChanged", () => {
    const tree = treeWith("/p", "/p/a");
    const applied = apply(tree, del(3, "/p/a"));
    expect(applied).toEqual({
      zxid: 3,
      result: { type: "delete", path: "/p/a" },
      events: [
        { type: "NodeDeleted", path: "/p/a", zxid: 3 },
        { type: "NodeChildrenChanged", path: "/p", zxid: 3 },
      ],
    });
    expect(tree.has("/p/a")).toBe(false);
    expect(tree.stat("/p")).toMatchObject({ cversion: 2, numChildren: 0, pzxid: 3 });
    expect(tree.childNames("/p")).toEqual([]);
  });

  it("fires NodeChildrenChanged on / for a child of the root", () => {
    const tree = treeWith("/a");
    expect(apply(tree, del(2, "/a")).events[1]).toEqual({ type: "NodeChildrenChanged", path: "/", zxid: 2 });
  });

  it("only moves the parent's pzxid forward", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/p"));
    apply(tree, create(10, "/p/a"));
    apply(tree, del(9, "/p/a"));
    expect(tree.stat("/p")?.pzxid).toBe(10);
  });

  it("fails with NoNode for a missing node and changes nothing", () => {
    const tree = treeWith("/p");
    expect(expectUnchanged(tree, { type: "delete", path: "/p/a" })).toEqual({
      type: "error",
      err: "NoNode",
      path: "/p/a",
    });
  });

  it("refuses a node with children (NotEmpty) rather than orphan them, and the root", () => {
    const tree = treeWith("/p", "/p/a");
    expect(expectUnchanged(tree, { type: "delete", path: "/p" })).toMatchObject({
      err: "NotEmpty",
      path: "/p",
    });
    expect(expectUnchanged(tree, { type: "delete", path: "/" })).toMatchObject({ err: "BadArguments" });
  });
});

describe("setData", () => {
  it("sets data, mzxid, mtime and the txn's version, and fires NodeDataChanged", () => {
    const tree = treeWith("/a");
    const applied = apply(tree, setData(2, "/a", bytes("xyz"), 7));
    expect(applied.result).toEqual({
      type: "setData",
      path: "/a",
      stat: expect.objectContaining({
        czxid: 1,
        mzxid: 2,
        ctime: 1000,
        mtime: 2000,
        version: 7,
        dataLength: 3,
      }),
    });
    expect(applied.events).toEqual([{ type: "NodeDataChanged", path: "/a", zxid: 2 }]);
    expect(text(tree.data("/a"))).toBe("xyz");
    expect(tree.stat("/a")).toMatchObject({ pzxid: 1, cversion: 0, aversion: 0 });
  });

  it("fails with NoNode and changes nothing", () => {
    const tree = treeWith("/a");
    const body: TxnBody = { type: "setData", path: "/b", data: bytes("x"), version: 1 };
    expect(expectUnchanged(tree, body)).toEqual({ type: "error", err: "NoNode", path: "/b" });
  });
});

describe("setACL", () => {
  it("sets the ACL and the txn's aversion, and fires nothing", () => {
    const tree = treeWith("/a");
    const applied = apply(tree, setACL(2, "/a", [digestACL("u", 3)], 4));
    expect(applied.result).toEqual({
      type: "setACL",
      path: "/a",
      stat: expect.objectContaining({ aversion: 4, version: 0, mzxid: 1 }),
    });
    expect(applied.events).toEqual([]);
    expect(tree.acl("/a")).toEqual([digestACL("u", 3)]);
  });

  it("fails with NoNode and changes nothing", () => {
    const tree = treeWith("/a");
    const body: TxnBody = { type: "setACL", path: "/b", acl: OPEN_ACL_UNSAFE, version: 1 };
    expect(expectUnchanged(tree, body)).toEqual({ type: "error", err: "NoNode", path: "/b" });
  });
});

describe("check and error txns", () => {
  it("check changes nothing, even for a missing path, as ZooKeeper's DataTree", () => {
    const tree = treeWith("/a");
    expect(expectUnchanged(tree, { type: "check", path: "/a", version: 3 })).toEqual({
      type: "check",
      path: "/a",
    });
    expect(expectUnchanged(tree, { type: "check", path: "/zz", version: 0 })).toEqual({
      type: "check",
      path: "/zz",
    });
  });

  it("an error txn reports its code and changes nothing", () => {
    const tree = treeWith("/a");
    expect(expectUnchanged(tree, { type: "error", err: "BadVersion" })).toEqual({
      type: "error",
      err: "BadVersion",
    });
  });
});

describe("lastZxid", () => {
  it("is the zxid of the last txn applied, whether it succeeded or not", () => {
    const tree = treeWith("/a");
    expect(tree.lastZxid).toBe(1);
    apply(tree, create(2, "/a"));
    expect(tree.lastZxid).toBe(2);
    apply(tree, txn(3, { type: "error", err: "NoAuth" }));
    expect(tree.lastZxid).toBe(3);
    apply(tree, txn(4, { type: "multi", txns: [{ type: "error", err: "NoNode" }] }));
    expect(tree.lastZxid).toBe(4);
  });
});

describe("multi", () => {
  it("applies every sub-txn in order, with results and events in order, all at the multi's zxid", () => {
    const tree = new DataTree();
    const applied = apply(
      tree,
      txn(1, {
        type: "multi",
        txns: [
          createBody("/m"),
          createBody("/m/a"),
          { type: "setData", path: "/m", data: bytes("x"), version: 1 },
          { type: "check", path: "/m", version: 1 },
          { type: "delete", path: "/m/a" },
        ],
      }),
    );
    expect(applied.result.type).toBe("multi");
    const results = applied.result.type === "multi" ? applied.result.results : [];
    expect(results.map((r) => r.type)).toEqual(["create", "create", "setData", "check", "delete"]);
    expect(applied.events).toEqual([
      { type: "NodeCreated", path: "/m", zxid: 1 },
      { type: "NodeChildrenChanged", path: "/", zxid: 1 },
      { type: "NodeCreated", path: "/m/a", zxid: 1 },
      { type: "NodeChildrenChanged", path: "/m", zxid: 1 },
      { type: "NodeDataChanged", path: "/m", zxid: 1 },
      { type: "NodeDeleted", path: "/m/a", zxid: 1 },
      { type: "NodeChildrenChanged", path: "/m", zxid: 1 },
    ]);
    expect(tree.stat("/m")).toMatchObject({ version: 1, cversion: 2, numChildren: 0, pzxid: 1 });
  });

  it("applies nothing when prep failed it: the error sub-txns' codes are the results", () => {
    const tree = treeWith("/a");
    const body: TxnBody = {
      type: "multi",
      txns: [
        { type: "error", err: "Ok" },
        { type: "error", err: "NodeExists" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    };
    expect(expectUnchanged(tree, body)).toEqual({
      type: "multi",
      results: [
        { type: "error", err: "Ok" },
        { type: "error", err: "NodeExists" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    });
  });

  it("with one error sub-txn: Ok before it, its code, RuntimeInconsistency after, nothing applied", () => {
    const tree = treeWith("/a");
    const body: TxnBody = {
      type: "multi",
      txns: [createBody("/x"), { type: "error", err: "BadVersion" }, createBody("/y")],
    };
    expect(expectUnchanged(tree, body)).toEqual({
      type: "multi",
      results: [
        { type: "error", err: "Ok" },
        { type: "error", err: "BadVersion" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    });
  });

  it("fails whole, the same way, when a sub-txn does not fit the tree as the earlier ones leave it", () => {
    const tree = treeWith("/p", "/p/a");
    const cases: [TxnBody[], number, string, string][] = [
      [
        [createBody("/x"), { type: "setData", path: "/nope", data: bytes(""), version: 1 }, createBody("/y")],
        1,
        "NoNode",
        "/nope",
      ],
      [[createBody("/x"), createBody("/x")], 1, "NodeExists", "/x"],
      [[createBody("/q"), createBody("/q/r"), { type: "delete", path: "/q" }], 2, "NotEmpty", "/q"],
      [
        [
          { type: "delete", path: "/p/a" },
          { type: "delete", path: "/p/a" },
        ],
        1,
        "NoNode",
        "/p/a",
      ],
      [[{ type: "delete", path: "/p" }], 0, "NotEmpty", "/p"],
      [[{ type: "delete", path: "/p/a" }, createBody("/p/a/b")], 1, "NoNode", "/p/a/b"],
    ];
    for (const [txns, index, err, path] of cases) {
      const result = expectUnchanged(tree, { type: "multi", txns });
      expect(result).toEqual({
        type: "multi",
        results: txns.map((_, i) =>
          i < index
            ? { type: "error", err: "Ok" }
            : i === index
              ? { type: "error", err, path }
              : { type: "error", err: "RuntimeInconsistency" },
        ),
      });
    }
  });

  it("sees its own earlier sub-txns: delete then re-create, delete a child then its parent", () => {
    const tree = treeWith("/p", "/p/a");
    const applied = apply(
      tree,
      txn(3, {
        type: "multi",
        txns: [
          { type: "delete", path: "/p/a" },
          { type: "delete", path: "/p" },
          createBody("/p"),
          createBody("/p/a"),
        ],
      }),
    );
    const results = applied.result.type === "multi" ? applied.result.results : [];
    expect(results.map((r) => r.type)).toEqual(["delete", "delete", "create", "create"]);
    expect(tree.stat("/p")).toMatchObject({ czxid: 3, numChildren: 1 });
  });

  it("refuses session txns and nested multis inside a multi, as ZooKeeper's multi does", () => {
    const tree = treeWith("/a");
    const body: TxnBody = {
      type: "multi",
      txns: [createBody("/x"), { type: "createSession", timeout: 1, password: bytes("") }],
    };
    expect(expectUnchanged(tree, body)).toEqual({
      type: "multi",
      results: [
        { type: "error", err: "Ok" },
        { type: "error", err: "BadArguments" },
      ],
    });
  });
});

describe("sessions and ephemerals", () => {
  const sid = 0x1_0000_0001;

  function withSession(): DataTree {
    const tree = new DataTree();
    apply(tree, txn(sid, { type: "createSession", timeout: 30_000, password: bytes("secret") }));
    return tree;
  }

  it("createSession adds a session whose id is the txn's zxid", () => {
    const tree = withSession();
    expect(tree.session(sid)).toEqual({ sessionId: sid, timeout: 30_000, password: bytes("secret") });
    expect([...tree.sessions()].map((s) => s.sessionId)).toEqual([sid]);
    const applied = apply(tree, txn(sid + 1, { type: "createSession", timeout: 5000, password: bytes("p") }));
    expect(applied).toEqual({
      zxid: sid + 1,
      result: { type: "createSession", sessionId: sid + 1, timeout: 5000 },
      events: [],
    });
  });

  it("an ephemeral carries its session as ephemeralOwner and is listed for the session", () => {
    const tree = withSession();
    const applied = apply(tree, create(sid + 1, "/e", { ephemeralOwner: sid }));
    expect(applied.result).toMatchObject({ stat: { ephemeralOwner: BigInt(sid) } });
    expect(tree.persistedOwner("/e")).toBe(BigInt(sid));
    expect(tree.persistedOwner("/")).toBe(0n);
    expect(tree.persistedOwner("/nope")).toBeUndefined();
    expect(tree.ephemeralsOf(sid)).toEqual(["/e"]);
    apply(tree, del(sid + 2, "/e"));
    expect(tree.ephemeralsOf(sid)).toEqual([]);
  });

  it("closeSession deletes the txn's paths in order, then the session's other ephemerals, then the session", () => {
    const tree = withSession();
    let zxid = sid;
    for (const path of ["/e3", "/e1", "/e2"]) apply(tree, create(++zxid, path, { ephemeralOwner: sid }));
    apply(tree, create(++zxid, "/keep"));
    const applied = apply(tree, txn(++zxid, { type: "closeSession", paths: ["/e2", "/gone"] }, sid));
    expect(applied.result).toEqual({ type: "closeSession", sessionId: sid });
    expect(applied.events).toEqual(
      ["/e2", "/e1", "/e3"].flatMap((path) => [
        { type: "NodeDeleted", path, zxid },
        { type: "NodeChildrenChanged", path: "/", zxid },
      ]),
    );
    expect(tree.session(sid)).toBeUndefined();
    expect(tree.ephemeralsOf(sid)).toEqual([]);
    expect(tree.childNames("/")?.sort()).toEqual(["keep", "zookeeper"]);
    expect(tree.stat("/")?.pzxid).toBe(zxid);
  });

  it("closeSession of a session with no ephemerals only forgets it", () => {
    const tree = withSession();
    const applied = apply(tree, txn(sid + 1, { type: "closeSession", paths: [] }, sid));
    expect(applied.events).toEqual([]);
    expect(tree.session(sid)).toBeUndefined();
  });
});

describe("containers and TTL nodes", () => {
  it("a container's persisted ephemeralOwner is Long.MIN_VALUE (0x8000000000000000); clients see 0", () => {
    const tree = new DataTree();
    const applied = apply(tree, create(1, "/c", { container: true }));
    expect(applied.result).toMatchObject({ stat: { ephemeralOwner: 0n } });
    expect(tree.persistedOwner("/c")).toBe(0x8000_0000_0000_0000n);
    expect(tree.containers()).toEqual(["/c"]);
    expect(tree.ephemeralsOf(0)).toEqual([]);
    apply(tree, del(2, "/c"));
    expect(tree.containers()).toEqual([]);
  });

  it("a TTL node's persisted ephemeralOwner is 0xff in the high byte with the ttl below; clients see 0", () => {
    const tree = new DataTree();
    const applied = apply(tree, create(1, "/t", { ttl: 5000 }));
    expect(applied.result).toMatchObject({ stat: { ephemeralOwner: 0n } });
    expect(tree.persistedOwner("/t")).toBe(0xff00_0000_0000_1388n);
    expect(tree.ttls()).toEqual(["/t"]);
    expect(tree.ttlOf("/t")).toBe(5000);
    expect(tree.ttlOf("/")).toBeUndefined();
    apply(tree, create(2, "/t2", { ttl: 2 ** 40 - 1 }));
    expect(tree.persistedOwner("/t2")).toBe(0xff00_00ff_ffff_ffffn);
  });
});

describe("the ACL cache", () => {
  const aclId = (tree: DataTree, path: string) => tree.nodes.acl[tree.nodes.slotOf(path)!]!;

  it("interns equal lists once and counts their users", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/a", { acl: [digestACL("u")] }));
    apply(tree, create(2, "/b", { acl: [digestACL("u")] }));
    apply(tree, create(3, "/c", { acl: [digestACL("v")] }));
    const id = aclId(tree, "/a");
    expect(aclId(tree, "/b")).toBe(id);
    expect(aclId(tree, "/c")).not.toBe(id);
    expect(tree.acls.references(id)).toBe(2);
    expect(tree.acls.size).toBe(3);
  });

  it("drops a list with its last user and never reuses its id", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/a", { acl: [digestACL("u")] }));
    apply(tree, create(2, "/b", { acl: [digestACL("u")] }));
    const id = aclId(tree, "/a");
    apply(tree, del(3, "/a"));
    expect(tree.acls.references(id)).toBe(1);
    apply(tree, del(4, "/b"));
    expect(tree.acls.has(id)).toBe(false);
    expect(tree.acls.size).toBe(1);
    apply(tree, create(5, "/a", { acl: [digestACL("u")] }));
    expect(aclId(tree, "/a")).toBe(id + 1);
  });

  it("setACL releases the old list before interning the new, as ZooKeeper (so an equal list gets a new id)", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/a", { acl: [digestACL("u")] }));
    const id = aclId(tree, "/a");
    apply(tree, setACL(2, "/a", [digestACL("u")], 1));
    expect(aclId(tree, "/a")).toBe(id + 1);
    expect(tree.acls.has(id)).toBe(false);
    apply(tree, setACL(3, "/a", OPEN_ACL_UNSAFE, 2));
    expect(tree.acls.size).toBe(2);
  });

  it("order matters in list equality, as List.equals", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/a", { acl: [digestACL("u"), digestACL("v")] }));
    apply(tree, create(2, "/b", { acl: [digestACL("v"), digestACL("u")] }));
    expect(aclId(tree, "/a")).not.toBe(aclId(tree, "/b"));
  });
});
