import { beforeEach, describe, expect, it } from "vitest";
import { generateDigest, SUPER_ID } from "../../core/auth.ts";
import { isZkError } from "../../core/errors.ts";
import {
  exists,
  getACL,
  getAllChildrenNumber,
  getChildren,
  getData,
  getEphemerals,
} from "../../core/read.ts";
import { reapCandidates } from "../../core/reap.ts";
import { type ACL, type Caller, type Id, Perms } from "../../core/records.ts";
import { anon, bytes, create, Harness, T0 } from "./prep-harness.ts";

const alice: Id = { scheme: "digest", id: generateDigest("alice:pw") };
const aliceCaller: Caller = { sessionId: 0, auth: [alice] };
const anyone = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });

let h: Harness;
beforeEach(() => {
  h = new Harness();
  h.run(anon, create("/a", "persistent", { data: bytes("hello") }));
  h.mkdirs("/a/c", "/a/b", "/a/b/x");
  h.run(
    anon,
    create("/secret", "persistent", { acl: [{ perms: Perms.ALL, id: alice }, anyone(Perms.CREATE)] }),
  );
});

const codeOf = (result: unknown) => (isZkError(result) ? result.code : undefined);

describe("getData", () => {
  it("returns the data and the Stat", () => {
    const result = getData(h.tree, anon, "/a");
    expect(result).toMatchObject({
      data: bytes("hello"),
      stat: { dataLength: 5, numChildren: 2, version: 0 },
    });
  });

  it("needs READ, and the node, and a valid path", () => {
    expect(codeOf(getData(h.tree, anon, "/secret"))).toBe("NoAuth");
    expect(codeOf(getData(h.tree, aliceCaller, "/secret"))).toBeUndefined();
    expect(codeOf(getData(h.tree, { sessionId: 0, auth: [SUPER_ID] }, "/secret"))).toBeUndefined();
    expect(getData(h.tree, anon, "/nope")).toMatchObject({ code: "NoNode", path: "/nope" });
    expect(codeOf(getData(h.tree, anon, "/a/"))).toBe("BadArguments");
  });

  it("hands out a copy of the Stat", () => {
    const first = getData(h.tree, anon, "/a");
    if (isZkError(first)) throw new Error(first.message);
    first.stat.version = 99;
    expect(h.tree.stat("/a")?.version).toBe(0);
  });
});

describe("exists", () => {
  it("gives the Stat or NoNode", () => {
    expect(exists(h.tree, anon, "/a")).toMatchObject({ numChildren: 2 });
    expect(codeOf(exists(h.tree, anon, "/nope"))).toBe("NoNode");
    expect(codeOf(exists(h.tree, anon, "nope"))).toBe("BadArguments");
  });

  it("checks READ since ZooKeeper 3.9.2 (ZOOKEEPER-2590)", () => {
    expect(codeOf(exists(h.tree, anon, "/secret"))).toBe("NoAuth");
    expect(codeOf(exists(h.tree, aliceCaller, "/secret"))).toBeUndefined();
  });
});

describe("getChildren", () => {
  it("returns the names sorted, with the parent's Stat", () => {
    expect(getChildren(h.tree, anon, "/a")).toMatchObject({ children: ["b", "c"], stat: { numChildren: 2 } });
    expect(getChildren(h.tree, anon, "/")).toMatchObject({ children: ["a", "secret", "zookeeper"] });
    expect(getChildren(h.tree, anon, "/a/c")).toMatchObject({ children: [] });
  });

  it("needs READ on the parent", () => {
    expect(codeOf(getChildren(h.tree, anon, "/secret"))).toBe("NoAuth");
    expect(codeOf(getChildren(h.tree, anon, "/nope"))).toBe("NoNode");
  });
});

describe("getAllChildrenNumber", () => {
  it("counts every descendant; under the root that includes /zookeeper's nodes", () => {
    expect(getAllChildrenNumber(h.tree, anon, "/a")).toBe(3);
    expect(getAllChildrenNumber(h.tree, anon, "/a/b/x")).toBe(0);
    expect(getAllChildrenNumber(h.tree, anon, "/")).toBe(8);
    expect(getAllChildrenNumber(h.tree, anon, "/zookeeper")).toBe(2);
  });

  it("needs READ", () => {
    expect(codeOf(getAllChildrenNumber(h.tree, anon, "/secret"))).toBe("NoAuth");
    expect(codeOf(getAllChildrenNumber(h.tree, anon, "/nope"))).toBe("NoNode");
  });
});

describe("getEphemerals", () => {
  it("lists the session's ephemerals under a string prefix, sorted", () => {
    const s = h.session();
    const t = h.session();
    for (const p of ["/a/e2", "/ab", "/a/e1", "/e"]) h.run(s, create(p, "ephemeral"));
    h.run(t, create("/a/other", "ephemeral"));
    expect(getEphemerals(h.tree, s.sessionId, "/")).toEqual(["/a/e1", "/a/e2", "/ab", "/e"]);
    expect(getEphemerals(h.tree, s.sessionId, "/ ")).toEqual(["/a/e1", "/a/e2", "/ab", "/e"]);
    expect(getEphemerals(h.tree, s.sessionId, "/a")).toEqual(["/a/e1", "/a/e2", "/ab"]);
    expect(getEphemerals(h.tree, s.sessionId, "/a/e1")).toEqual(["/a/e1"]);
    expect(getEphemerals(h.tree, 424242, "/")).toEqual([]);
    expect(codeOf(getEphemerals(h.tree, s.sessionId, ""))).toBe("BadArguments");
  });
});

describe("getACL", () => {
  it("shows the ACL in full to a caller with ADMIN", () => {
    expect(getACL(h.tree, aliceCaller, "/secret")).toMatchObject({
      acl: [{ perms: Perms.ALL, id: alice }, anyone(Perms.CREATE)],
      stat: { aversion: 0 },
    });
  });

  it("hides digest hashes from a caller with READ but not ADMIN", () => {
    h.run(anon, create("/r", "persistent", { acl: [anyone(Perms.READ), { perms: Perms.ADMIN, id: alice }] }));
    expect(getACL(h.tree, anon, "/r")).toMatchObject({
      acl: [anyone(Perms.READ), { perms: Perms.ADMIN, id: { scheme: "digest", id: "alice:x" } }],
    });
    expect(getACL(h.tree, aliceCaller, "/r")).toMatchObject({
      acl: [anyone(Perms.READ), { perms: Perms.ADMIN, id: alice }],
    });
  });

  it("lets ADMIN alone read the ACL, and refuses a caller with neither READ nor ADMIN", () => {
    h.run(anon, create("/adm", "persistent", { acl: [anyone(Perms.ADMIN)] }));
    expect(codeOf(getACL(h.tree, anon, "/adm"))).toBeUndefined();
    expect(codeOf(getACL(h.tree, anon, "/secret"))).toBe("NoAuth");
    expect(codeOf(getACL(h.tree, anon, "/nope"))).toBe("NoNode");
  });

  it("shows /zookeeper/config's read-only ACL", () => {
    expect(getACL(h.tree, anon, "/zookeeper/config")).toMatchObject({
      acl: [anyone(Perms.READ)],
      stat: { aversion: -1 },
    });
  });
});

describe("reapCandidates, as ContainerManager.getCandidates", () => {
  it("lists containers that lost their last child, not those never used", () => {
    h.run(anon, create("/used", "container"));
    h.run(anon, create("/fresh", "container"));
    h.run(anon, create("/busy", "container"));
    h.mkdirs("/used/x", "/busy/x");
    h.run(anon, { op: "delete", path: "/used/x", version: -1 });
    expect(reapCandidates(h.tree, T0)).toEqual(["/used"]);
    expect(reapCandidates(h.tree, T0 + 10_000, Infinity, 5_000)).toEqual(["/fresh", "/used"]);
  });

  it("lists childless TTL nodes unmodified for longer than their ttl", () => {
    h.run(anon, create("/t1", "persistent_ttl", { ttl: 1000 }));
    h.run(anon, create("/t2", "persistent_ttl", { ttl: 5000 }));
    h.run(anon, create("/t3", "persistent_ttl", { ttl: 1000 }));
    h.mkdirs("/t3/child");
    expect(reapCandidates(h.tree, T0 + 1000)).toEqual([]);
    expect(reapCandidates(h.tree, T0 + 1001)).toEqual(["/t1"]);
    expect(reapCandidates(h.tree, T0 + 6000)).toEqual(["/t1", "/t2"]);
    expect(reapCandidates(h.tree, T0 + 6000, 1)).toEqual(["/t1"]);
  });

  it("gives paths a reap request then deletes", () => {
    h.run(anon, create("/t", "persistent_ttl", { ttl: 10 }));
    h.now = T0 + 11;
    for (const path of reapCandidates(h.tree, h.now)) h.run(anon, { op: "reap", path });
    expect(h.tree.has("/t")).toBe(false);
  });
});
