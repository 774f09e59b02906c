import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isZkError } from "../../../core/errors.ts";
import { JuteReader, JuteWriter } from "../../../core/jute.ts";
import { decodeConnectRequest, encodeConnectResponse } from "../../../core/wire/connect.ts";
import { OpCode } from "../../../core/wire/opcodes.ts";
import { decodeRequest } from "../../../core/wire/requests.ts";
import { encodeNotification, encodeReply } from "../../../core/wire/responses.ts";

const stat = {
  czxid: 0x100000002,
  mzxid: 0x100000003,
  ctime: 1_700_000_000_000,
  mtime: 1_700_000_000_001,
  version: 1,
  cversion: 2,
  aversion: 3,
  ephemeralOwner: -0x8000000000000000n,
  dataLength: 4,
  numChildren: 5,
  pzxid: 0x100000004,
};

function request(xid: number, opcode: number, body: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter();
  w.writeInt(xid);
  w.writeInt(opcode);
  body(w);
  return w.bytes().slice();
}

describe("ConnectRequest and ConnectResponse", () => {
  const connect = (readOnly?: boolean) => {
    const w = new JuteWriter();
    w.writeInt(0);
    w.writeLong(0x100000009);
    w.writeInt(30_000);
    w.writeBigLong(-1n);
    w.writeBuffer(new Uint8Array(16).fill(7));
    if (readOnly !== undefined) w.writeBool(readOnly);
    return w.bytes().slice();
  };

  it("reads requests with and without the readOnly byte, and any 64-bit session id", () => {
    const modern = decodeConnectRequest(connect(true));
    expect(modern).toMatchObject({
      lastZxidSeen: 0x100000009n,
      timeout: 30_000,
      sessionId: -1n,
      readOnly: true,
      withReadOnly: true,
    });
    const old = decodeConnectRequest(connect());
    expect(old).toMatchObject({ readOnly: false, withReadOnly: false });
    expect(isZkError(decodeConnectRequest(connect().subarray(0, 10)))).toBe(true);
  });

  it("writes the response with the readOnly byte only for clients that sent one", () => {
    const rsp = { timeout: 4000, sessionId: 0x100000002, password: new Uint8Array(16), readOnly: false };
    const withByte = encodeConnectResponse(rsp, true);
    const without = encodeConnectResponse(rsp, false);
    expect(withByte.length).toBe(4 + 4 + 4 + 8 + 4 + 16 + 1);
    expect(without.length).toBe(withByte.length - 1);
    const r = new JuteReader(withByte);
    expect([r.readInt(), r.readInt(), r.readInt(), r.readLong()]).toEqual([
      withByte.length - 4,
      0,
      4000,
      0x100000002,
    ]);
  });
});

describe("requests", () => {
  it("decodes each opcode's record as zookeeper.jute lays it out", () => {
    const acl = (w: JuteWriter) => {
      w.writeInt(1);
      w.writeInt(31);
      w.writeString("world");
      w.writeString("anyone");
    };
    const created = decodeRequest(
      request(5, OpCode.createTTL, (w) => {
        w.writeString("/t");
        w.writeBuffer(new Uint8Array([9]));
        acl(w);
        w.writeInt(5);
        w.writeLong(1000);
      }),
    );
    expect(created).toEqual({
      xid: 5,
      opcode: OpCode.createTTL,
      request: {
        type: "create",
        opcode: OpCode.createTTL,
        path: "/t",
        data: new Uint8Array([9]),
        acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
        flags: 5,
        ttl: 1000,
      },
    });
    const sw = decodeRequest(
      request(-8, OpCode.setWatches2, (w) => {
        w.writeLong(7);
        for (const list of [["/a"], [], ["/b", "/c"], [], ["/r"]])
          w.writeVector(list, (x, s) => x.writeString(s));
      }),
    );
    expect(sw).toMatchObject({
      xid: -8,
      request: {
        type: "setWatches",
        relativeZxid: 7,
        data: ["/a"],
        exist: [],
        child: ["/b", "/c"],
        persistentRecursive: ["/r"],
      },
    });
    const auth = decodeRequest(
      request(-4, OpCode.auth, (w) => {
        w.writeInt(0);
        w.writeString("digest");
        w.writeBuffer(new TextEncoder().encode("u:p"));
      }),
    );
    expect(auth).toMatchObject({ request: { type: "auth", scheme: "digest" } });
    expect(decodeRequest(request(1, 4242, () => {}))).toMatchObject({ request: { type: "unknown" } });
  });

  it("refuses a multi that mixes reads into writes", () => {
    const mixed = decodeRequest(
      request(1, OpCode.multi, (w) => {
        w.writeInt(OpCode.getData);
        w.writeBool(false);
        w.writeInt(-1);
        w.writeString("/a");
        w.writeBool(false);
        w.writeInt(-1);
        w.writeBool(true);
        w.writeInt(-1);
      }),
    );
    expect(isZkError(mixed)).toBe(true);
  });

  it("never throws and never loops on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.integer({ min: -12, max: 110 }), fc.uint8Array({ maxLength: 200 }), (opcode, body) => {
        const frame = new Uint8Array(8 + body.length);
        new DataView(frame.buffer).setInt32(4, opcode);
        frame.set(body, 8);
        const out = decodeRequest(frame);
        expect(isZkError(out) || typeof out.request.type === "string").toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("replies", () => {
  it("writes a header and, only on success, the body", () => {
    const ok = new JuteReader(encodeReply(3, 0x100000002, 0, { type: "stat", stat }));
    expect([ok.readInt(), ok.readInt(), ok.readLong(), ok.readInt()]).toEqual([
      8 + 4 + 4 + 68,
      3,
      0x100000002,
      0,
    ]);
    expect(ok.readLong()).toBe(stat.czxid);
    const failed = encodeReply(3, 1, -101, { type: "stat", stat });
    expect(failed.length).toBe(4 + 16);
  });

  it("writes a notification with xid -1, the event's zxid and state SyncConnected", () => {
    const r = new JuteReader(encodeNotification(42, 3, "/p"));
    r.readInt();
    expect([r.readInt(), r.readLong(), r.readInt(), r.readInt(), r.readInt(), r.readString()]).toEqual([
      -1,
      42,
      0,
      3,
      3,
      "/p",
    ]);
    r.expectEnd();
    expect(r.error).toBeUndefined();
  });
});
