import { describe, expect, it } from "vitest";
import { AclCache, OPEN_UNSAFE_ACL_ID } from "../../core/acl-cache.ts";
import { apply } from "../../core/apply.ts";
import { binaryToBytes, bytesToBinary } from "../../core/binary-string.ts";
import { DataTree } from "../../core/data-tree.ts";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Stat } from "../../core/records.ts";
import { bytes, create, digestACL, txn } from "./txn-fixtures.ts";

const zeroStat = (over: Partial<Stat>): Stat => ({
  czxid: 0,
  mzxid: 0,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0,
  ...over,
});

describe("a fresh DataTree, as ZooKeeper 3.9's constructor makes it", () => {
  const tree = new DataTree();

  it("holds /, /zookeeper, /zookeeper/quota and /zookeeper/config with zero stats", () => {
    expect(tree.nodeCount).toBe(4);
    expect(tree.lastZxid).toBe(0);
    // DataNode.copyStat reports cversion as 2 × 0 − numChildren
    expect(tree.stat("/")).toEqual(zeroStat({ cversion: -1, numChildren: 1 }));
    expect(tree.stat("/zookeeper")).toEqual(zeroStat({ cversion: -2, numChildren: 2 }));
    expect(tree.stat("/zookeeper/quota")).toEqual(zeroStat({}));
    // setACL(CONFIG_NODE, READ_ACL_UNSAFE, -1) leaves aversion -1
    expect(tree.stat("/zookeeper/config")).toEqual(zeroStat({ aversion: -1 }));
    expect(tree.childNames("/")).toEqual(["zookeeper"]);
    expect(tree.childNames("/zookeeper")?.sort()).toEqual(["config", "quota"]);
  });

  it("gives /zookeeper/config READ_ACL_UNSAFE and the others the open ACL", () => {
    expect(tree.acl("/")).toEqual(OPEN_ACL_UNSAFE);
    expect(tree.acl("/zookeeper")).toEqual(OPEN_ACL_UNSAFE);
    expect(tree.acl("/zookeeper/quota")).toEqual(OPEN_ACL_UNSAFE);
    expect(tree.acl("/zookeeper/config")).toEqual(READ_ACL_UNSAFE);
    expect(tree.nodes.acl[tree.nodes.slotOf("/")!]).toBe(OPEN_UNSAFE_ACL_ID);
    expect(tree.acls.size).toBe(1);
    expect(tree.acls.lastId).toBe(1);
  });

  it("takes the config it is given over the defaults", () => {
    expect(new DataTree().config.maxDataBytes).toBe(1024 * 1024);
    expect(new DataTree({ maxDataBytes: 10 }).config.maxDataBytes).toBe(10);
  });
});

describe("DataTree as a TreeView", () => {
  const tree = new DataTree();
  apply(tree, create(1, "/a", { data: bytes("one") }));
  apply(tree, create(2, "/a/b"));
  apply(tree, create(3, "/a/c", { acl: [digestACL("u")] }));
  apply(tree, create(4, "/a/é"));

  it("answers has, stat, data and acl, and undefined for a missing path", () => {
    expect(tree.has("/a/b")).toBe(true);
    expect(tree.has("/a/x")).toBe(false);
    expect(tree.stat("/a/x")).toBeUndefined();
    expect(tree.data("/a/x")).toBeUndefined();
    expect(tree.acl("/a/x")).toBeUndefined();
    expect(tree.childNames("/a/x")).toBeUndefined();
    expect(tree.persistedCversion("/a/x")).toBeUndefined();
    expect(tree.childCount("/a/x")).toBe(0);
    expect(tree.acl("/a/c")).toEqual([digestACL("u")]);
  });

  it("lists children by name, for the root and below", () => {
    expect(tree.childNames("/a")?.sort()).toEqual(["b", "c", "é"]);
    expect(tree.childNames("/")?.sort()).toEqual(["a", "zookeeper"]);
    expect(tree.childNames("/a/b")).toEqual([]);
    expect(tree.childCount("/a")).toBe(3);
  });

  it("hands out data and stats that the caller may change without touching the tree", () => {
    const data = tree.data("/a")!;
    data[0] = 0;
    expect(new TextDecoder().decode(tree.data("/a"))).toBe("one");
    const stat = tree.stat("/a")!;
    stat.version = 99;
    expect(tree.stat("/a")?.version).toBe(0);
  });

  it("keeps the data it was given, not a view of the caller's buffer", () => {
    const t = new DataTree();
    const data = bytes("abcdefghijklmnopqrstuvwxyz");
    apply(t, create(1, "/x", { data }));
    data[0] = 0x5a;
    expect(new TextDecoder().decode(t.data("/x"))).toBe("abcdefghijklmnopqrstuvwxyz");
  });

  it("counts nodes as they come and go, reusing freed slots", () => {
    const t = new DataTree();
    for (let i = 0; i < 3000; i++) apply(t, create(i + 1, `/n${i}`));
    expect(t.nodeCount).toBe(3004);
    for (let i = 0; i < 3000; i += 2) apply(t, txn(5000 + i, { type: "delete", path: `/n${i}` }));
    for (let i = 0; i < 3000; i += 2) apply(t, create(9000 + i, `/m${i}`, { data: bytes(`m${i}`) }));
    expect(t.nodeCount).toBe(3004);
    expect(t.nodes.paths.length).toBe(3004);
    expect(new TextDecoder().decode(t.data("/m2998"))).toBe("m2998");
    expect(t.stat("/n2999")?.czxid).toBe(3000);
    expect(t.childCount("/")).toBe(3001);
  });
});

describe("binary strings (how data is held)", () => {
  it("round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(binaryToBytes(bytesToBinary(all))).toEqual(all);
    expect(bytesToBinary(all).length).toBe(256);
  });

  it("round-trips ASCII, text that only starts ASCII, and data longer than one conversion chunk", () => {
    for (const data of [
      bytes("plain ascii text that is long enough for the decoder"),
      bytes("ascii prefix of sixteen bytes then é and ü"),
      Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff),
      Uint8Array.from({ length: 20_000 }, (_, i) => 32 + (i % 90)),
      new Uint8Array([
        0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x80,
      ]),
    ]) {
      const s = bytesToBinary(data);
      expect(s.length).toBe(data.length);
      expect(binaryToBytes(s)).toEqual(data);
    }
    expect(bytesToBinary(new Uint8Array(0))).toBe("");
    expect(binaryToBytes("")).toEqual(new Uint8Array(0));
  });
});

describe("AclCache", () => {
  it("maps the uncounted id -1 to the open ACL", () => {
    const cache = new AclCache();
    expect(cache.lookup(OPEN_UNSAFE_ACL_ID)).toEqual(OPEN_ACL_UNSAFE);
    cache.addUsage(OPEN_UNSAFE_ACL_ID);
    cache.removeUsage(OPEN_UNSAFE_ACL_ID);
    expect(cache.size).toBe(0);
  });

  it("interns by content, counts usages and drops at zero", () => {
    const cache = new AclCache();
    const a = cache.intern([digestACL("u")]);
    const b = cache.intern([{ perms: 31, id: { scheme: "digest", id: "u:hash-of-u" } }]);
    const c = cache.intern(OPEN_ACL_UNSAFE);
    expect([a, b, c]).toEqual([1, 1, 2]);
    expect(cache.references(a)).toBe(2);
    cache.removeUsage(a);
    cache.removeUsage(a);
    expect(cache.has(a)).toBe(false);
    expect(cache.intern([digestACL("u")])).toBe(3);
    expect(cache.entries().map(([id]) => id)).toEqual([2, 3]);
  });

  it("does not confuse lists whose fields would join to the same text", () => {
    const cache = new AclCache();
    const a = cache.intern([{ perms: 1, id: { scheme: "ip", id: "1;2" } }]);
    const b = cache.intern([
      { perms: 1, id: { scheme: "ip", id: "1" } },
      { perms: 2, id: { scheme: "ip", id: "" } },
    ]);
    expect(a).not.toBe(b);
  });

  it("keeps a copy of the list, not the caller's objects", () => {
    const cache = new AclCache();
    const acl = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];
    const id = cache.intern(acl);
    acl[0]!.perms = 31;
    expect(cache.lookup(id)).toEqual(READ_ACL_UNSAFE);
  });
});
