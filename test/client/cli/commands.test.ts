import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { javaDate, parseAcl, run, serveEnv, splitLine } from "../../../client/cli/index.ts";
import { type Nzk, startNzk } from "../harness.ts";

let nzk: Nzk;
beforeAll(async () => {
  nzk = await startNzk();
});
afterAll(async () => {
  await nzk?.[Symbol.asyncDispose]();
});

interface Ran {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function nzkCli(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { NZK_URL: nzk.url });
  return { code, out, err };
}

const STAT_KEYS = [
  "cZxid",
  "ctime",
  "mZxid",
  "mtime",
  "pZxid",
  "cversion",
  "dataVersion",
  "aclVersion",
  "ephemeralOwner",
  "dataLength",
  "numChildren",
];

describe("nzk commands (zkCli output)", () => {
  it("create, get, set, ls, stat, delete, deleteall", async () => {
    expect(await nzkCli("create", "/app", "v1")).toEqual({ code: 0, out: ["Created /app"], err: [] });
    const seq = await nzkCli("create", "-s", "/app/job-", "x");
    expect(seq.out).toEqual(["Created /app/job-0000000000"]);
    expect((await nzkCli("get", "/app")).out).toEqual(["v1"]);
    expect((await nzkCli("set", "-v", "0", "/app", "v2")).code).toBe(0);
    const got = await nzkCli("get", "-s", "/app");
    expect(got.out[0]).toBe("v2");
    expect(got.out.slice(1).map((l) => l.split(" = ")[0])).toEqual(STAT_KEYS);
    expect(got.out).toContain("dataVersion = 1");
    expect(got.out).toContain("numChildren = 1");
    expect(got.out).toContain("ephemeralOwner = 0x0");
    expect(got.out.find((l) => l.startsWith("ctime"))).toMatch(
      /^ctime = \w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}$/,
    );
    expect((await nzkCli("ls", "/app")).out).toEqual(["[job-0000000000]"]);
    expect((await nzkCli("ls", "/")).out).toEqual(["[app, zookeeper]"]);
    const stat = await nzkCli("stat", "/app");
    expect(stat.out.map((l) => l.split(" = ")[0])).toEqual(STAT_KEYS);
    await nzkCli("create", "/app/a");
    await nzkCli("create", "/app/a/b");
    expect((await nzkCli("ls", "-R", "/app")).out).toEqual([
      "/app",
      "/app/a",
      "/app/a/b",
      "/app/job-0000000000",
    ]);
    expect((await nzkCli("delete", "/app/a/b")).code).toBe(0);
    expect((await nzkCli("deleteall", "/app")).code).toBe(0);
    expect((await nzkCli("ls", "/")).out).toEqual(["[zookeeper]"]);
  });

  it("ZooKeeper errors: zkCli's message with the code, exit 1", async () => {
    expect(await nzkCli("get", "/missing")).toEqual({
      code: 1,
      out: [],
      err: ["Node does not exist: /missing (KeeperErrorCode = NoNode, -101)"],
    });
    await nzkCli("create", "/e");
    expect((await nzkCli("create", "/e")).err).toEqual([
      "Node already exists: /e (KeeperErrorCode = NodeExists, -110)",
    ]);
    expect((await nzkCli("set", "-v", "5", "/e", "x")).err).toEqual([
      "version No is not valid : /e (KeeperErrorCode = BadVersion, -103)",
    ]);
    await nzkCli("create", "/e/c");
    const notEmpty = await nzkCli("delete", "/e");
    expect([notEmpty.code, notEmpty.err]).toEqual([
      1,
      ["Node not empty: /e (KeeperErrorCode = NotEmpty, -111)"],
    ]);
    const json = await nzkCli("--json", "get", "/missing");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err[0]!).error).toMatchObject({ code: "NoNode", zkCode: -101, path: "/missing" });
    const down = await run(
      ["--server", "http://127.0.0.1:1", "sync", "/"],
      { out: () => {}, err: () => {} },
      {},
    );
    expect(down).toBe(1);
  });

  it("usage errors exit 2", async () => {
    expect((await nzkCli("frobnicate")).code).toBe(2);
    expect((await nzkCli("get")).code).toBe(2);
    expect((await nzkCli("get", "-x", "/a")).code).toBe(2);
    expect((await nzkCli("set", "-v", "one", "/a", "b")).code).toBe(2);
    expect((await nzkCli("create", "-c", "-e", "/a")).code).toBe(2);
    expect((await nzkCli("--bogus", "ls", "/")).code).toBe(2);
    expect((await nzkCli("lock", "/l")).code).toBe(2);
    expect((await nzkCli("help")).code).toBe(0);
  });

  it("--json prints the API's JSON", async () => {
    const made = await nzkCli("--json", "create", "/j", "data");
    expect(JSON.parse(made.out[0]!)).toMatchObject({ path: "/j", stat: { version: 0 } });
    const got = JSON.parse((await nzkCli("--json", "get", "/j")).out[0]!);
    expect(got).toMatchObject({ path: "/j", data: "data", encoding: "utf8" });
    expect(JSON.parse((await nzkCli("--json", "ls", "/j")).out[0]!)).toEqual([]);
    expect(JSON.parse((await nzkCli("--json", "sync", "/")).out[0]!).zxid).toMatch(/^0x[0-9a-f]+$/);
    expect(JSON.parse((await nzkCli("--json", "status")).out[0]!).mode).toBe("leading");
  });

  it("ACLs and digest auth: getAcl, setAcl, addauth, --auth", async () => {
    await nzkCli("create", "/acl", "x");
    expect((await nzkCli("getAcl", "/acl")).out).toEqual(["'world,'anyone", ": cdrwa"]);
    expect((await nzkCli("setAcl", "/acl", "world:anyone:r")).code).toBe(0);
    expect((await nzkCli("getAcl", "/acl")).out).toEqual(["'world,'anyone", ": r"]);
    expect((await nzkCli("set", "/acl", "y")).err).toEqual([
      "Insufficient permission : /acl (KeeperErrorCode = NoAuth, -102)",
    ]);
    await nzkCli("--auth", "bob:pw", "create", "/mine", "secret", "auth::cdrwa");
    expect((await nzkCli("get", "/mine")).code).toBe(1);
    expect((await nzkCli("--auth", "bob:pw", "get", "/mine")).out).toEqual(["secret"]);
    expect((await nzkCli("addauth", "digest", "bob:pw")).code).toBe(0);
    expect((await nzkCli("setAcl", "/acl", "nonsense")).code).toBe(2);
  });

  it("ephemeral and TTL nodes, services", async () => {
    expect((await nzkCli("create", "-e", "/tmp-node")).out).toEqual(["Created /tmp-node"]);
    // a one-shot command's session ends with it, and its ephemerals with the session
    expect((await nzkCli("stat", "/tmp-node")).code).toBe(1);
    expect((await nzkCli("create", "-t", "60000", "/ttl", "x")).code).toBe(0);
    const client = await nzk.connect(10_000);
    await client.registerService("web", "w1", { address: "10.1.1.1", port: 80 });
    expect((await nzkCli("services")).out).toEqual(["[web]"]);
    expect((await nzkCli("services", "web")).out).toEqual(["w1\t10.1.1.1:80"]);
    expect(JSON.parse((await nzkCli("--json", "services", "web")).out[0]!)[0]).toMatchObject({
      id: "w1",
      port: 80,
    });
  });

  it("get -w waits for the change and prints it as zkCli's watcher", async () => {
    await nzkCli("create", "/watched", "a");
    const out: string[] = [];
    let changed: Promise<unknown> | undefined;
    const io = {
      out: (l: string) => {
        out.push(l);
        // the change comes after the read has printed, so only the watch can report it
        if (l === "a") changed = nzk.client().set("/watched", "b");
      },
      err: () => {},
    };
    expect(await run(["get", "-w", "/watched"], io, { NZK_URL: nzk.url })).toBe(0);
    await changed;
    expect(out.slice(0, 4)).toEqual(["a", "", "WATCHER::", ""]);
    expect(out[4]).toMatch(
      /^WatchedEvent state:SyncConnected type:NodeDataChanged path:\/watched zxid: 0x[0-9a-f]+$/,
    );
  });
});

describe("nzk helpers", () => {
  it("formats times as java.util.Date and parses ACLs, shell lines and serve flags", () => {
    expect(javaDate(0)).toBe("Thu Jan 01 00:00:00 UTC 1970");
    expect(parseAcl("world:anyone:r,digest:bob:abc=:cdrwa,ip:::1:r")).toEqual([
      { scheme: "world", id: "anyone", perms: "r" },
      { scheme: "digest", id: "bob:abc=", perms: "cdrwa" },
      { scheme: "ip", id: "::1", perms: "r" },
    ]);
    expect(parseAcl("world")).toBeUndefined();
    expect(splitLine(`create /a "hello world" 'x y'`)).toEqual(["create", "/a", "hello world", "x y"]);
    expect(serveEnv(["--http-port", "9000", "--nats-url=nats://h:4222", "--data-dir", "/d"])).toEqual({
      NZK_HTTP_PORT: "9000",
      NATS_URL: "nats://h:4222",
      NZK_DATA_DIR: "/d",
    });
  });
});
