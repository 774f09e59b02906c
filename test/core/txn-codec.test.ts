import { describe, expect, it } from "vitest";
import { ErrCode } from "../../core/errors.ts";
import { JuteWriter } from "../../core/jute.ts";
import type { Txn, TxnBody } from "../../core/records.ts";
import { decodeTxns, encodeTxns, TXN_FORMAT } from "../../core/txn-codec.ts";
import { bytes, createBody, digestACL, txn } from "./txn-fixtures.ts";

const everyBody: TxnBody[] = [
  createBody("/a", { data: bytes("data"), acl: [digestACL("u", 5), digestACL("v")] }),
  createBody("/e-0000000001", { ephemeralOwner: 0x1_0000_0003, parentCVersion: 2 }),
  createBody("/c", { container: true, parentCVersion: -1 }),
  createBody("/t", { ttl: 2 ** 40 - 1, parentCVersion: 2 ** 31 - 1 }),
  createBody("/bin/é/😀", { data: Uint8Array.from({ length: 256 }, (_, i) => i) }),
  { type: "delete", path: "/a" },
  { type: "setData", path: "/a", data: new Uint8Array(0), version: -1 },
  { type: "setACL", path: "/a", acl: [{ perms: 1, id: { scheme: "ip", id: "10.0.0.0/8" } }], version: 3 },
  { type: "check", path: "/a", version: 2 ** 31 - 1 },
  ...Object.keys(ErrCode).map((err) => ({ type: "error", err }) as TxnBody),
  { type: "multi", txns: [] },
  {
    type: "multi",
    txns: [createBody("/m"), { type: "delete", path: "/m" }, { type: "error", err: "RuntimeInconsistency" }],
  },
  { type: "createSession", timeout: 30_000, password: Uint8Array.from({ length: 16 }, (_, i) => 255 - i) },
  { type: "closeSession", paths: [] },
  { type: "closeSession", paths: ["/e1", "/e2"] },
];

const everyTxn: Txn[] = everyBody.map((body, i) => ({
  sessionId: i % 3 === 0 ? 0 : 0x1f_ffff_0000_0000 + i,
  zxid: 0x5_0000_0000 + i,
  time: 1_700_000_000_000 + i,
  body,
}));

describe("txn codec", () => {
  it("round-trips every body type, every error code and a whole group of txns", () => {
    expect(decodeTxns(encodeTxns(everyTxn))).toEqual(everyTxn);
    for (const t of everyTxn) expect(decodeTxns(encodeTxns([t]))).toEqual([t]);
    expect(decodeTxns(encodeTxns([]))).toEqual([]);
  });

  it("leads with its format byte", () => {
    const encoded = encodeTxns([txn(1, { type: "delete", path: "/a" })]);
    expect(encoded[0]).toBe(TXN_FORMAT);
    // format, count, session, zxid, time, tag, path
    expect(encoded.length).toBe(1 + 4 + 24 + 1 + 4 + 2);
  });

  it("returns its own bytes, not a view of a larger buffer", () => {
    const encoded = encodeTxns(everyTxn);
    expect(encoded.byteOffset).toBe(0);
    expect(encoded.buffer.byteLength).toBe(encoded.length);
  });

  it("refuses every truncation of a record with a MarshallingError", () => {
    const encoded = encodeTxns(everyTxn.slice(0, 12));
    for (let n = 0; n < encoded.length; n++) {
      const decoded = decodeTxns(encoded.subarray(0, n));
      expect(decoded, `prefix of ${n} bytes`).toMatchObject({ code: "MarshallingError", zkCode: -5 });
    }
  });

  it("refuses trailing bytes, an unknown format, an unknown txn type and an unknown error code", () => {
    const encoded = encodeTxns([txn(1, { type: "error", err: "NoNode" })]);
    const trailing = new Uint8Array([...encoded, 0]);
    expect(decodeTxns(trailing)).toMatchObject({ code: "MarshallingError", message: /trailing/ });
    const format = encoded.slice();
    format[0] = 99;
    expect(decodeTxns(format)).toMatchObject({ code: "MarshallingError", message: /format 99/ });
    const tag = encoded.slice();
    tag[29] = 77;
    expect(decodeTxns(tag)).toMatchObject({ code: "MarshallingError", message: /txn type 77/ });
    const code = encoded.slice();
    code.set([0, 0, 0x12, 0x34], 30);
    expect(decodeTxns(code)).toMatchObject({ code: "MarshallingError", message: /error code 4660/ });
  });

  it("refuses null strings and lists where a txn needs them", () => {
    const w = new JuteWriter();
    w.writeByte(TXN_FORMAT);
    w.writeInt(1);
    w.writeLong(0);
    w.writeLong(1);
    w.writeLong(2);
    w.writeByte(2);
    w.writeString(null);
    expect(decodeTxns(w.bytes())).toMatchObject({ code: "MarshallingError", message: /null string/ });
  });

  it("refuses multis nested deeper than any prep makes, so crafted input cannot exhaust the stack", () => {
    let body: TxnBody = { type: "check", path: "/", version: 0 };
    for (let i = 0; i < 9; i++) body = { type: "multi", txns: [body] };
    expect(decodeTxns(encodeTxns([txn(1, body)]))).toMatchObject({
      code: "MarshallingError",
      message: /deep/,
    });
    let shallow: TxnBody = { type: "check", path: "/", version: 0 };
    for (let i = 0; i < 8; i++) shallow = { type: "multi", txns: [shallow] };
    expect(decodeTxns(encodeTxns([txn(1, shallow)]))).toEqual([txn(1, shallow)]);
  });

  it("refuses a txn count larger than the bytes could hold without looping over it", () => {
    const w = new JuteWriter();
    w.writeByte(TXN_FORMAT);
    w.writeInt(0x7fff_ffff);
    expect(decodeTxns(w.bytes())).toMatchObject({ code: "MarshallingError", message: /truncated/ });
  });
});
