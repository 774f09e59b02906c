import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrCode, type ErrName, isZkError, type ZkError, zkError } from "../../core/errors.ts";
import { JuteWriter } from "../../core/jute.ts";
import {
  type ACL,
  type Caller,
  type CreateMode,
  CreateModes,
  type CreateOp,
  type Id,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  type WriteRequest,
} from "../../core/records.ts";
import {
  decodeForward,
  decodeWriteReply,
  encodeForward,
  encodeWriteReply,
  FORWARD_FORMAT,
  REPLY_FORMAT,
} from "../../member/forward-codec.ts";
import type { Proposal, WriteForward, WriteReply } from "../../member/member-links.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
const digest: ACL = { perms: 5, id: { scheme: "digest", id: "u:aGFzaA==" } };
const ipAcl: ACL = { perms: 1, id: { scheme: "ip", id: "10.0.0.0/8" } };
const modes = Object.keys(CreateModes) as CreateMode[];
const errNames = Object.keys(ErrCode).filter((n) => n !== "Ok") as Exclude<ErrName, "Ok">[];

const create = (path: string, extra: Partial<CreateOp> = {}): CreateOp => ({
  op: "create",
  path,
  data: bytes("data"),
  acl: OPEN_ACL_UNSAFE,
  mode: "persistent",
  ...extra,
});

const everyMultiOp: MultiOp[] = [
  create("/m", { acl: [digest, ipAcl], parents: true }),
  { op: "delete", path: "/m", version: -1 },
  { op: "setData", path: "/m", data: everyByte, version: 2 ** 31 - 1 },
  { op: "check", path: "/m", version: -(2 ** 31) },
];

const everyRequest: WriteRequest[] = [
  ...modes.map((mode, i) => create(`/mode-${mode}`, { mode, data: everyByte.subarray(i) })),
  create("/ttl", { mode: "persistent_ttl", ttl: 0xff_ffff_ffff }),
  create("/ttl-seq", { mode: "persistent_sequential_ttl", ttl: 1, parents: false }),
  // whatever a client asked for reaches prep unchanged, to be judged there
  create("/odd-ttl", { ttl: -1 }),
  create("/huge-ttl", { mode: "persistent_ttl", ttl: 1e300 }),
  create("/frac-ttl", { mode: "persistent_ttl", ttl: 1.5 }),
  create("/parents/a/b", { parents: true }),
  create("/no-parents", { parents: false }),
  create("/empty", { data: new Uint8Array(0), acl: [] }),
  create("/bin/é/😀/\u0000", { acl: [ipAcl, digest, ...OPEN_ACL_UNSAFE] }),
  { op: "delete", path: "/a", version: -1 },
  { op: "delete", path: "/a", version: 7 },
  { op: "setData", path: "/a", data: new Uint8Array(0), version: -1 },
  { op: "setData", path: "/a", data: everyByte, version: 3 },
  { op: "setACL", path: "/a", acl: [digest, ipAcl], version: 0 },
  { op: "setACL", path: "/a", acl: [], version: -1 },
  { op: "check", path: "/a", version: 2 ** 31 - 1 },
  { op: "multi", ops: [] },
  { op: "multi", ops: everyMultiOp },
  { op: "deleteAll", path: "/tree" },
  { op: "createSession", timeout: 30_000, password: Uint8Array.from({ length: 16 }, (_, i) => 255 - i) },
  { op: "closeSession" },
  { op: "reap", path: "/container" },
];

const callers: Caller[] = [
  { sessionId: 0, auth: [] },
  { sessionId: 2 ** 53 - 1, auth: [{ scheme: "world", id: "anyone" }] },
  {
    sessionId: 0x1_0000_0005,
    auth: [
      { scheme: "digest", id: "u" },
      { scheme: "ip", id: "127.0.0.1" },
      { scheme: "super", id: "" },
      { scheme: "x509", id: "CN=é" },
    ],
  },
];

const everyForward: WriteForward = {
  writes: everyRequest.map((req, i) => ({ caller: callers[i % callers.length]!, req })),
};

const everyProposal: Proposal[] = [
  { zxid: 0 },
  { zxid: 2 ** 53 - 1 },
  { zxid: 0x5_0000_0001, failed: zkError("NodeExists", "node exists", "/a") },
  { zxid: 0x5_0000_0002, failed: zkError("BadVersion", "version 3, not 2") },
  { refused: zkError("MarshallingError", "the request is larger than a log message can hold", "/big") },
  { refused: zkError("ConnectionLoss", "this member is no longer the leader") },
  ...errNames.map((code, i) => ({ zxid: i + 1, failed: zkError(code, `${code} ✓`, `/p${i}`) })),
  ...errNames.map((code) => ({ refused: zkError(code, "") })),
];

const everyReply: WriteReply[] = [{ notLeader: true }, { proposals: [] }, { proposals: everyProposal }];

/** A forward by hand: the format byte, one write of `caller` {0, []}, then whatever `body` writes. */
function handForward(body: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter();
  w.writeByte(FORWARD_FORMAT);
  w.writeInt(1);
  w.writeLong(0);
  w.writeInt(0);
  body(w);
  return w.bytes().slice();
}

function expectMarshallingError(value: unknown, message?: RegExp): void {
  expect(value).toMatchObject({ code: "MarshallingError", zkCode: ErrCode.MarshallingError });
  if (message !== undefined) expect((value as ZkError).message).toMatch(message);
}

describe("forward codec: round trips", () => {
  it("carries every write request, create mode and caller exactly", () => {
    expect(decodeForward(encodeForward(everyForward))).toStrictEqual(everyForward);
    for (const write of everyForward.writes) {
      const one = { writes: [write] };
      expect(decodeForward(encodeForward(one))).toStrictEqual(one);
    }
    expect(decodeForward(encodeForward({ writes: [] }))).toStrictEqual({ writes: [] });
  });

  it("leaves absent optional fields absent, not undefined", () => {
    const decoded = decodeForward(encodeForward({ writes: [{ caller: callers[0]!, req: create("/a") }] }));
    if (isZkError(decoded)) throw new Error(decoded.message);
    const req = decoded.writes[0]!.req;
    expect(Object.keys(req).sort()).toEqual(["acl", "data", "mode", "op", "path"]);
  });

  it("carries every proposal and both answers exactly", () => {
    for (const reply of everyReply) expect(decodeWriteReply(encodeWriteReply(reply))).toStrictEqual(reply);
    const decoded = decodeWriteReply(
      encodeWriteReply({ proposals: [{ zxid: 1 }, { refused: zkError("ConnectionLoss", "gone") }] }),
    );
    if (isZkError(decoded) || !("proposals" in decoded)) throw new Error("not proposals");
    expect(Object.keys(decoded.proposals[0]!)).toEqual(["zxid"]);
    expect(Object.keys((decoded.proposals[1] as { refused: ZkError }).refused).sort()).toEqual([
      "code",
      "message",
      "zkCode",
    ]);
  });

  it("decodes data that does not change when the message it came from is reused", () => {
    const encoded = encodeForward({
      writes: [{ caller: callers[0]!, req: create("/a", { data: everyByte }) }],
    });
    const decoded = decodeForward(encoded);
    encoded.fill(0);
    expect(decoded).toStrictEqual({
      writes: [{ caller: callers[0]!, req: create("/a", { data: everyByte }) }],
    });
  });

  it("leads each message with its own format byte, so one is never taken for the other", () => {
    const fwd = encodeForward(everyForward);
    const reply = encodeWriteReply({ proposals: [] });
    expect(fwd[0]).toBe(FORWARD_FORMAT);
    expect(reply[0]).toBe(REPLY_FORMAT);
    expectMarshallingError(decodeWriteReply(fwd), /format 1/);
    expectMarshallingError(decodeForward(reply), /format 2/);
  });
});

// ---- generated values ----

/** plain objects, as the members' own records are */
const plain = { noNullPrototype: true };

const text = fc.string({ unit: "binary", maxLength: 24 });
const int32 = fc.integer();
const id: fc.Arbitrary<Id> = fc.record({ scheme: text, id: text }, plain);
const acl: fc.Arbitrary<ACL> = fc.record({ perms: int32, id }, plain);
const acls = fc.array(acl, { maxLength: 4 });
const data = fc.uint8Array({ maxLength: 64 });
const createOp: fc.Arbitrary<CreateOp> = fc.record(
  {
    op: fc.constant("create" as const),
    path: text,
    data,
    acl: acls,
    mode: fc.constantFrom(...modes),
    ttl: fc.double(),
    parents: fc.boolean(),
  },
  { requiredKeys: ["op", "path", "data", "acl", "mode"], noNullPrototype: true },
);
const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  createOp,
  fc.record({ op: fc.constant("delete" as const), path: text, version: int32 }, plain),
  fc.record({ op: fc.constant("setData" as const), path: text, data, version: int32 }, plain),
  fc.record({ op: fc.constant("check" as const), path: text, version: int32 }, plain),
);
const writeRequest: fc.Arbitrary<WriteRequest> = fc.oneof(
  multiOp,
  fc.record({ op: fc.constant("setACL" as const), path: text, acl: acls, version: int32 }, plain),
  fc.record({ op: fc.constant("multi" as const), ops: fc.array(multiOp, { maxLength: 5 }) }, plain),
  fc.record({ op: fc.constant("deleteAll" as const), path: text }, plain),
  fc.record({ op: fc.constant("createSession" as const), timeout: int32, password: data }, plain),
  fc.record({ op: fc.constant("closeSession" as const) }, plain),
  fc.record({ op: fc.constant("reap" as const), path: text }, plain),
);
const caller: fc.Arbitrary<Caller> = fc.record(
  { sessionId: fc.maxSafeInteger(), auth: fc.array(id, { maxLength: 3 }) },
  plain,
);
const forward: fc.Arbitrary<WriteForward> = fc.record(
  { writes: fc.array(fc.record({ caller, req: writeRequest }, plain), { maxLength: 8 }) },
  plain,
);
const error: fc.Arbitrary<ZkError> = fc
  .tuple(fc.constantFrom(...errNames), text, fc.option(text, { nil: undefined }))
  .map(([code, message, path]) => zkError(code, message, path));
const proposal: fc.Arbitrary<Proposal> = fc.oneof(
  fc.record({ zxid: fc.maxSafeNat() }, plain),
  fc.record({ zxid: fc.maxSafeNat(), failed: error }, plain),
  fc.record({ refused: error }, plain),
);
const reply: fc.Arbitrary<WriteReply> = fc.oneof(
  fc.constant({ notLeader: true as const }),
  fc.record({ proposals: fc.array(proposal, { maxLength: 8 }) }, plain),
);

describe("forward codec: generated values", () => {
  it("round-trips any forwarded batch", () => {
    fc.assert(
      fc.property(forward, (fwd) => {
        expect(decodeForward(encodeForward(fwd))).toStrictEqual(fwd);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any answer", () => {
    fc.assert(
      fc.property(reply, (r) => {
        expect(decodeWriteReply(encodeWriteReply(r))).toStrictEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on damaged input: any corruption is an error or a well-formed value", () => {
    const damaged = (encoded: fc.Arbitrary<Uint8Array>) =>
      fc
        .tuple(
          encoded,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        )
        .map(([bytes, flips]) => {
          const out = bytes.slice();
          for (const [at, value] of flips) out[at % out.length] = value;
          return out;
        });
    fc.assert(
      fc.property(damaged(forward.map(encodeForward)), (bytes) => {
        const decoded = decodeForward(bytes);
        if (isZkError(decoded)) expect(decoded.code).toBe("MarshallingError");
        else expect(Array.isArray(decoded.writes)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(damaged(reply.map(encodeWriteReply)), (bytes) => {
        const decoded = decodeWriteReply(bytes);
        if (isZkError(decoded)) expect(decoded.code).toBe("MarshallingError");
        else expect("notLeader" in decoded || Array.isArray(decoded.proposals)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(() => decodeForward(bytes)).not.toThrow();
        expect(() => decodeWriteReply(bytes)).not.toThrow();
      }),
    );
  });
});

describe("forward codec: damaged input", () => {
  it("refuses every truncation with a MarshallingError", () => {
    const fwd = encodeForward(everyForward);
    for (let n = 0; n < fwd.length; n++) expectMarshallingError(decodeForward(fwd.subarray(0, n)));
    const reply = encodeWriteReply({ proposals: everyProposal.slice(0, 8) });
    for (let n = 0; n < reply.length; n++) expectMarshallingError(decodeWriteReply(reply.subarray(0, n)));
  });

  it("refuses trailing bytes", () => {
    const fwd = encodeForward(everyForward);
    expectMarshallingError(decodeForward(new Uint8Array([...fwd, 0])), /trailing/);
    const reply = encodeWriteReply({ notLeader: true });
    expectMarshallingError(decodeWriteReply(new Uint8Array([...reply, 0])), /trailing/);
  });

  it("refuses unknown tags, modes, flags and error codes", () => {
    expectMarshallingError(decodeForward(handForward((w) => w.writeByte(99))), /unknown write op 99/);
    const withMode = (mode: number, flags: number) =>
      handForward((w) => {
        w.writeByte(1);
        w.writeString("/a");
        w.writeBuffer(new Uint8Array(0));
        w.writeInt(0);
        w.writeByte(mode);
        w.writeByte(flags);
      });
    expect(decodeForward(withMode(6, 0))).toMatchObject({
      writes: [{ req: { mode: "persistent_sequential_ttl" } }],
    });
    expectMarshallingError(decodeForward(withMode(7, 0)), /create mode 7/);
    expectMarshallingError(decodeForward(withMode(0, 8)), /flags 8/);
    // "parents is true" without "parents is present"
    expectMarshallingError(decodeForward(withMode(0, 4)), /flags 4/);

    const answer = (body: (w: JuteWriter) => void) => {
      const w = new JuteWriter();
      w.writeByte(REPLY_FORMAT);
      body(w);
      return w.bytes().slice();
    };
    expectMarshallingError(decodeWriteReply(answer((w) => w.writeByte(3))), /unknown answer 3/);
    const proposals = (body: (w: JuteWriter) => void) =>
      answer((w) => {
        w.writeByte(1);
        w.writeInt(1);
        body(w);
      });
    expectMarshallingError(
      decodeWriteReply(
        proposals((w) => {
          w.writeByte(4);
          w.writeLong(1);
        }),
      ),
      /unknown proposal 4/,
    );
    const refusedWith = (code: number) =>
      proposals((w) => {
        w.writeByte(3);
        w.writeInt(code);
        w.writeString("m");
        w.writeString(null);
      });
    expect(decodeWriteReply(refusedWith(-101))).toStrictEqual({
      proposals: [{ refused: zkError("NoNode", "m") }],
    });
    expectMarshallingError(decodeWriteReply(refusedWith(0)), /not an error code: 0/);
    expectMarshallingError(decodeWriteReply(refusedWith(4660)), /not an error code: 4660/);
  });

  it("refuses null strings, data and lists where a record needs them", () => {
    expectMarshallingError(
      decodeForward(
        handForward((w) => {
          w.writeByte(7);
          w.writeString(null);
        }),
      ),
      /null string/,
    );
    expectMarshallingError(
      decodeForward(
        handForward((w) => {
          w.writeByte(3);
          w.writeString("/a");
          w.writeBuffer(null);
          w.writeInt(0);
        }),
      ),
      /null data/,
    );
    expectMarshallingError(
      decodeForward(
        handForward((w) => {
          w.writeByte(6);
          w.writeInt(-1);
        }),
      ),
      /null multi/,
    );
    const nullAuth = new JuteWriter();
    nullAuth.writeByte(FORWARD_FORMAT);
    nullAuth.writeInt(1);
    nullAuth.writeLong(0);
    nullAuth.writeInt(-1);
    nullAuth.writeByte(9);
    expectMarshallingError(decodeForward(nullAuth.bytes()), /null auth/);
  });

  it("refuses a multi inside a multi, however deep, without recursing into it", () => {
    const nested = (depth: number) =>
      handForward((w) => {
        for (let i = 0; i < depth; i++) {
          w.writeByte(6);
          w.writeInt(1);
        }
        w.writeByte(5);
        w.writeString("/");
        w.writeInt(0);
      });
    expect(decodeForward(nested(1))).toStrictEqual({
      writes: [{ caller: callers[0], req: { op: "multi", ops: [{ op: "check", path: "/", version: 0 }] } }],
    });
    expectMarshallingError(decodeForward(nested(2)), /op 6 cannot be part of a multi/);
    expectMarshallingError(decodeForward(nested(100_000)), /op 6 cannot be part of a multi/);
    // nor any other op a multi cannot hold
    const setAclInMulti = handForward((w) => {
      w.writeByte(6);
      w.writeInt(1);
      w.writeByte(4);
      w.writeString("/");
      w.writeInt(0);
      w.writeInt(0);
    });
    expectMarshallingError(decodeForward(setAclInMulti), /op 4 cannot be part of a multi/);
  });

  it("refuses a huge declared length or count before allocating for it", () => {
    const huge = 0x7fff_ffff;
    const writes = new JuteWriter();
    writes.writeByte(FORWARD_FORMAT);
    writes.writeInt(huge);
    expectMarshallingError(decodeForward(writes.bytes()), /truncated: vector of 2147483647/);
    expectMarshallingError(
      decodeForward(
        handForward((w) => {
          w.writeByte(3);
          w.writeString("/a");
          w.writeInt(huge);
        }),
      ),
      /truncated: length 2147483647/,
    );
    for (const [tag, bodyBefore] of [
      [6, () => {}],
      [4, (w: JuteWriter) => w.writeString("/a")],
    ] as const) {
      expectMarshallingError(
        decodeForward(
          handForward((w) => {
            w.writeByte(tag);
            bodyBefore(w);
            w.writeInt(huge);
          }),
        ),
        /truncated: vector of 2147483647/,
      );
    }
    const proposals = new JuteWriter();
    proposals.writeByte(REPLY_FORMAT);
    proposals.writeByte(1);
    proposals.writeInt(huge);
    expectMarshallingError(decodeWriteReply(proposals.bytes()), /truncated: vector of 2147483647/);
  });

  it("refuses a session id or zxid beyond 2^53", () => {
    const w = new JuteWriter();
    w.writeByte(FORWARD_FORMAT);
    w.writeInt(1);
    w.writeBigLong(2n ** 53n);
    w.writeInt(0);
    w.writeByte(9);
    expectMarshallingError(decodeForward(w.bytes()), /safe integer/);
  });
});
