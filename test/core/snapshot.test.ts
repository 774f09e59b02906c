import { describe, expect, it } from "vitest";
import { adler32 } from "../../core/adler32.ts";
import { apply } from "../../core/apply.ts";
import { DataTree } from "../../core/data-tree.ts";
import { isZkError } from "../../core/errors.ts";
import { JuteWriter } from "../../core/jute.ts";
import { type ACL, READ_ACL_UNSAFE, type Txn } from "../../core/records.ts";
import {
  deserializeSnapshot,
  SNAPSHOT_FORMAT,
  serializeSnapshot,
  snapshotReader,
  snapshotWriter,
} from "../../core/snapshot.ts";
import { history } from "./history.ts";
import { bytes, create, createBody, del, digestACL, txn } from "./txn-fixtures.ts";

function restore(snapshot: Uint8Array): DataTree {
  const tree = deserializeSnapshot(snapshot);
  if (isZkError(tree)) throw new Error(tree.message);
  return tree;
}

/** Everything a reader can see of a tree, walked from the root. */
function visible(tree: DataTree) {
  const nodes: unknown[] = [];
  const walk = (path: string) => {
    const names = tree.childNames(path)!.sort();
    nodes.push({
      path,
      stat: tree.stat(path),
      owner: tree.persistedOwner(path),
      cversion: tree.persistedCversion(path),
      data: tree.data(path),
      acl: tree.acl(path),
      names,
      ttl: tree.ttlOf(path),
    });
    for (const name of names) walk(path === "/" ? `/${name}` : `${path}/${name}`);
  };
  walk("/");
  const sessions = [...tree.sessions()]
    .sort((a, b) => a.sessionId - b.sessionId)
    .map((s) => ({ ...s, ephemerals: tree.ephemeralsOf(s.sessionId).sort() }));
  const acls = tree.acls.entries().map(([id, acl]) => ({ id, acl, refs: tree.acls.references(id) }));
  return {
    nodes,
    sessions,
    acls,
    lastAclId: tree.acls.lastId,
    lastZxid: tree.lastZxid,
    count: tree.nodeCount,
    containers: tree.containers().sort(),
    ttls: tree.ttls().sort(),
  };
}

function applyAll(tree: DataTree, txns: readonly Txn[]): DataTree {
  for (const t of txns) apply(tree, t);
  return tree;
}

describe("snapshot round trip", () => {
  it("restores everything a reader can see, and serialises to the same bytes again", () => {
    for (const seed of [1, 2, 5]) {
      const tree = applyAll(new DataTree(), history(seed, 400));
      const snapshot = serializeSnapshot(tree);
      const restored = restore(snapshot);
      expect(visible(restored)).toEqual(visible(tree));
      expect(serializeSnapshot(restored)).toEqual(snapshot);
    }
  });

  it("covers ephemerals, containers, TTL nodes, sessions and ACL lists in the history it restores", () => {
    const seen = [1, 2, 5].map((seed) => visible(applyAll(new DataTree(), history(seed, 400))));
    expect(seen.some((v) => v.sessions.some((s) => s.ephemerals.length > 0))).toBe(true);
    expect(seen.some((v) => v.containers.length > 0)).toBe(true);
    expect(seen.some((v) => v.ttls.length > 0)).toBe(true);
    expect(seen.every((v) => v.acls.length > 2)).toBe(true);
  });

  it("a restored tree plus the later txns gives the same bytes as applying every txn from the start", () => {
    for (const seed of [4, 5]) {
      const txns = history(seed, 500);
      const expected = serializeSnapshot(applyAll(new DataTree(), txns));
      for (const split of [0, 1, 37, 250, 499, 500]) {
        const early = serializeSnapshot(applyAll(new DataTree(), txns.slice(0, split)));
        const resumed = applyAll(restore(early), txns.slice(split));
        expect(serializeSnapshot(resumed), `seed ${seed}, split at ${split}`).toEqual(expected);
      }
    }
  });

  it("continues ACL ids from the saved counter, not from the highest id still held", () => {
    const tree = new DataTree();
    apply(tree, create(1, "/a", { acl: [digestACL("u")] }));
    apply(tree, create(2, "/b", { acl: [digestACL("v")] }));
    apply(tree, del(3, "/b"));
    const restored = restore(serializeSnapshot(tree));
    expect(restored.acls.lastId).toBe(3);
    apply(restored, create(4, "/c", { acl: [digestACL("w")] }));
    expect(restored.nodes.acl[restored.nodes.slotOf("/c")!]).toBe(4);
    expect(restored.acls.references(2)).toBe(1);
  });

  it("a restored tree keeps working: ephemerals die with their session, freed ACLs go", () => {
    const tree = new DataTree();
    apply(tree, txn(10, { type: "createSession", timeout: 5000, password: bytes("pw") }));
    apply(tree, create(11, "/e", { ephemeralOwner: 10, acl: [digestACL("u")] }));
    const restored = restore(serializeSnapshot(tree));
    expect(restored.ephemeralsOf(10)).toEqual(["/e"]);
    expect(restored.session(10)).toEqual({ sessionId: 10, timeout: 5000, password: bytes("pw") });
    apply(restored, txn(12, { type: "closeSession", paths: [] }, 10));
    expect(restored.has("/e")).toBe(false);
    expect(restored.acls.size).toBe(1);
  });
});

describe("snapshot written in steps", () => {
  it("holds the tree as it was when the writer was made, while the tree moves on between steps", () => {
    for (const seed of [3, 6]) {
      const txns = history(seed, 600);
      const tree = applyAll(new DataTree(), txns.slice(0, 300));
      const expected = serializeSnapshot(applyAll(new DataTree(), txns.slice(0, 300)));
      const steps = snapshotWriter(tree, 1);
      let yields = 0;
      let later = 300;
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done === true) {
          expect(step.value, `seed ${seed}`).toEqual(expected);
          break;
        }
        yields++;
        // creates, deletes, data and sessions change under the writer: the copy must not see them
        for (let i = 0; i < 5 && later < txns.length; i++) apply(tree, txns[later++]!);
      }
      expect(yields).toBeGreaterThan(10);
      expect(later).toBeGreaterThan(350);
      expect(serializeSnapshot(tree)).toEqual(
        serializeSnapshot(applyAll(new DataTree(), txns.slice(0, later))),
      );
    }
  });
});

describe("snapshot reading in steps", () => {
  it("yields between steps and gives the tree that reading in one go gives", () => {
    const snapshot = serializeSnapshot(applyAll(new DataTree(), history(4, 300)));
    const steps = snapshotReader(snapshot, {}, 1);
    let yields = 0;
    let step = steps.next();
    for (; step.done !== true; step = steps.next()) yields++;
    expect(yields).toBeGreaterThan(10);
    expect(isZkError(step.value)).toBe(false);
    expect(visible(step.value as DataTree)).toEqual(visible(restore(snapshot)));
    expect(serializeSnapshot(step.value as DataTree)).toEqual(snapshot);
  });

  it("finds a damaged snapshot as reading in one go does", () => {
    const snapshot = serializeSnapshot(applyAll(new DataTree(), history(5, 100)));
    const flipped = snapshot.slice();
    flipped[snapshot.length - 100]! ^= 0x01;
    const steps = snapshotReader(flipped, {}, 1);
    let step = steps.next();
    while (step.done !== true) step = steps.next();
    expect(step.value).toMatchObject({ code: "MarshallingError", message: /checksum/ });
  });
});

describe("snapshot determinism", () => {
  it("depends on the state, not on the order it was reached in", () => {
    const acl = [digestACL("u")];
    const steps: Record<string, Txn> = {
      a: create(1, "/a", { parentCVersion: 1, acl }),
      b: create(2, "/b", { parentCVersion: 2, acl }),
      ax: create(3, "/a/x", { parentCVersion: 1, data: bytes("x") }),
      by: create(4, "/b/y", { parentCVersion: 1 }),
      s1: txn(5, { type: "createSession", timeout: 4000, password: bytes("1") }),
      s2: txn(6, { type: "createSession", timeout: 4000, password: bytes("2") }),
      e1: create(7, "/b/e1", { ephemeralOwner: 5, parentCVersion: 2 }),
      e2: create(8, "/b/e2", { ephemeralOwner: 6, parentCVersion: 3 }),
      end: txn(9, { type: "check", path: "/", version: 0 }),
    };
    const orders = [
      ["a", "b", "ax", "by", "s1", "s2", "e1", "e2", "end"],
      ["b", "s2", "s1", "a", "by", "e2", "e1", "ax", "end"],
    ];
    const [first, second] = orders.map((order) =>
      applyAll(
        new DataTree(),
        order.map((k) => steps[k]!),
      ),
    );
    expect(visible(first!)).toEqual(visible(second!));
    expect(serializeSnapshot(first!)).toEqual(serializeSnapshot(second!));
  });

  it("is the same for a restored tree, whose slots are laid out differently", () => {
    const tree = applyAll(new DataTree(), history(6, 300));
    const restored = restore(serializeSnapshot(tree));
    const later = history(7, 200).map((t) => ({ ...t, zxid: t.zxid + 1000 }));
    expect(serializeSnapshot(applyAll(restored, later))).toEqual(serializeSnapshot(applyAll(tree, later)));
  });

  it("starts with its magic and format number", () => {
    const snapshot = serializeSnapshot(new DataTree());
    expect(new TextDecoder().decode(snapshot.subarray(0, 4))).toBe("NZKS");
    expect(new DataView(snapshot.buffer, snapshot.byteOffset).getInt32(4)).toBe(SNAPSHOT_FORMAT);
  });
});

interface NodeSpec {
  path: string;
  acl?: number;
  kind?: number;
  owner?: number;
}

/** A snapshot written by hand, with a correct checksum, to reach the checks behind it. */
function craft(
  nodes: NodeSpec[],
  o: { lastAclId?: number; acls?: [number, ACL[]][]; trailing?: boolean } = {},
) {
  const w = new JuteWriter();
  w.writeInt(0x4e5a4b53);
  w.writeInt(SNAPSHOT_FORMAT);
  w.writeLong(0);
  w.writeLong(o.lastAclId ?? 5);
  const acls = o.acls ?? [];
  w.writeInt(acls.length);
  for (const [id, list] of acls) {
    w.writeLong(id);
    w.writeVector(list, (x, a) => {
      x.writeInt(a.perms);
      x.writeString(a.id.scheme);
      x.writeString(a.id.id);
    });
  }
  w.writeInt(0);
  w.writeInt(nodes.length);
  for (const n of nodes) {
    w.writeString(n.path);
    w.writeBinaryString("");
    w.writeLong(n.acl ?? -1);
    for (let i = 0; i < 5; i++) w.writeLong(0);
    for (let i = 0; i < 3; i++) w.writeInt(0);
    w.writeByte(n.kind ?? 0);
    if (n.kind === 1 || n.kind === 3) w.writeLong(n.owner ?? 1);
  }
  if (o.trailing) w.writeByte(0);
  const body = w.bytes();
  w.writeInt(adler32(body));
  return w.bytes().slice();
}

describe("corrupt snapshots", () => {
  const good = serializeSnapshot(applyAll(new DataTree(), history(8, 100)));

  it("are MarshallingErrors, never exceptions", () => {
    const flipped = good.slice();
    flipped[Math.floor(good.length / 2)]! ^= 0x10;
    const badMagic = good.slice();
    badMagic[0] = 0;
    const badFormat = good.slice();
    badFormat[7] = 99;
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty", new Uint8Array(0), /too short/],
      ["short", good.subarray(0, 11), /too short/],
      ["bad magic", badMagic, /magic/],
      ["unknown format", badFormat, /format 99/],
      ["a flipped bit", flipped, /checksum/],
      ["truncated", good.subarray(0, good.length - 10), /checksum/],
    ];
    for (const [name, bytes, message] of cases) {
      let result: unknown;
      expect(() => {
        result = deserializeSnapshot(bytes);
      }, name).not.toThrow();
      expect(result, name).toMatchObject({ code: "MarshallingError", zkCode: -5, message });
    }
  });

  it("load when hand-written correctly (so the cases below fail for their own reason)", () => {
    const acl: [number, ACL[]][] = [[2, [digestACL("u")]]];
    const tree = restore(
      craft(
        [
          { path: "/" },
          { path: "/a", acl: 2 },
          { path: "/a/b", kind: 1, owner: 7 },
          { path: "/c", kind: 3, owner: 60_000 },
        ],
        { acls: acl },
      ),
    );
    expect(tree.nodeCount).toBe(4);
    expect(tree.ephemeralsOf(7)).toEqual(["/a/b"]);
    expect(tree.ttlOf("/c")).toBe(60_000);
    expect(tree.acl("/a")).toEqual([digestACL("u")]);
  });

  it("are refused when their content does not make a tree, even with a good checksum", () => {
    const held: [number, ACL[]][] = [[2, [digestACL("u")]]];
    const cases: [string, Uint8Array, RegExp][] = [
      ["no nodes", craft([]), /no root/],
      ["no root first", craft([{ path: "/a" }]), /not the root/],
      ["a missing parent", craft([{ path: "/" }, { path: "/a/b" }]), /out of pre-order/],
      [
        "out of pre-order",
        craft([{ path: "/" }, { path: "/a" }, { path: "/b" }, { path: "/a/c" }]),
        /pre-order/,
      ],
      ["a trailing slash", craft([{ path: "/" }, { path: "/a/" }]), /malformed/],
      ["a repeated node", craft([{ path: "/" }, { path: "/a" }, { path: "/a" }]), /twice/],
      ["an unknown owner kind", craft([{ path: "/" }, { path: "/a", kind: 7 }]), /owner kind 7/],
      ["an ACL id not held", craft([{ path: "/" }, { path: "/a", acl: 3 }], { acls: held }), /ACL id 3/],
      ["an ACL id above the counter", craft([{ path: "/" }], { acls: held, lastAclId: 1 }), /outside 1..1/],
      ["trailing bytes", craft([{ path: "/" }], { trailing: true }), /trailing/],
    ];
    for (const [name, bytes, message] of cases) {
      expect(deserializeSnapshot(bytes), name).toMatchObject({ code: "MarshallingError", message });
    }
  });

  it("drops ACL lists that no node uses, as ZooKeeper's purgeUnused", () => {
    const tree = restore(craft([{ path: "/" }], { acls: [[2, [digestACL("u")]]] }));
    expect(tree.acls.size).toBe(0);
    expect(tree.acls.lastId).toBe(5);
  });
});

describe("snapshot size", () => {
  it("is trimmed to what was written, also for non-ASCII paths", () => {
    const tree = new DataTree();
    apply(tree, txn(1, { type: "multi", txns: [createBody("/é😀"), createBody("/plain")] }));
    const snapshot = serializeSnapshot(tree);
    expect(snapshot.buffer.byteLength).toBe(snapshot.length);
    expect(restore(snapshot).has("/é😀")).toBe(true);
  });

  it("grows by the node's path, data and fixed fields", () => {
    const tree = new DataTree();
    const before = serializeSnapshot(tree).length;
    apply(tree, create(1, "/abc", { data: bytes("0123456789"), acl: READ_ACL_UNSAFE }));
    // path 4+4, data 4+10, acl id and five zxids/times 48, three versions 12, owner kind 1
    expect(serializeSnapshot(tree).length - before).toBe(8 + 14 + 48 + 12 + 1);
  });
});
