/**
 * The log's record format: one log message holds a group of txns committed together. A format byte
 * leads, then the count and each txn (header, then a one-byte body tag and the body's fields), all in
 * jute's encoding. decodeTxns checks everything it reads, so a damaged record is a MarshallingError.
 */
import { ErrCode, type ErrName, errName, type ZkError } from "./errors.ts";
import { JuteReader, JuteWriter } from "./jute.ts";
import { readAclList, readString, writeAcl } from "./jute-acl.ts";
import type { Txn, TxnBody } from "./records.ts";

export const TXN_FORMAT = 1;

const Tag = {
  create: 1,
  delete: 2,
  setData: 3,
  setACL: 4,
  check: 5,
  error: 6,
  multi: 7,
  createSession: 8,
  closeSession: 9,
} as const;

/** deeper multis than this are refused when decoding, so crafted input cannot exhaust the stack */
const MAX_MULTI_DEPTH = 8;
/** the fewest bytes a txn header and body take, to bound counts read from damaged input */
const MIN_TXN_BYTES = 25;
const MIN_BODY_BYTES = 1;

function writeBody(w: JuteWriter, body: TxnBody): void {
  w.writeByte(Tag[body.type]);
  switch (body.type) {
    case "create":
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeVector(body.acl, writeAcl);
      w.writeLong(body.ephemeralOwner);
      w.writeBool(body.container);
      w.writeLong(body.ttl);
      w.writeInt(body.parentCVersion);
      return;
    case "delete":
      w.writeString(body.path);
      return;
    case "setData":
      w.writeString(body.path);
      w.writeBuffer(body.data);
      w.writeInt(body.version);
      return;
    case "setACL":
      w.writeString(body.path);
      w.writeVector(body.acl, writeAcl);
      w.writeInt(body.version);
      return;
    case "check":
      w.writeString(body.path);
      w.writeInt(body.version);
      return;
    case "error":
      w.writeInt(ErrCode[body.err]);
      return;
    case "multi":
      w.writeVector(body.txns, writeBody);
      return;
    case "createSession":
      w.writeInt(body.timeout);
      w.writeBuffer(body.password);
      return;
    case "closeSession":
      w.writeVector(body.paths, (w2, path) => w2.writeString(path));
      return;
  }
}

export function encodeTxns(txns: readonly Txn[]): Uint8Array {
  const w = new JuteWriter(64 * txns.length + 16);
  w.writeByte(TXN_FORMAT);
  w.writeInt(txns.length);
  for (const txn of txns) {
    w.writeLong(txn.sessionId);
    w.writeLong(txn.zxid);
    w.writeLong(txn.time);
    writeBody(w, txn.body);
  }
  return w.bytes().slice();
}

function readBytes(r: JuteReader): Uint8Array {
  return r.readBuffer() ?? new Uint8Array(0);
}

function readBody(r: JuteReader, depth: number): TxnBody {
  const tag = r.readByte();
  switch (tag) {
    case Tag.create: {
      const path = readString(r);
      const data = readBytes(r);
      const acl = readAclList(r);
      const ephemeralOwner = r.readLong();
      const container = r.readBool();
      const ttl = r.readLong();
      const parentCVersion = r.readInt();
      return { type: "create", path, data, acl, ephemeralOwner, container, ttl, parentCVersion };
    }
    case Tag.delete:
      return { type: "delete", path: readString(r) };
    case Tag.setData: {
      const path = readString(r);
      const data = readBytes(r);
      return { type: "setData", path, data, version: r.readInt() };
    }
    case Tag.setACL: {
      const path = readString(r);
      const acl = readAclList(r);
      return { type: "setACL", path, acl, version: r.readInt() };
    }
    case Tag.check: {
      const path = readString(r);
      return { type: "check", path, version: r.readInt() };
    }
    case Tag.error: {
      const code = r.readInt();
      const err: ErrName | undefined = errName(code);
      if (err === undefined) r.fail(`unknown error code ${code}`);
      return { type: "error", err: err ?? "SystemError" };
    }
    case Tag.multi: {
      if (depth >= MAX_MULTI_DEPTH) r.fail("multi nested too deep");
      const txns = r.readVector((r2) => readBody(r2, depth + 1), MIN_BODY_BYTES) ?? [];
      return { type: "multi", txns };
    }
    case Tag.createSession: {
      const timeout = r.readInt();
      return { type: "createSession", timeout, password: readBytes(r) };
    }
    case Tag.closeSession:
      return { type: "closeSession", paths: r.readVector(readString, 4) ?? [] };
    default:
      r.fail(`unknown txn type ${tag}`);
      return { type: "error", err: "SystemError" };
  }
}

export function decodeTxns(bytes: Uint8Array): Txn[] | ZkError {
  const r = new JuteReader(bytes);
  const format = r.readByte();
  if (r.error === undefined && format !== TXN_FORMAT) r.fail(`unknown txn format ${format}`);
  const count = r.readVectorLength(MIN_TXN_BYTES);
  if (count < 0) r.fail("null txn list");
  const txns: Txn[] = [];
  for (let i = 0; i < count && r.error === undefined; i++) {
    const sessionId = r.readLong();
    const zxid = r.readLong();
    const time = r.readLong();
    txns.push({ sessionId, zxid, time, body: readBody(r, 0) });
  }
  r.expectEnd();
  return r.error ?? txns;
}
