/**
 * The 3.9 opcodes node-zookeeper-client does not send, the handshake's edge cases, four-letter words and
 * robustness, spoken byte by byte from zookeeper.jute (raw-client.ts) against a member's port.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JuteWriter } from "../../core/jute.ts";
import { type ZkFixture, zkMember } from "./fixture.ts";
import { RawClient, readStat, writeOpenAcl } from "./raw-client.ts";

const Op = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getChildren: 8,
  sync: 9,
  ping: 11,
  check: 13,
  multi: 14,
  create2: 15,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  closeSession: -11,
};
const Err = { ok: 0, marshalling: -5, unimplemented: -6, badArguments: -8, noNode: -101, noWatcher: -121 };
const Ev = { created: 1, deleted: 2, dataChanged: 3, childrenChanged: 4 };

let zk: ZkFixture;
beforeAll(async () => {
  zk = await zkMember({ limits: { maxOutputBytes: 256 * 1024, highWaterBytes: 64 * 1024 } });
});
afterAll(async () => {
  await zk?.[Symbol.asyncDispose]();
});

const path = (p: string) => (w: JuteWriter) => w.writeString(p);
const pathWatch = (p: string, watch: boolean) => (w: JuteWriter) => {
  w.writeString(p);
  w.writeBool(watch);
};
const create =
  (p: string, flags = 0, data = "") =>
  (w: JuteWriter) => {
    w.writeString(p);
    w.writeBuffer(new TextEncoder().encode(data));
    writeOpenAcl(w);
    w.writeInt(flags);
  };
const strings = (w: JuteWriter, items: string[]) => {
  w.writeInt(items.length);
  for (const s of items) w.writeString(s);
};

describe("the ZooKeeper 3.9 opcodes", () => {
  it("create2, createContainer and createTTL answer with a stat; ttl needs createTTL", async () => {
    const c = await RawClient.session(zk.server.port);
    const r = await c.request(Op.create2, create("/c2", 0, "x"));
    expect(r.err).toBe(Err.ok);
    expect(r.body.readString()).toBe("/c2");
    expect(readStat(r.body).dataLength).toBe(1);
    const container = await c.request(Op.createContainer, create("/box", 4));
    expect(container.err).toBe(Err.ok);
    expect(container.body.readString()).toBe("/box");
    const ttl = await c.request(Op.createTTL, (w) => {
      create("/ttl", 5)(w);
      w.writeLong(60_000);
    });
    expect(ttl.err).toBe(Err.ok);
    expect((await c.request(Op.create, create("/ttl2", 5))).err).toBe(Err.badArguments);
    expect((await c.request(Op.create, create("/badflag", 9))).err).toBe(Err.badArguments);
    c.close();
  });

  it("check, sync, getAllChildrenNumber, getEphemerals and whoAmI", async () => {
    const c = await RawClient.session(zk.server.port);
    await c.request(Op.create, create("/cnt"));
    await c.request(Op.create, create("/cnt/a"));
    await c.request(Op.create, create("/cnt/a/b"));
    await c.request(Op.create, create("/cnt/e1", 1));
    await c.request(Op.create, create("/cnt/e2", 1));
    const check = await c.request(Op.check, (w) => {
      w.writeString("/cnt/a");
      w.writeInt(0);
    });
    expect(check.err).toBe(Err.ok);
    expect(readStat(check.body).version).toBe(0);
    const badCheck = await c.request(Op.check, (w) => {
      w.writeString("/cnt/a");
      w.writeInt(3);
    });
    expect(badCheck.err).toBe(-103);
    const sync = await c.request(Op.sync, path("/cnt"));
    expect(sync.body.readString()).toBe("/cnt");
    expect(sync.zxid).toBe(zk.member.replica.lastZxid);
    expect((await c.request(Op.getAllChildrenNumber, path("/cnt"))).body.readInt()).toBe(4);
    const eph = await c.request(Op.getEphemerals, path("/cnt/e"));
    expect(eph.body.readVector((r) => r.readString())).toEqual(["/cnt/e1", "/cnt/e2"]);
    await c.request(Op.auth, (w) => {
      w.writeInt(0);
      w.writeString("digest");
      w.writeBuffer(new TextEncoder().encode("bob:pw"));
    });
    const who = await c.request(Op.whoAmI);
    const infos = who.body.readVector((r) => ({ scheme: r.readString(), user: r.readString() }));
    expect(infos).toEqual([
      { scheme: "ip", user: "127.0.0.1" },
      { scheme: "digest", user: "bob" },
    ]);
    c.close();
  });

  it("multiRead answers each read, errors included", async () => {
    const c = await RawClient.session(zk.server.port);
    await c.request(Op.create, create("/mr", 0, "data"));
    const r = await c.request(Op.multiRead, (w) => {
      for (const [type, p] of [
        [Op.getData, "/mr"],
        [Op.getChildren, "/mr"],
        [Op.getData, "/nope"],
      ] as const) {
        w.writeInt(type);
        w.writeBool(false);
        w.writeInt(-1);
        pathWatch(p, false)(w);
      }
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
    });
    expect(r.err).toBe(Err.ok);
    const b = r.body;
    expect([b.readInt(), b.readBool(), b.readInt()]).toEqual([Op.getData, false, 0]);
    expect(new TextDecoder().decode(b.readBuffer()!)).toBe("data");
    readStat(b);
    expect([b.readInt(), b.readBool(), b.readInt()]).toEqual([Op.getChildren, false, 0]);
    expect(b.readVector((x) => x.readString())).toEqual([]);
    expect([b.readInt(), b.readBool(), b.readInt(), b.readInt()]).toEqual([
      -1,
      false,
      Err.noNode,
      Err.noNode,
    ]);
    expect([b.readInt(), b.readBool(), b.readInt()]).toEqual([-1, true, -1]);
    c.close();
  });

  it("a failed multi answers header Ok and one result per op, ZooKeeper's way", async () => {
    const c = await RawClient.session(zk.server.port);
    const r = await c.request(Op.multi, (w) => {
      w.writeInt(Op.create);
      w.writeBool(false);
      w.writeInt(-1);
      create("/m1")(w);
      w.writeInt(Op.delete);
      w.writeBool(false);
      w.writeInt(-1);
      w.writeString("/m-missing");
      w.writeInt(-1);
      w.writeInt(Op.create2);
      w.writeBool(false);
      w.writeInt(-1);
      create("/m2")(w);
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
    });
    expect(r.err).toBe(Err.ok);
    const codes = [];
    for (let i = 0; i < 3; i++) {
      expect(r.body.readInt()).toBe(-1);
      r.body.readBool();
      r.body.readInt();
      codes.push(r.body.readInt());
    }
    expect(codes).toEqual([0, Err.noNode, -2]);
    expect((await c.request(Op.exists, pathWatch("/m1", false))).err).toBe(Err.noNode);
    c.close();
  });

  it("persistent and recursive watches from addWatch, checkWatches and removeWatches", async () => {
    const c = await RawClient.session(zk.server.port);
    const other = await RawClient.session(zk.server.port);
    await c.request(Op.create, create("/pw"));
    const mode = (p: string, m: number) => (w: JuteWriter) => {
      w.writeString(p);
      w.writeInt(m);
    };
    const added = await c.request(Op.addWatch, mode("/pw", 1));
    expect(added.err).toBe(Err.ok);
    expect(added.body.readInt()).toBe(0);
    expect((await c.request(Op.addWatch, mode("/pw", 7))).err).toBe(Err.marshalling);
    await other.request(Op.create, create("/pw/a"));
    await other.request(Op.create, create("/pw/a/b"));
    await other.request(Op.setData, (w) => {
      w.writeString("/pw/a/b");
      w.writeBuffer(new Uint8Array([1]));
      w.writeInt(-1);
    });
    await c.notification((n) => n.path === "/pw/a/b" && n.type === Ev.dataChanged);
    // recursive watches see creates, deletes and data changes below, never NodeChildrenChanged
    expect(c.notifications.map((n) => [n.type, n.path])).toEqual([
      [Ev.created, "/pw/a"],
      [Ev.created, "/pw/a/b"],
      [Ev.dataChanged, "/pw/a/b"],
    ]);
    expect(c.notifications.every((n, i, all) => i === 0 || n.zxid > all[i - 1]!.zxid)).toBe(true);
    expect(c.notifications.every((n) => n.state === 3)).toBe(true);
    expect((await c.request(Op.checkWatches, mode("/pw", 5))).err).toBe(Err.ok);
    expect((await c.request(Op.checkWatches, mode("/pw", 2))).err).toBe(Err.noWatcher);
    expect((await c.request(Op.removeWatches, mode("/pw", 5))).err).toBe(Err.ok);
    expect((await c.request(Op.removeWatches, mode("/pw", 5))).err).toBe(Err.noWatcher);
    c.close();
    other.close();
  });

  it("setWatches2 re-arms watches and fires at once for what changed after the client's zxid", async () => {
    const c = await RawClient.session(zk.server.port);
    await c.request(Op.create, create("/sw"));
    await c.request(Op.create, create("/sw/kept"));
    const seen = zk.member.replica.lastZxid;
    await c.request(Op.setData, (w) => {
      w.writeString("/sw");
      w.writeBuffer(new Uint8Array([1]));
      w.writeInt(-1);
    });
    await c.request(Op.create, create("/sw/born"));
    const r = await c.request(
      Op.setWatches2,
      (w) => {
        w.writeLong(seen);
        strings(w, ["/sw", "/sw/kept", "/sw/gone"]);
        strings(w, ["/sw/born", "/sw/unborn"]);
        strings(w, ["/sw"]);
        strings(w, []);
        strings(w, ["/sw/kept"]);
      },
      -8,
    );
    expect(r.err).toBe(Err.ok);
    expect(c.notifications.map((n) => [n.type, n.path])).toEqual([
      [Ev.dataChanged, "/sw"],
      [Ev.deleted, "/sw/gone"],
      [Ev.created, "/sw/born"],
      [Ev.childrenChanged, "/sw"],
    ]);
    c.notifications.length = 0;
    const other = await RawClient.session(zk.server.port);
    await other.request(Op.setData, (w) => {
      w.writeString("/sw/kept");
      w.writeBuffer(new Uint8Array([2]));
      w.writeInt(-1);
    });
    await other.request(Op.create, create("/sw/unborn"));
    await c.notification((n) => n.path === "/sw/unborn");
    expect(c.notifications.map((n) => [n.type, n.path])).toEqual([
      [Ev.dataChanged, "/sw/kept"],
      [Ev.created, "/sw/unborn"],
    ]);
    c.close();
    other.close();
  });

  it("answers pings with xid -2 and unknown opcodes with Unimplemented", async () => {
    const c = await RawClient.session(zk.server.port);
    const ping = await c.request(Op.ping, () => {}, -2);
    expect(ping.err).toBe(Err.ok);
    expect(ping.zxid).toBe(zk.member.replica.lastZxid);
    expect((await c.request(999)).err).toBe(Err.unimplemented);
    c.close();
  });

  it("closeSession ends the session and its ephemerals, then the connection", async () => {
    const c = await RawClient.session(zk.server.port);
    await c.request(Op.create, create("/bye", 1));
    expect((await c.request(Op.closeSession)).err).toBe(Err.ok);
    await c.ended();
    expect(zk.member.replica.tree.has("/bye")).toBe(false);
    expect(zk.member.replica.tree.session(c.sessionId)).toBeUndefined();
  });
});

describe("session expiry", () => {
  it("expires a silent session through the member's buckets, deletes its ephemerals and closes its connection", async () => {
    const silent = await RawClient.session(zk.server.port, { timeout: 1000 });
    expect(silent.timeout).toBe(1000);
    await silent.request(Op.create, create("/expiring", 1));
    // no pings: the leader's session tracker expires it, and the log's closeSession ends the connection
    await silent.ended();
    expect(zk.member.replica.tree.has("/expiring")).toBe(false);
    expect(zk.member.replica.tree.session(silent.sessionId)).toBeUndefined();
    const back = await RawClient.session(zk.server.port, {
      sessionId: silent.sessionId,
      password: silent.password,
    });
    expect([back.sessionId, back.timeout]).toEqual([0, 0]);
  });
});

describe("the handshake", () => {
  it("negotiates the timeout within the member's bounds", async () => {
    const low = await RawClient.session(zk.server.port, { timeout: 10 });
    expect(low.timeout).toBe(zk.member.config.minSessionTimeoutMs);
    const high = await RawClient.session(zk.server.port, { timeout: 10_000_000 });
    expect(high.timeout).toBe(zk.member.config.maxSessionTimeoutMs);
    low.close();
    high.close();
  });

  it("takes a session over with its id and password, and answers timeout 0 / session 0 otherwise", async () => {
    const first = await RawClient.session(zk.server.port);
    await first.request(Op.create, create("/mine", 1));
    const again = await RawClient.session(zk.server.port, {
      sessionId: first.sessionId,
      password: first.password,
    });
    expect(again.sessionId).toBe(first.sessionId);
    await first.ended();
    expect((await again.request(Op.exists, pathWatch("/mine", false))).err).toBe(Err.ok);
    const wrong = await RawClient.session(zk.server.port, {
      sessionId: first.sessionId,
      password: new Uint8Array(16),
    });
    expect([wrong.sessionId, wrong.timeout]).toEqual([0, 0]);
    await wrong.ended();
    const unknown = await RawClient.session(zk.server.port, { sessionId: 0x7777, password: first.password });
    expect([unknown.sessionId, unknown.timeout]).toEqual([0, 0]);
    again.close();
  });
});

describe("a connection that never says hello", () => {
  it("is closed by the listener's one sweep, not a timer of its own", async () => {
    await using quick = await zkMember({ handshakeTimeoutMs: 300 });
    const mute = await RawClient.open(quick.server.port);
    await mute.ended();
    expect(quick.server.connections.size).toBe(0);
  });
});

describe("four-letter words on the client port", () => {
  async function word(w: string): Promise<string> {
    const socket = connect(zk.server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.write(w);
    await new Promise((resolve) => socket.on("close", resolve));
    return Buffer.concat(chunks).toString();
  }

  it("answers ruok, isro, srvr, stat, mntr, conf, cons, envi and wchs", async () => {
    expect(await word("ruok")).toBe("imok");
    expect(await word("isro")).toBe("rw");
    expect(await word("srvr")).toMatch(/^Zookeeper version: 3\.9.*\nMode: leader\nNode count: \d+\n$/s);
    expect(await word("stat")).toMatch(/Clients:\n/);
    expect(await word("mntr")).toMatch(/^zk_version\t.*\nzk_server_state\tleader\n/s);
    expect(await word("conf")).toMatch(/clientPort=\d+\n/);
    expect(await word("envi")).toMatch(/^Environment:\n/);
    expect(await word("wchs")).toMatch(/connections watching \d+ paths\nTotal watches:\d+\n/);
    expect(await word("cons")).toBeTypeOf("string");
    expect(await word("dump")).toBe("dump is not executed because it is not in the whitelist.\n");
  });
});

describe("robustness", () => {
  /** Sends bytes on an established session; resolves once the server closed it, with nothing applied. */
  async function closedAfter(bytes: Uint8Array): Promise<void> {
    const c = await RawClient.session(zk.server.port);
    const before = zk.member.replica.lastZxid;
    c.socket.write(bytes);
    await c.ended();
    expect(zk.member.replica.lastZxid).toBe(before);
  }

  it("closes a connection that sends an oversized or negative frame length, or a malformed record", async () => {
    const huge = Buffer.alloc(8);
    huge.writeInt32BE(zk.server.limits.maxFrameBytes + 1, 0);
    await closedAfter(huge);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5, 0);
    await closedAfter(negative);
    // a create whose path claims more bytes than the frame holds
    await closedAfter(Buffer.from([0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0x7f, 0xff, 0x2f, 0x61, 0, 0]));
    const fine = await RawClient.session(zk.server.port);
    expect((await fine.request(Op.exists, pathWatch("/", false))).err).toBe(Err.ok);
    fine.close();
  });

  it("takes frames up to the data limit plus ZooKeeper's slack, and answers data above the limit MarshallingError", async () => {
    const c = await RawClient.session(zk.server.port);
    const max = zk.member.config.maxDataBytes;
    const createWith = (p: string, n: number) => (w: JuteWriter) => {
      w.writeString(p);
      w.writeBuffer(new Uint8Array(n));
      writeOpenAcl(w);
      w.writeInt(0);
    };
    // the member refuses a txn its log message cannot hold (NATS max_payload less its framing): 900 KiB fits
    expect((await c.request(Op.create, createWith("/big", 900 * 1024))).err).toBe(Err.ok);
    expect((await c.request(Op.create, createWith("/too-big", max + 1))).err).toBe(Err.marshalling);
    expect((await c.request(Op.exists, pathWatch("/too-big", false))).err).toBe(Err.noNode);
    c.close();
  });

  it("survives garbage of every shape before and after the handshake", async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const c =
        seed % 2 === 0 ? await RawClient.session(zk.server.port) : await RawClient.open(zk.server.port);
      const junk = Buffer.alloc(64 + seed * 7);
      let x = seed * 2654435761;
      for (let i = 0; i < junk.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        junk[i] = x >>> 24;
      }
      junk.writeInt32BE(junk.length - 4, 0);
      c.socket.write(junk);
      c.socket.end();
      await c.ended();
    }
    const fine = await RawClient.session(zk.server.port);
    expect((await fine.request(Op.exists, pathWatch("/", false))).err).toBe(Err.ok);
    fine.close();
  });

  it("survives well-formed records with hostile contents for every opcode", { timeout: 60_000 }, async () => {
    let x = 12345;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x % n;
    };
    const texts = [
      "/",
      "",
      "/a",
      "//",
      "/a/",
      "/zookeeper",
      "/zookeeper/quota",
      "/\u0000",
      "/a/./b",
      "/\ud800",
      "/x".repeat(300),
      "digest",
      "ip",
      "world",
      "anyone",
      "auth",
      "super",
      "a:b",
      "10.0.0.0/40",
      "x:y:z",
    ];
    const field = (w: JuteWriter) => {
      switch (rand(7)) {
        case 0:
          w.writeString(texts[rand(texts.length)]!);
          break;
        case 1:
          w.writeInt([0, -1, 1, 31, 0x7fffffff, -0x80000000, 5, 6, 7][rand(9)]!);
          break;
        case 2:
          w.writeBool(rand(2) === 0);
          break;
        case 3:
          w.writeLong([0, -1, 1, 2 ** 52][rand(4)]!);
          break;
        case 4:
          w.writeBuffer(new Uint8Array(rand(40)));
          break;
        case 5:
          w.writeInt(rand(3));
          for (let i = 0; i < 3; i++) {
            w.writeInt(rand(64));
            w.writeString(texts[rand(texts.length)]!);
            w.writeString(texts[rand(texts.length)]!);
          }
          break;
        default:
          w.writeInt(-1);
      }
    };
    const ops = [...Object.values(Op), 0, 16, 20, 102, 11];
    let c = await RawClient.session(zk.server.port);
    for (let i = 0; i < 1500; i++) {
      if (c.closed) c = await RawClient.session(zk.server.port);
      const opcode = ops[rand(ops.length)]!;
      if (opcode === Op.closeSession) continue;
      c.send(opcode, (w) => {
        for (let f = rand(6); f >= 0; f--) field(w);
      });
      if (i % 50 === 0) await c.reply().catch(() => undefined);
    }
    c.close();
    const fine = await RawClient.session(zk.server.port);
    expect((await fine.request(Op.exists, pathWatch("/", false))).err).toBe(Err.ok);
    fine.close();
  });

  it("closes a client that stops reading while notifications pile up, keeping its output bounded", async () => {
    const lazy = await RawClient.session(zk.server.port);
    const writer = await RawClient.session(zk.server.port);
    await writer.request(Op.create, create("/flood"));
    const added = await lazy.request(Op.addWatch, (x) => {
      x.writeString("/flood");
      x.writeInt(1);
    });
    expect(added.err).toBe(Err.ok);
    lazy.socket.pause();
    const name = "n".repeat(1000);
    const limit = zk.server.limits.maxOutputBytes;
    let batches = 0;
    // each multi fires 100 notifications of ~1 KiB; 300 batches are far beyond any socket buffering
    for (; batches < 300; batches++) {
      const conn = [...zk.server.connections].find((cn) => cn.sessionId === lazy.sessionId);
      if (conn === undefined) break;
      expect(conn.socket.writableLength).toBeLessThanOrEqual(limit + 2048);
      const r = await writer.request(Op.multi, (w) => {
        for (let i = 0; i < 100; i++) {
          w.writeInt(Op.create);
          w.writeBool(false);
          w.writeInt(-1);
          create(`/flood/${batches}-${i}-${name}`)(w);
        }
        w.writeInt(-1);
        w.writeBool(true);
        w.writeInt(-1);
      });
      expect(r.err).toBe(Err.ok);
    }
    expect(batches).toBeLessThan(300);
    lazy.close();
    writer.close();
  });
});
