import { beforeEach, describe, expect, it } from "vitest";
import { generateDigest, SUPER_ID } from "../../core/auth.ts";
import { CONTAINER_OWNER, MAX_TTL, ttlOwner } from "../../core/ephemeral-type.ts";
import { sequenceSuffix, txnError } from "../../core/prep.ts";
import {
  type ACL,
  type Caller,
  type Id,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
} from "../../core/records.ts";
import { makeZxid } from "../../core/zxid.ts";
import { anon, bytes, create, Harness, T0 } from "./prep-harness.ts";

const alice: Id = { scheme: "digest", id: generateDigest("alice:pw") };
const aliceCaller: Caller = { sessionId: 0, auth: [alice] };
const only = (perms: number, id: Id = alice): ACL[] => [{ perms, id }];

let h: Harness;
beforeEach(() => {
  h = new Harness();
});

/** the error code of a request's txn, undefined when it succeeded */
function code(caller: Caller, req: Parameters<Harness["prepare"]>[1]): string | undefined {
  const prepared = h.prepare(caller, req);
  h.commit(prepared);
  return prepared.error?.code;
}

describe("create", () => {
  it("makes a create txn with the parent's next cversion and applies to the node", () => {
    const prepared = h.prepare(anon, create("/a", "persistent", { data: bytes("x") }));
    expect(prepared.error).toBeUndefined();
    expect(prepared.txn).toEqual({
      sessionId: 0,
      zxid: makeZxid(1, 1),
      time: T0,
      body: {
        type: "create",
        path: "/a",
        data: bytes("x"),
        acl: OPEN_ACL_UNSAFE,
        ephemeralOwner: 0,
        container: false,
        ttl: 0,
        parentCVersion: 1,
      },
    });
    expect(h.commit(prepared).result).toMatchObject({ type: "create", path: "/a" });
    expect(h.tree.data("/a")).toEqual(bytes("x"));
  });

  it("names sequential nodes from the parent's persisted cversion, deletes not rewinding it", () => {
    h.mkdirs("/q");
    expect(h.run(anon, create("/q/n-", "persistent_sequential"))).toMatchObject({ path: "/q/n-0000000000" });
    expect(h.run(anon, create("/q/n-", "persistent_sequential"))).toMatchObject({ path: "/q/n-0000000001" });
    h.run(anon, { op: "delete", path: "/q/n-0000000001", version: -1 });
    expect(h.run(anon, create("/q/", "persistent_sequential"))).toMatchObject({ path: "/q/0000000002" });
  });

  it("gives requests prepared before any apply distinct sequence numbers", () => {
    h.mkdirs("/q");
    const a = h.prepare(anon, create("/q/x", "persistent_sequential"));
    const b = h.prepare(anon, create("/q/x", "persistent_sequential"));
    expect(h.commit(a).result).toMatchObject({ path: "/q/x0000000000" });
    expect(h.commit(b).result).toMatchObject({ path: "/q/x0000000001" });
  });

  it('formats the suffix as String.format("%010d") of a Java int', () => {
    expect(sequenceSuffix(0)).toBe("0000000000");
    expect(sequenceSuffix(42)).toBe("0000000042");
    expect(sequenceSuffix(2147483647)).toBe("2147483647");
    expect(sequenceSuffix(-1)).toBe("-000000001");
    expect(sequenceSuffix(-2147483648)).toBe("-2147483648");
  });

  it("wraps the cversion past 2^31 - 1 as ZooKeeper does", () => {
    h.mkdirs("/q");
    h.tree.nodes.cversion[h.tree.nodes.slotOf("/q")!] = 2147483647;
    const first = h.prepare(anon, create("/q/s", "persistent_sequential"));
    const second = h.prepare(anon, create("/q/s", "persistent_sequential"));
    expect(first.txn.body).toMatchObject({ path: "/q/s2147483647", parentCVersion: -2147483648 });
    expect(second.txn.body).toMatchObject({ path: "/q/s-2147483648", parentCVersion: -2147483647 });
  });

  it("creates ephemerals owned by the session, and refuses them without one", () => {
    const s = h.session();
    expect(h.run(s, create("/e", "ephemeral"))).toMatchObject({
      stat: { ephemeralOwner: BigInt(s.sessionId) },
    });
    expect(h.tree.ephemeralsOf(s.sessionId)).toEqual(["/e"]);
    const prepared = h.prepare(anon, create("/e2", "ephemeral_sequential"));
    expect(prepared.error).toMatchObject({ code: "BadArguments", path: "/e2" });
    expect(prepared.error?.message).toMatch(/session/);
  });

  it("refuses a request from a session that does not exist with SessionExpired", () => {
    const ghost: Caller = { sessionId: 12345, auth: [] };
    expect(code(ghost, create("/e", "ephemeral"))).toBe("SessionExpired");
    expect(code(ghost, create("/p"))).toBe("SessionExpired");
  });

  it("refuses children of ephemerals", () => {
    const s = h.session();
    h.run(s, create("/e", "ephemeral"));
    expect(code(anon, create("/e/c"))).toBe("NoChildrenForEphemerals");
  });

  it("marks containers and TTL nodes in the owner, and lets them have children", () => {
    h.run(anon, create("/c", "container"));
    h.run(anon, create("/t", "persistent_ttl", { ttl: 5000 }));
    expect(h.prepare(anon, create("/c/x")).error).toBeUndefined();
    const ttlTxn = h.prepare(anon, create("/t/", "persistent_sequential_ttl", { ttl: MAX_TTL })).txn;
    expect(ttlTxn.body).toMatchObject({ container: false, ttl: MAX_TTL, ephemeralOwner: 0 });
    expect(
      h.preparer.prepare(anon, { zxid: 99e9, time: 0 }, create("/c2", "container")).txn.body,
    ).toMatchObject({
      container: true,
      ttl: 0,
    });
    expect(ttlOwner(5000)).toBe(0xff00_0000_0000_1388n);
    expect(CONTAINER_OWNER).toBe(0x8000_0000_0000_0000n);
  });

  it.each([
    ["persistent_ttl", undefined],
    ["persistent_ttl", 0],
    ["persistent_ttl", -5],
    ["persistent_ttl", MAX_TTL + 1],
    ["persistent_ttl", 1.5],
    ["persistent_sequential_ttl", undefined],
    ["persistent", 1000],
    ["persistent", 0],
    ["container", 1000],
  ] as const)("refuses mode %s with ttl %s (EphemeralType.validateTTL)", (mode, ttl) => {
    expect(code(anon, create("/t", mode, ttl === undefined ? {} : { ttl }))).toBe("BadArguments");
  });

  it("accepts ttl -1 for a mode without ttl, as ZooKeeper's plain create sends it", () => {
    expect(code(anon, create("/p", "persistent", { ttl: -1 }))).toBeUndefined();
  });

  it("refuses an existing node, a missing parent and an invalid path", () => {
    h.mkdirs("/a");
    expect(h.prepare(anon, create("/a")).error).toMatchObject({ code: "NodeExists", path: "/a" });
    expect(h.prepare(anon, create("/x/y")).error).toMatchObject({ code: "NoNode", path: "/x" });
    expect(h.prepare(anon, create("/a//b")).error).toMatchObject({ code: "BadArguments" });
    expect(h.prepare(anon, create("/a/")).error).toMatchObject({ code: "BadArguments" });
    expect(h.prepare(anon, create("/")).error).toMatchObject({ code: "NodeExists" });
  });

  it("needs CREATE on the parent", () => {
    h.run(
      anon,
      create("/locked", "persistent", {
        acl: only(Perms.ALL & ~Perms.CREATE, { scheme: "world", id: "anyone" }),
      }),
    );
    expect(code(anon, create("/locked/x"))).toBe("NoAuth");
    h.run(anon, create("/mine", "persistent", { acl: only(Perms.CREATE) }));
    expect(code(anon, create("/mine/x"))).toBe("NoAuth");
    expect(code(aliceCaller, create("/mine/x"))).toBeUndefined();
    expect(code({ sessionId: 0, auth: [SUPER_ID] }, create("/locked/x"))).toBeUndefined();
  });

  it("checks the ACL before NodeExists, as ZooKeeper does", () => {
    h.run(anon, create("/mine", "persistent", { acl: only(Perms.ALL) }));
    h.run(aliceCaller, create("/mine/x"));
    expect(code(anon, create("/mine/x"))).toBe("NoAuth");
  });

  it("stores the ACL fixed up: auth expanded to the caller's digest ids, duplicates dropped", () => {
    const acl: ACL[] = [
      { perms: Perms.ALL, id: { scheme: "auth", id: "" } },
      { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
      { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
    ];
    h.run(aliceCaller, create("/a", "persistent", { acl }));
    expect(h.tree.acl("/a")).toEqual([{ perms: Perms.ALL, id: alice }, READ_ACL_UNSAFE[0]]);
    expect(code(anon, create("/b", "persistent", { acl }))).toBe("InvalidACL");
    expect(code(anon, create("/b", "persistent", { acl: [] }))).toBe("InvalidACL");
  });

  it("refuses data above the configured limit with MarshallingError", () => {
    h = new Harness({ maxDataBytes: 4 });
    expect(code(anon, create("/a", "persistent", { data: bytes("12345") }))).toBe("MarshallingError");
    expect(code(anon, create("/a", "persistent", { data: bytes("1234") }))).toBeUndefined();
    expect(code(anon, { op: "setData", path: "/a", data: bytes("12345"), version: -1 })).toBe(
      "MarshallingError",
    );
  });

  it("checks in ZooKeeper's order: session before path, path before ACL, ACL before parent", () => {
    const ghost: Caller = { sessionId: 999, auth: [] };
    expect(code(ghost, create("bad"))).toBe("SessionExpired");
    expect(code(anon, create("bad", "persistent", { acl: [] }))).toBe("BadArguments");
    expect(code(anon, create("/x/y", "persistent", { acl: [] }))).toBe("InvalidACL");
  });

  it("lets clients create under /zookeeper but not touch /zookeeper/config's data", () => {
    expect(code(anon, create("/zookeeper/mine"))).toBeUndefined();
    expect(code(anon, { op: "setData", path: "/zookeeper/config", data: bytes("x"), version: -1 })).toBe(
      "NoAuth",
    );
    expect(
      code(
        { sessionId: 0, auth: [SUPER_ID] },
        { op: "setData", path: "/zookeeper/config", data: bytes(""), version: -1 },
      ),
    ).toBeUndefined();
  });
});

describe("create with parents", () => {
  it("creates the missing ancestors as open persistent nodes and the node, in one multi", () => {
    h.mkdirs("/a");
    const prepared = h.prepare(
      aliceCaller,
      create("/a/b/c/d", "persistent", { acl: only(Perms.ALL), parents: true }),
    );
    const result = h.commit(prepared).result;
    expect(result).toMatchObject({
      type: "multi",
      results: [{ path: "/a/b" }, { path: "/a/b/c" }, { type: "create", path: "/a/b/c/d" }],
    });
    expect(h.tree.acl("/a/b/c")).toEqual(OPEN_ACL_UNSAFE);
    expect(h.tree.acl("/a/b/c/d")).toEqual(only(Perms.ALL));
  });

  it("is a plain create when the parent exists, sequential suffix included", () => {
    h.mkdirs("/a");
    expect(h.run(anon, create("/a/", "persistent_sequential", { parents: true }))).toMatchObject({
      type: "create",
      path: "/a/0000000000",
    });
    expect(h.run(anon, create("/x/", "persistent_sequential", { parents: true }))).toMatchObject({
      results: [{ path: "/x" }, { path: "/x/0000000000" }],
    });
  });

  it("counts ancestors created by outstanding requests as present", () => {
    const first = h.prepare(anon, create("/a/b", "persistent", { parents: true }));
    const second = h.prepare(anon, create("/a/b/c", "persistent", { parents: true }));
    expect(second.txn.body).toMatchObject({ type: "create", path: "/a/b/c" });
    h.commit(first);
    expect(h.commit(second).result).toMatchObject({ type: "create" });
  });

  it("fails as a whole, creating nothing, when the node itself fails", () => {
    const s = h.session();
    h.run(s, create("/e", "ephemeral"));
    expect(h.run(anon, create("/e/a/b", "persistent", { parents: true }))).toEqual({
      type: "multi",
      results: [
        { type: "error", err: "NoChildrenForEphemerals" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    });
    expect(h.run(anon, create("/p/q", "persistent", { parents: true, acl: [] }))).toMatchObject({
      results: [
        { type: "error", err: "Ok" },
        { type: "error", err: "InvalidACL" },
      ],
    });
    expect(h.tree.has("/p")).toBe(false);
  });
});

describe("delete", () => {
  beforeEach(() => h.mkdirs("/a", "/a/b"));

  it("deletes a childless node at any version or the current one", () => {
    expect(h.run(anon, { op: "delete", path: "/a/b", version: 0 })).toEqual({ type: "delete", path: "/a/b" });
    expect(h.tree.has("/a/b")).toBe(false);
  });

  it.each([
    ["a wrong version", { path: "/a/b", version: 3 }, "BadVersion"],
    ["a node with children", { path: "/a", version: -1 }, "NotEmpty"],
    ["a missing node", { path: "/a/zz", version: -1 }, "NoNode"],
    ["a missing parent", { path: "/zz/a", version: -1 }, "NoNode"],
    ["the root", { path: "/", version: -1 }, "BadArguments"],
    ["/zookeeper", { path: "/zookeeper", version: -1 }, "BadArguments"],
    ["/zookeeper/quota", { path: "/zookeeper/quota", version: -1 }, "BadArguments"],
    ["/zookeeper/config", { path: "/zookeeper/config", version: -1 }, "BadArguments"],
    ["an invalid path", { path: "/a/", version: -1 }, "BadArguments"],
  ])("refuses %s", (_, op, expected) => {
    expect(code(anon, { op: "delete", ...op })).toBe(expected);
  });

  it("needs DELETE on the parent, checked before the node is looked up", () => {
    h.run(
      anon,
      create("/locked", "persistent", {
        acl: only(Perms.ALL & ~Perms.DELETE, { scheme: "world", id: "anyone" }),
      }),
    );
    h.run(anon, create("/locked/x"));
    expect(code(anon, { op: "delete", path: "/locked/x", version: -1 })).toBe("NoAuth");
    expect(code(anon, { op: "delete", path: "/locked/missing", version: 7 })).toBe("NoAuth");
  });

  it("sees outstanding changes: a node created but not applied can be deleted, a deleted one not again", () => {
    const created = h.prepare(anon, create("/a/c"));
    const deleted = h.prepare(anon, { op: "delete", path: "/a/c", version: 0 });
    const again = h.prepare(anon, { op: "delete", path: "/a/c", version: -1 });
    const parent = h.prepare(anon, { op: "delete", path: "/a", version: -1 });
    expect([created.error, deleted.error, again.error?.code, parent.error?.code]).toEqual([
      undefined,
      undefined,
      "NoNode",
      "NotEmpty",
    ]);
    for (const p of [created, deleted, again, parent]) h.commit(p);
    expect(h.tree.has("/a/c")).toBe(false);
  });
});

describe("setData", () => {
  beforeEach(() => h.mkdirs("/a"));

  it("sets the data and the next version", () => {
    expect(h.prepare(anon, { op: "setData", path: "/a", data: bytes("1"), version: 0 }).txn.body).toEqual({
      type: "setData",
      path: "/a",
      data: bytes("1"),
      version: 1,
    });
    expect(code(anon, { op: "setData", path: "/a", data: bytes("2"), version: 0 })).toBe("BadVersion");
  });

  it("counts versions across outstanding requests", () => {
    const first = h.prepare(anon, { op: "setData", path: "/a", data: bytes("1"), version: 0 });
    const second = h.prepare(anon, { op: "setData", path: "/a", data: bytes("2"), version: 1 });
    expect(second.txn.body).toMatchObject({ version: 2 });
    h.commit(first);
    h.commit(second);
    expect(h.tree.stat("/a")?.version).toBe(2);
  });

  it("wraps the version as a Java int and skips -1 (ZOOKEEPER-4743)", () => {
    const at = (version: number) =>
      h.commit({
        txn: {
          sessionId: 0,
          zxid: makeZxid(1, ++h.counter),
          time: T0,
          body: { type: "setData", path: "/a", data: bytes(""), version },
        },
      });
    at(2147483647);
    expect(
      h.prepare(anon, { op: "setData", path: "/a", data: bytes(""), version: -1 }).txn.body,
    ).toMatchObject({
      version: -2147483648,
    });
    h.preparer.reset();
    at(-2);
    expect(
      h.prepare(anon, { op: "setData", path: "/a", data: bytes(""), version: -2 }).txn.body,
    ).toMatchObject({
      version: 0,
    });
  });

  it("needs WRITE on the node, and the node", () => {
    h.run(anon, create("/ro", "persistent", { acl: READ_ACL_UNSAFE }));
    expect(code(anon, { op: "setData", path: "/ro", data: bytes(""), version: -1 })).toBe("NoAuth");
    expect(code(anon, { op: "setData", path: "/nope", data: bytes(""), version: -1 })).toBe("NoNode");
    expect(code(anon, { op: "setData", path: "nope", data: bytes(""), version: -1 })).toBe("BadArguments");
  });
});

describe("setACL", () => {
  beforeEach(() => h.mkdirs("/a"));

  it("sets the fixed-up ACL and the next aversion", () => {
    const acl: ACL[] = [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }];
    expect(h.prepare(aliceCaller, { op: "setACL", path: "/a", acl, version: 0 }).txn.body).toEqual({
      type: "setACL",
      path: "/a",
      acl: only(Perms.ALL),
      version: 1,
    });
  });

  it("checks ADMIN against the ACL an outstanding setACL leaves", () => {
    const locked = h.prepare(anon, { op: "setACL", path: "/a", acl: only(Perms.ALL), version: -1 });
    expect(h.prepare(anon, { op: "setACL", path: "/a", acl: OPEN_ACL_UNSAFE, version: -1 }).error?.code).toBe(
      "NoAuth",
    );
    expect(
      h.prepare(aliceCaller, { op: "setACL", path: "/a", acl: OPEN_ACL_UNSAFE, version: 1 }).error,
    ).toBeUndefined();
    expect(locked.error).toBeUndefined();
  });

  it("refuses a bad ACL before a missing node, and a wrong aversion", () => {
    expect(code(anon, { op: "setACL", path: "/nope", acl: [], version: -1 })).toBe("InvalidACL");
    expect(code(anon, { op: "setACL", path: "/nope", acl: OPEN_ACL_UNSAFE, version: -1 })).toBe("NoNode");
    expect(code(anon, { op: "setACL", path: "/a", acl: OPEN_ACL_UNSAFE, version: 4 })).toBe("BadVersion");
    h.run(anon, {
      op: "setACL",
      path: "/a",
      acl: only(Perms.READ | Perms.WRITE, { scheme: "world", id: "anyone" }),
      version: -1,
    });
    expect(code(anon, { op: "setACL", path: "/a", acl: OPEN_ACL_UNSAFE, version: -1 })).toBe("NoAuth");
  });
});

describe("check", () => {
  beforeEach(() => h.mkdirs("/a"));

  it("passes the current version or -1 and changes nothing", () => {
    expect(h.run(anon, { op: "check", path: "/a", version: 0 })).toEqual({ type: "check", path: "/a" });
    expect(code(anon, { op: "check", path: "/a", version: -1 })).toBeUndefined();
    expect(h.tree.stat("/a")?.version).toBe(0);
  });

  it("refuses a wrong version, a missing node and a caller without READ", () => {
    expect(code(anon, { op: "check", path: "/a", version: 1 })).toBe("BadVersion");
    expect(code(anon, { op: "check", path: "/b", version: 0 })).toBe("NoNode");
    h.run(anon, create("/w", "persistent", { acl: only(Perms.WRITE, { scheme: "world", id: "anyone" }) }));
    expect(code(anon, { op: "check", path: "/w", version: -1 })).toBe("NoAuth");
  });
});

describe("multi", () => {
  beforeEach(() => h.mkdirs("/a"));

  it("applies every op at one zxid, each seeing the ones before", () => {
    const prepared = h.prepare(anon, {
      op: "multi",
      ops: [
        create("/a/b"),
        { op: "setData", path: "/a/b", data: bytes("x"), version: 0 },
        { op: "check", path: "/a/b", version: 1 },
        { op: "delete", path: "/a", version: -1 },
      ],
    });
    expect(prepared.error?.code).toBe("NotEmpty");
    const ok = h.prepare(anon, {
      op: "multi",
      ops: [
        create("/a/b"),
        { op: "setData", path: "/a/b", data: bytes("x"), version: 0 },
        { op: "check", path: "/a/b", version: 1 },
      ],
    });
    h.commit(prepared);
    expect(h.commit(ok).result).toMatchObject({
      type: "multi",
      results: [{ type: "create" }, { type: "setData" }, { type: "check" }],
    });
    expect(h.tree.data("/a/b")).toEqual(bytes("x"));
  });

  it("on the first failure makes Ok, the code, then RuntimeInconsistency, and applies nothing", () => {
    const prepared = h.prepare(anon, {
      op: "multi",
      ops: [
        create("/a/x"),
        { op: "check", path: "/a", version: 5 },
        create("/a/y"),
        { op: "delete", path: "/nope", version: -1 },
      ],
    });
    expect(prepared.txn.body).toEqual({
      type: "multi",
      txns: [
        { type: "error", err: "Ok" },
        { type: "error", err: "BadVersion" },
        { type: "error", err: "RuntimeInconsistency" },
        { type: "error", err: "RuntimeInconsistency" },
      ],
    });
    expect(prepared.error).toMatchObject({ code: "BadVersion", path: "/a" });
    expect(txnError(prepared.txn)).toMatchObject({ code: "BadVersion" });
    const applied = h.commit(prepared);
    expect(applied.events).toEqual([]);
    expect(h.tree.has("/a/x")).toBe(false);
  });

  it("rolls back its outstanding changes, so later sequence numbers are as if it never ran (ZOOKEEPER-1624)", () => {
    const failed = h.prepare(anon, {
      op: "multi",
      ops: [create("/a/s", "persistent_sequential"), create("/nope/x")],
    });
    const next = h.prepare(anon, create("/a/s", "persistent_sequential"));
    const created = h.prepare(anon, create("/a/s0000000000"));
    expect(failed.error?.code).toBe("NoNode");
    expect(next.txn.body).toMatchObject({ path: "/a/s0000000000" });
    expect(created.error?.code).toBe("NodeExists");
    expect(h.preparer.outstanding).toBe(2);
  });

  it("restores the outstanding changes made before the failed multi", () => {
    const before = h.prepare(anon, { op: "setData", path: "/a", data: bytes("1"), version: -1 });
    h.prepare(anon, {
      op: "multi",
      ops: [{ op: "setData", path: "/a", data: bytes("2"), version: 1 }, create("/nope/x")],
    });
    expect(h.prepare(anon, { op: "check", path: "/a", version: 1 }).error).toBeUndefined();
    expect(h.prepare(anon, { op: "check", path: "/a", version: 2 }).error?.code).toBe("BadVersion");
    expect(before.error).toBeUndefined();
  });

  it("is an empty multi result for no ops, and refuses parents inside a multi", () => {
    expect(h.run(anon, { op: "multi", ops: [] })).toEqual({ type: "multi", results: [] });
    expect(code(anon, { op: "multi", ops: [create("/a/b/c", "persistent", { parents: true })] })).toBe(
      "BadArguments",
    );
  });
});

describe("deleteAll", () => {
  beforeEach(() => h.mkdirs("/a", "/a/b", "/a/b/c", "/a/d", "/x"));

  it("deletes the subtree in one multi, in reverse breadth-first order as ZKUtil.deleteRecursive", () => {
    const prepared = h.prepare(anon, { op: "deleteAll", path: "/a" });
    expect(prepared.txn.body).toEqual({
      type: "multi",
      txns: ["/a/b/c", "/a/d", "/a/b", "/a"].map((path) => ({ type: "delete", path })),
    });
    h.commit(prepared);
    expect(["/a", "/a/b", "/a/b/c", "/a/d", "/x"].map((p) => h.tree.has(p))).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it("includes children created by outstanding requests and skips those they delete", () => {
    const added = h.prepare(anon, create("/a/b/new"));
    const removed = h.prepare(anon, { op: "delete", path: "/a/d", version: -1 });
    const all = h.prepare(anon, { op: "deleteAll", path: "/a" });
    expect(all.txn.body).toEqual({
      type: "multi",
      txns: ["/a/b/new", "/a/b/c", "/a/b", "/a"].map((path) => ({ type: "delete", path })),
    });
    for (const p of [added, removed, all]) h.commit(p);
    expect(h.tree.has("/a")).toBe(false);
  });

  it("fails as a whole when one parent denies DELETE", () => {
    h.run(
      anon,
      create("/a/locked", "persistent", {
        acl: only(Perms.ALL & ~Perms.DELETE, { scheme: "world", id: "anyone" }),
      }),
    );
    h.run(anon, create("/a/locked/in"));
    expect(code(anon, { op: "deleteAll", path: "/a" })).toBe("NoAuth");
    expect(h.tree.has("/a/b/c")).toBe(true);
  });

  it("refuses a missing node, a reserved path and an invalid path", () => {
    expect(code(anon, { op: "deleteAll", path: "/nope" })).toBe("NoNode");
    expect(code(anon, { op: "deleteAll", path: "/" })).toBe("BadArguments");
    expect(code(anon, { op: "deleteAll", path: "/zookeeper" })).toBe("BadArguments");
    expect(code(anon, { op: "deleteAll", path: "/a/" })).toBe("BadArguments");
  });
});

describe("sessions", () => {
  it("uses the txn's zxid as the session id, usable before it is applied", () => {
    const opened = h.prepare(anon, { op: "createSession", timeout: 5000, password: new Uint8Array(16) });
    const sessionId = opened.txn.zxid;
    expect(opened.txn.sessionId).toBe(sessionId);
    expect(opened.txn.body).toMatchObject({ type: "createSession", timeout: 5000 });
    const eph = h.prepare({ sessionId, auth: [] }, create("/e", "ephemeral"));
    expect(eph.error).toBeUndefined();
    expect(h.commit(opened).result).toEqual({ type: "createSession", sessionId, timeout: 5000 });
    h.commit(eph);
    expect(h.tree.ephemeralsOf(sessionId)).toEqual(["/e"]);
  });

  it("closes with the session's ephemerals sorted, outstanding creates in and deletes out", () => {
    const s = h.session();
    h.mkdirs("/d");
    for (const p of ["/d/z", "/d/a", "/m"]) h.run(s, create(p, "ephemeral"));
    const late = h.prepare(s, create("/d/b", "ephemeral"));
    const gone = h.prepare(s, { op: "delete", path: "/m", version: -1 });
    const close = h.prepare(s, { op: "closeSession" });
    expect(close.txn).toMatchObject({
      sessionId: s.sessionId,
      body: { type: "closeSession", paths: ["/d/a", "/d/b", "/d/z"] },
    });
    const emptied = h.prepare(anon, { op: "delete", path: "/d", version: -1 });
    expect(emptied.error).toBeUndefined();
    for (const p of [late, gone, close, emptied]) h.commit(p);
    expect(h.tree.session(s.sessionId)).toBeUndefined();
    expect(h.tree.has("/d")).toBe(false);
  });

  it("expires the session for every request after its close is prepared", () => {
    const s = h.session();
    h.prepare(s, { op: "closeSession" });
    expect(h.prepare(s, create("/p")).error?.code).toBe("SessionExpired");
    expect(h.prepare(s, { op: "closeSession" }).error?.code).toBe("SessionExpired");
    expect(h.prepare(anon, { op: "closeSession" }).error?.code).toBe("BadArguments");
  });

  it("does not let another session's ephemeral or a recreated path into the close", () => {
    const s = h.session();
    const t = h.session();
    h.run(s, create("/e", "ephemeral"));
    h.run(t, create("/f", "ephemeral"));
    const del = h.prepare(s, { op: "delete", path: "/e", version: -1 });
    const retake = h.prepare(t, create("/e", "ephemeral"));
    expect(h.prepare(s, { op: "closeSession" }).txn.body).toEqual({ type: "closeSession", paths: [] });
    expect([del.error, retake.error]).toEqual([undefined, undefined]);
  });
});

describe("reap (ZooKeeper's deleteContainer)", () => {
  it("deletes an empty container or an expired TTL node", () => {
    h.run(anon, create("/c", "container"));
    h.run(anon, create("/t", "persistent_ttl", { ttl: 1000 }));
    expect(h.run(anon, { op: "reap", path: "/c" })).toEqual({ type: "delete", path: "/c" });
    h.now = T0 + 1001;
    expect(h.run(anon, { op: "reap", path: "/t" })).toEqual({ type: "delete", path: "/t" });
  });

  it("refuses a container with children, a node of another kind, an unexpired TTL node, a missing one", () => {
    const s = h.session();
    h.run(anon, create("/c", "container"));
    h.run(anon, create("/c/x"));
    h.run(anon, create("/p"));
    h.run(s, create("/e", "ephemeral"));
    h.run(anon, create("/t", "persistent_ttl", { ttl: 1000 }));
    h.now = T0 + 1000;
    expect(code(anon, { op: "reap", path: "/c" })).toBe("NotEmpty");
    expect(code(anon, { op: "reap", path: "/p" })).toBe("BadArguments");
    expect(code(anon, { op: "reap", path: "/e" })).toBe("BadArguments");
    expect(code(anon, { op: "reap", path: "/t" })).toBe("BadArguments");
    expect(code(anon, { op: "reap", path: "/nope" })).toBe("NoNode");
    expect(code(anon, { op: "reap", path: "/zookeeper" })).toBe("BadArguments");
  });

  it("judges a TTL node by the mtime an outstanding setData leaves", () => {
    h.run(anon, create("/t", "persistent_ttl", { ttl: 1000 }));
    h.now = T0 + 5000;
    h.prepare(anon, { op: "setData", path: "/t", data: bytes("touch"), version: -1 });
    expect(h.prepare(anon, { op: "reap", path: "/t" }).error?.code).toBe("BadArguments");
  });
});

describe("outstanding changes", () => {
  it("counts what is prepared until released", () => {
    h.mkdirs("/a");
    const p = h.prepare(anon, create("/a/b"));
    expect(h.preparer.outstanding).toBe(2);
    h.prepare(anon, create("/a/c", "persistent", { acl: [] }));
    expect(h.preparer.outstanding).toBe(2);
    h.commit(p);
    expect(h.preparer.outstanding).toBe(0);
  });

  it("forgets everything on reset, as a deposed leader must", () => {
    h.prepare(anon, create("/a"));
    expect(h.prepare(anon, create("/a")).error?.code).toBe("NodeExists");
    h.preparer.reset();
    expect(h.preparer.outstanding).toBe(0);
    expect(h.prepare(anon, create("/a")).error).toBeUndefined();
  });

  it("keeps a later change to a path when an earlier one is released", () => {
    h.mkdirs("/a");
    const first = h.prepare(anon, { op: "setData", path: "/a", data: bytes("1"), version: -1 });
    h.prepare(anon, { op: "setData", path: "/a", data: bytes("2"), version: 1 });
    h.commit(first);
    expect(h.prepare(anon, { op: "check", path: "/a", version: 2 }).error).toBeUndefined();
  });
});

describe("error txns", () => {
  it("carry the code only; Prepared.error has the message and path", () => {
    const prepared = h.prepare(anon, { op: "delete", path: "/nope", version: -1 });
    expect(prepared.txn.body).toEqual({ type: "error", err: "NoNode" });
    expect(prepared.error).toEqual({
      code: "NoNode",
      zkCode: -101,
      message: "KeeperErrorCode = NoNode for /nope",
      path: "/nope",
    });
    expect(txnError(prepared.txn)).toEqual({
      code: "NoNode",
      zkCode: -101,
      message: "KeeperErrorCode = NoNode",
    });
    expect(h.commit(prepared).result).toEqual({ type: "error", err: "NoNode" });
    expect(txnError(h.prepare(anon, create("/ok")).txn)).toBeUndefined();
  });

  it("answer a malformed request with BadArguments rather than throwing", () => {
    const bogus = { op: "rename", path: "/a" } as unknown as Parameters<Harness["prepare"]>[1];
    expect(h.prepare(anon, bogus).error?.code).toBe("BadArguments");
    const badMode = create("/a", "sideways" as never);
    expect(h.prepare(anon, badMode).error?.code).toBe("BadArguments");
  });
});
