/**
 * The binary format of the writes a follower forwards to the leader and of the leader's answer
 * (member-links.ts, WriteForward and WriteReply), in jute's encoding as the log's records are
 * (core/txn-codec.ts): a format byte leads, then one-byte tags and each record's fields. Every write of
 * a follower's clients crosses it, there and back, so it carries data as raw bytes rather than JSON's
 * base64 and decodes without walking a parsed tree: as JSON, encoding the forwards alone took a sixth
 * of a busy follower's CPU.
 *
 * Versions, perms and session timeouts are jute ints as in zookeeper.jute (every entry point checks
 * them as such); a ttl travels as a double, so whatever a client asked for reaches the leader's prep to
 * be judged there rather than being wrapped to a long here. Strings travel as UTF-8, as in the log.
 * The decoders check everything they read, and a damaged message is a MarshallingError, never a throw.
 */
import { type ErrName, errName, type ZkError } from "../core/errors.ts";
import { JuteReader, JuteWriter } from "../core/jute.ts";
import { readAclList, readId, readString, writeAcl, writeId } from "../core/jute-acl.ts";
import {
  type Caller,
  type CreateMode,
  CreateModes,
  type CreateOp,
  type MultiOp,
  type WriteRequest,
} from "../core/records.ts";
import type { Proposal, WriteForward, WriteReply } from "./member-links.ts";

export const FORWARD_FORMAT = 1;
export const REPLY_FORMAT = 2;

const Op = {
  create: 1,
  delete: 2,
  setData: 3,
  setACL: 4,
  check: 5,
  multi: 6,
  deleteAll: 7,
  createSession: 8,
  closeSession: 9,
  reap: 10,
} as const;

/** a create's optional fields: which are present, and the value of parents */
const HAS_TTL = 1;
const HAS_PARENTS = 2;
const PARENTS = 4;

const Answer = { proposals: 1, notLeader: 2 } as const;
const Prop = { proposed: 1, failed: 2, refused: 3 } as const;

const modeByFlag: CreateMode[] = [];
for (const [mode, flag] of Object.entries(CreateModes)) modeByFlag[flag] = mode as CreateMode;

/** the fewest bytes each item takes, to bound counts read from damaged input */
const MIN_WRITE_BYTES = 13; // session id, auth count, tag
const MIN_ID_BYTES = 8;
const MIN_MULTI_OP_BYTES = 9; // tag, path, version
const MIN_PROPOSAL_BYTES = 9; // tag, zxid

// ---- writing ----

function writeCreate(w: JuteWriter, op: CreateOp): void {
  w.writeString(op.path);
  w.writeBuffer(op.data);
  w.writeVector(op.acl, writeAcl);
  w.writeByte(CreateModes[op.mode]);
  const parents = op.parents === undefined ? 0 : op.parents ? HAS_PARENTS | PARENTS : HAS_PARENTS;
  w.writeByte((op.ttl === undefined ? 0 : HAS_TTL) | parents);
  if (op.ttl !== undefined) w.writeDouble(op.ttl);
}

function writeMultiOp(w: JuteWriter, op: MultiOp): void {
  w.writeByte(Op[op.op]);
  switch (op.op) {
    case "create":
      writeCreate(w, op);
      return;
    case "setData":
      w.writeString(op.path);
      w.writeBuffer(op.data);
      w.writeInt(op.version);
      return;
    case "delete":
    case "check":
      w.writeString(op.path);
      w.writeInt(op.version);
      return;
  }
}

function writeRequest(w: JuteWriter, req: WriteRequest): void {
  switch (req.op) {
    case "create":
    case "delete":
    case "setData":
    case "check":
      writeMultiOp(w, req);
      return;
    case "setACL":
      w.writeByte(Op.setACL);
      w.writeString(req.path);
      w.writeVector(req.acl, writeAcl);
      w.writeInt(req.version);
      return;
    case "multi":
      w.writeByte(Op.multi);
      w.writeVector(req.ops, writeMultiOp);
      return;
    case "deleteAll":
    case "reap":
      w.writeByte(Op[req.op]);
      w.writeString(req.path);
      return;
    case "createSession":
      w.writeByte(Op.createSession);
      w.writeInt(req.timeout);
      w.writeBuffer(req.password);
      return;
    case "closeSession":
      w.writeByte(Op.closeSession);
      return;
  }
}

function writeError(w: JuteWriter, err: ZkError): void {
  w.writeInt(err.zkCode);
  w.writeString(err.message);
  w.writeString(err.path ?? null);
}

function writeProposal(w: JuteWriter, p: Proposal): void {
  if ("refused" in p) {
    w.writeByte(Prop.refused);
    writeError(w, p.refused);
    return;
  }
  w.writeByte(p.failed === undefined ? Prop.proposed : Prop.failed);
  w.writeLong(p.zxid);
  if (p.failed !== undefined) writeError(w, p.failed);
}

/** The encoders return the writer's own buffer, uncopied: nothing writes to it afterwards. */
export function encodeForward(fwd: WriteForward): Uint8Array {
  const w = new JuteWriter(64 + 192 * fwd.writes.length);
  w.writeByte(FORWARD_FORMAT);
  w.writeInt(fwd.writes.length);
  for (const { caller, req } of fwd.writes) {
    w.writeLong(caller.sessionId);
    w.writeVector(caller.auth, writeId);
    writeRequest(w, req);
  }
  return w.bytes();
}

export function encodeWriteReply(reply: WriteReply): Uint8Array {
  const w = new JuteWriter("proposals" in reply ? 16 + 32 * reply.proposals.length : 16);
  w.writeByte(REPLY_FORMAT);
  if ("proposals" in reply) {
    w.writeByte(Answer.proposals);
    w.writeVector(reply.proposals, writeProposal);
  } else {
    w.writeByte(Answer.notLeader);
  }
  return w.bytes();
}

// ---- reading ----

/** Znode data: a view into decodeForward's own copy of the message (see there). */
function readData(r: JuteReader): Uint8Array {
  const bytes = r.readBufferView();
  if (bytes === null) r.fail("null data");
  return bytes ?? new Uint8Array(0);
}

function readCreate(r: JuteReader): CreateOp {
  const path = readString(r);
  const data = readData(r);
  const acl = readAclList(r);
  const flag = r.readByte();
  const mode = modeByFlag[flag];
  if (mode === undefined) r.fail(`unknown create mode ${flag}`);
  const flags = r.readByte();
  if (flags > (HAS_TTL | HAS_PARENTS | PARENTS) || (flags & (HAS_PARENTS | PARENTS)) === PARENTS) {
    r.fail(`bad create flags ${flags}`);
  }
  const op: { -readonly [K in keyof CreateOp]: CreateOp[K] } = {
    op: "create",
    path,
    data,
    acl,
    mode: mode ?? "persistent",
  };
  if (flags & HAS_TTL) op.ttl = r.readDouble();
  if (flags & HAS_PARENTS) op.parents = (flags & PARENTS) !== 0;
  return op;
}

/** The ops that may be part of a multi, by tag; undefined for any other tag. */
function readMultiOpOf(r: JuteReader, tag: number): MultiOp | undefined {
  switch (tag) {
    case Op.create:
      return readCreate(r);
    case Op.delete: {
      const path = readString(r);
      return { op: "delete", path, version: r.readInt() };
    }
    case Op.setData: {
      const path = readString(r);
      const data = readData(r);
      return { op: "setData", path, data, version: r.readInt() };
    }
    case Op.check: {
      const path = readString(r);
      return { op: "check", path, version: r.readInt() };
    }
    default:
      return undefined;
  }
}

/** A multi's op: a multi inside a multi is refused, so nesting is bounded by the format itself. */
function readMultiOp(r: JuteReader): MultiOp {
  const tag = r.readByte();
  const op = readMultiOpOf(r, tag);
  if (op !== undefined) return op;
  r.fail(`op ${tag} cannot be part of a multi`);
  return { op: "check", path: "", version: 0 };
}

function readRequest(r: JuteReader): WriteRequest {
  const tag = r.readByte();
  switch (tag) {
    case Op.setACL: {
      const path = readString(r);
      const acl = readAclList(r);
      return { op: "setACL", path, acl, version: r.readInt() };
    }
    case Op.multi: {
      const ops = r.readVector(readMultiOp, MIN_MULTI_OP_BYTES);
      if (ops === null) r.fail("null multi");
      return { op: "multi", ops: ops ?? [] };
    }
    case Op.deleteAll:
      return { op: "deleteAll", path: readString(r) };
    case Op.createSession: {
      const timeout = r.readInt();
      // its own copy: the session keeps it, and a view would keep the whole message alive with it
      const password = r.readBuffer();
      if (password === null) r.fail("null password");
      return { op: "createSession", timeout, password: password ?? new Uint8Array(0) };
    }
    case Op.closeSession:
      return { op: "closeSession" };
    case Op.reap:
      return { op: "reap", path: readString(r) };
    default: {
      const op = readMultiOpOf(r, tag);
      if (op !== undefined) return op;
      r.fail(`unknown write op ${tag}`);
      return { op: "closeSession" };
    }
  }
}

function readCaller(r: JuteReader): Caller {
  const sessionId = r.readLong();
  const auth = r.readVector(readId, MIN_ID_BYTES);
  if (auth === null) r.fail("null auth list");
  return { sessionId, auth: auth ?? [] };
}

function readError(r: JuteReader): ZkError {
  const zkCode = r.readInt();
  const code: ErrName | undefined = errName(zkCode);
  if (code === undefined || code === "Ok") r.fail(`not an error code: ${zkCode}`);
  const message = readString(r);
  const path = r.readString();
  const err = { code: code === undefined || code === "Ok" ? "SystemError" : code, zkCode, message };
  return path === null ? err : { ...err, path };
}

function readProposal(r: JuteReader): Proposal {
  const tag = r.readByte();
  switch (tag) {
    case Prop.proposed:
      return { zxid: r.readLong() };
    case Prop.failed: {
      const zxid = r.readLong();
      return { zxid, failed: readError(r) };
    }
    case Prop.refused:
      return { refused: readError(r) };
    default:
      r.fail(`unknown proposal ${tag}`);
      return { zxid: 0 };
  }
}

function readFormat(r: JuteReader, expected: number): void {
  const format = r.readByte();
  if (r.error === undefined && format !== expected) r.fail(`unknown format ${format}`);
}

/**
 * The message is copied once, and each write's data is a view into that copy: a Uint8Array of its own
 * for every write cost more than the rest of the decoding, and the data lives only until the write is
 * applied (the tree holds it as a string). A view into the message NATS delivered would instead keep
 * the socket's read buffer alive.
 */
export function decodeForward(bytes: Uint8Array): WriteForward | ZkError {
  const r = new JuteReader(bytes.slice());
  readFormat(r, FORWARD_FORMAT);
  const count = r.readVectorLength(MIN_WRITE_BYTES);
  if (count < 0) r.fail("null write list");
  const writes: { caller: Caller; req: WriteRequest }[] = [];
  for (let i = 0; i < count && r.error === undefined; i++) {
    const caller = readCaller(r);
    writes.push({ caller, req: readRequest(r) });
  }
  r.expectEnd();
  return r.error ?? { writes };
}

export function decodeWriteReply(bytes: Uint8Array): WriteReply | ZkError {
  const r = new JuteReader(bytes);
  readFormat(r, REPLY_FORMAT);
  const tag = r.readByte();
  let reply: WriteReply = { notLeader: true };
  if (tag === Answer.proposals) {
    const proposals = r.readVector(readProposal, MIN_PROPOSAL_BYTES);
    if (proposals === null) r.fail("null proposal list");
    reply = { proposals: proposals ?? [] };
  } else if (tag !== Answer.notLeader) {
    r.fail(`unknown answer ${tag}`);
  }
  r.expectEnd();
  return r.error ?? reply;
}
