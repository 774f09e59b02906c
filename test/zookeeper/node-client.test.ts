/**
 * node-zookeeper-client, unmodified from npm, against a member's ZooKeeper port: every operation it
 * has, ZooKeeper's error codes, ACLs and digest auth, ephemerals and sessions, multi, and watches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientEvent, long, rejection, ZkClient, zookeeper } from "./client.ts";
import { type ZkFixture, zkMember } from "./fixture.ts";

const { CreateMode, Exception, Permission } = zookeeper;
const { ACL, Id } = zookeeper as unknown as {
  ACL: new (perm: number, id: unknown) => unknown;
  Id: new (scheme: string, id: string) => unknown;
};

let zk: ZkFixture;
let c: ZkClient;

beforeAll(async () => {
  zk = await zkMember();
  c = await ZkClient.connect(zk.connect);
});
afterAll(async () => {
  c?.close();
  await zk?.[Symbol.asyncDispose]();
});

/** A watcher whose first event a test can await. */
function watcher(): { fn: (e: ClientEvent) => void; event: Promise<ClientEvent> } {
  let fn: (e: ClientEvent) => void = () => {};
  const event = new Promise<ClientEvent>((resolve) => {
    fn = resolve;
  });
  return { fn, event };
}

describe("node-zookeeper-client against the ZooKeeper port", () => {
  it("creates, reads, updates and deletes with ZooKeeper's stats and versions", async () => {
    expect(await c.create("/crud", Buffer.from("one"))).toBe("/crud");
    const { data, stat } = await c.getData("/crud");
    expect(data?.toString()).toBe("one");
    expect(stat.version).toBe(0);
    expect(stat.dataLength).toBe(3);
    expect(long(stat.czxid)).toBe(long(stat.mzxid));
    expect(long(stat.ephemeralOwner)).toBe(0);
    const set = await c.setData("/crud", Buffer.from("two"), 0);
    expect(set.version).toBe(1);
    expect(long(set.mzxid)).toBeGreaterThan(long(set.czxid));
    expect((await rejection(c.setData("/crud", Buffer.from("x"), 0))).code).toBe(Exception.BAD_VERSION);
    expect((await c.exists("/crud"))?.version).toBe(1);
    await c.remove("/crud", 1);
    expect(await c.exists("/crud")).toBeNull();
    expect((await rejection(c.getData("/crud"))).code).toBe(Exception.NO_NODE);
  });

  it("answers ZooKeeper's error codes", async () => {
    await c.create("/errs");
    await c.create("/errs/child");
    expect((await rejection(c.create("/errs"))).code).toBe(Exception.NODE_EXISTS);
    expect((await rejection(c.create("/missing/child"))).code).toBe(Exception.NO_NODE);
    expect((await rejection(c.remove("/errs"))).code).toBe(Exception.NOT_EMPTY);
    expect((await rejection(c.remove("/errs/child", 7))).code).toBe(Exception.BAD_VERSION);
    const eph = await ZkClient.connect(zk.connect);
    await eph.create("/errs/eph", undefined, CreateMode.EPHEMERAL);
    expect((await rejection(c.create("/errs/eph/x"))).code).toBe(Exception.NO_CHILDREN_FOR_EPHEMERALS);
    eph.close();
  });

  it("lists children with the parent's stat, and numbers sequential nodes from the parent's cversion", async () => {
    await c.create("/seq");
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await c.create("/seq/n-", undefined, CreateMode.PERSISTENT_SEQUENTIAL));
    expect(made).toEqual(["/seq/n-0000000000", "/seq/n-0000000001", "/seq/n-0000000002"]);
    const { children, stat } = await c.getChildren("/seq");
    expect(children.sort()).toEqual(["n-0000000000", "n-0000000001", "n-0000000002"]);
    expect(stat.numChildren).toBe(3);
    expect(stat.cversion).toBe(3);
    expect(await c.mkdirp("/deep/er/path")).toBe("/deep/er/path");
  });

  it("keeps an ephemeral for its session only, visible in the member's tree as that session's", async () => {
    const owner = await ZkClient.connect(zk.connect);
    await owner.create("/eph", Buffer.from("here"), CreateMode.EPHEMERAL);
    const stat = await c.exists("/eph");
    expect(long(stat!.ephemeralOwner)).toBe(owner.sessionId);
    expect(zk.member.replica.tree.ephemeralsOf(owner.sessionId)).toEqual(["/eph"]);
    const gone = watcher();
    await c.exists("/eph", gone.fn);
    owner.close();
    expect((await gone.event).name).toBe("NODE_DELETED");
    expect(await c.exists("/eph")).toBeNull();
  });

  it("enforces ACLs and digest auth, and hides digests from readers without ADMIN", async () => {
    const alice = await ZkClient.connect(zk.connect);
    alice.raw.addAuthInfo("digest", Buffer.from("alice:secret"));
    await alice.create("/private", Buffer.from("s"), CreateMode.PERSISTENT, zookeeper.ACL.CREATOR_ALL_ACL);
    expect((await alice.getData("/private")).data?.toString()).toBe("s");
    expect((await rejection(c.getData("/private"))).code).toBe(Exception.NO_AUTH);
    expect((await rejection(c.setData("/private", Buffer.from("x")))).code).toBe(Exception.NO_AUTH);
    const { acls } = await alice.getACL("/private");
    expect(acls).toHaveLength(1);
    expect(acls[0]!.id.scheme).toBe("digest");
    expect(acls[0]!.id.id).toMatch(/^alice:.+=$/);
    expect(acls[0]!.permission).toBe(Permission.ALL);
    const readable = [
      new ACL(Permission.READ, new Id("world", "anyone")),
      new ACL(Permission.ALL, new Id("auth", "")),
    ];
    const stat = await alice.setACL("/private", readable, 0);
    expect(stat.aversion).toBe(1);
    expect((await c.getData("/private")).data?.toString()).toBe("s");
    const redacted = await c.getACL("/private");
    expect(redacted.acls.map((a) => a.id.id)).toContain("alice:x");
    expect((await rejection(c.setACL("/private", zookeeper.ACL.OPEN_ACL_UNSAFE))).code).toBe(
      Exception.NO_AUTH,
    );
    alice.close();
  });

  it("refuses an auth scheme it has no provider for with AuthFailed, then closes", async () => {
    const bad = zookeeper.createClient(zk.connect, { sessionTimeout: 5000, retries: 0 });
    const states: string[] = [];
    bad.on("state", (s) => states.push(s.name));
    const failed = new Promise<void>((resolve) =>
      bad.on("state", (s) => s.name === "AUTH_FAILED" && resolve()),
    );
    bad.addAuthInfo("kerberos", Buffer.from("nobody"));
    bad.connect();
    await failed;
    expect(states).toContain("AUTH_FAILED");
    bad.close();
  });

  it("commits a transaction atomically, and applies none of it when one op fails", async () => {
    const ok = await c.commit(
      c.raw
        .transaction()
        .create("/tx")
        .create("/tx/a", Buffer.from("a"))
        .setData("/tx", Buffer.from("t"), 0)
        .check("/tx/a", 0),
    );
    expect(ok.map((r) => r.type)).toEqual([1, 1, 5, 13]);
    expect(ok[0]!.path).toBe("/tx");
    expect(ok[2]!.stat?.version).toBe(1);
    const failed = await rejection(
      c.commit(c.raw.transaction().create("/tx/b").remove("/tx/nope").create("/tx/c")),
    );
    expect(failed.code).toBe(Exception.NO_NODE);
    expect(await c.exists("/tx/b")).toBeNull();
    expect(await c.exists("/tx/c")).toBeNull();
  });

  it("fires data, exists and child watches once each, with ZooKeeper's event types", async () => {
    await c.create("/w");
    const data = watcher();
    await c.getData("/w", data.fn);
    const exists = watcher();
    expect(await c.exists("/w/new", exists.fn)).toBeNull();
    const children = watcher();
    await c.getChildren("/w", children.fn);
    const other = await ZkClient.connect(zk.connect);
    await other.setData("/w", Buffer.from("changed"));
    await other.create("/w/new");
    expect(await data.event).toMatchObject({ name: "NODE_DATA_CHANGED", path: "/w" });
    expect(await exists.event).toMatchObject({ name: "NODE_CREATED", path: "/w/new" });
    expect(await children.event).toMatchObject({ name: "NODE_CHILDREN_CHANGED", path: "/w" });
    // one-shot: a second change is not reported to the same watch (checked through a fresh watch's order)
    const again = watcher();
    await c.getData("/w", again.fn);
    await other.setData("/w", Buffer.from("again"));
    expect((await again.event).name).toBe("NODE_DATA_CHANGED");
    expect(zk.server.watches.data.contains("/w", [...zk.server.connections][0]!)).toBe(false);
    other.close();
  });

  it("pipelines many requests on one connection and answers them in order", async () => {
    await c.create("/pipe");
    const writes = Array.from({ length: 200 }, (_, i) => c.create(`/pipe/n${i}`, Buffer.from(String(i))));
    const reads = Array.from({ length: 200 }, (_, i) => c.getData(`/pipe/n${i}`));
    expect(await Promise.all(writes)).toEqual(Array.from({ length: 200 }, (_, i) => `/pipe/n${i}`));
    const got = await Promise.all(reads);
    expect(got.map((g) => g.data?.toString())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });
});
