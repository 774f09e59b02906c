/**
 * What the server sends after the handshake: a ReplyHeader and, when the request succeeded, the
 * response record of its opcode (zookeeper.jute; MultiResponse for multi and multiRead). Every reply is
 * a whole frame, length prefix included, ready for the socket.
 */
import { JuteWriter } from "../jute.ts";
import type { ACL, Stat } from "../records.ts";
import { KeeperState, OpCode, Xid } from "./opcodes.ts";

export type MultiResult =
  | { readonly type: "create"; readonly path: string }
  | { readonly type: "create2"; readonly path: string; readonly stat: Stat }
  | { readonly type: "delete" }
  | { readonly type: "check" }
  | { readonly type: "setData"; readonly stat: Stat }
  | { readonly type: "getData"; readonly data: Uint8Array; readonly stat: Stat }
  | { readonly type: "getChildren"; readonly children: readonly string[] }
  | { readonly type: "error"; readonly err: number };

export type ClientResponse =
  /** CreateResponse, SyncResponse */
  | { readonly type: "path"; readonly path: string }
  /** Create2Response */
  | { readonly type: "pathStat"; readonly path: string; readonly stat: Stat }
  /** ExistsResponse, SetDataResponse, SetACLResponse */
  | { readonly type: "stat"; readonly stat: Stat }
  | { readonly type: "getData"; readonly data: Uint8Array; readonly stat: Stat }
  /** GetChildrenResponse, GetEphemeralsResponse */
  | { readonly type: "strings"; readonly items: readonly string[] }
  | { readonly type: "children2"; readonly children: readonly string[]; readonly stat: Stat }
  | { readonly type: "acl"; readonly acl: readonly ACL[]; readonly stat: Stat }
  /** GetAllChildrenNumberResponse, and ErrorResponse (addWatch answers one with 0) */
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "whoAmI"; readonly clientInfo: readonly { authScheme: string; user: string }[] }
  | { readonly type: "multi"; readonly results: readonly MultiResult[] };

export function writeStat(w: JuteWriter, s: Stat): void {
  w.writeLong(s.czxid);
  w.writeLong(s.mzxid);
  w.writeLong(s.ctime);
  w.writeLong(s.mtime);
  w.writeInt(s.version);
  w.writeInt(s.cversion);
  w.writeInt(s.aversion);
  w.writeBigLong(s.ephemeralOwner);
  w.writeInt(s.dataLength);
  w.writeInt(s.numChildren);
  w.writeLong(s.pzxid);
}

export function writeACLs(w: JuteWriter, acl: readonly ACL[]): void {
  w.writeVector(acl, (x, a) => {
    x.writeInt(a.perms);
    x.writeString(a.id.scheme);
    x.writeString(a.id.id);
  });
}

function writeStrings(w: JuteWriter, items: readonly string[]): void {
  w.writeVector(items, (x, s) => x.writeString(s));
}

const MULTI_TYPE: Record<MultiResult["type"], number> = {
  create: OpCode.create,
  create2: OpCode.create2,
  delete: OpCode.delete,
  check: OpCode.check,
  setData: OpCode.setData,
  getData: OpCode.getData,
  getChildren: OpCode.getChildren,
  error: OpCode.error,
};

function writeMulti(w: JuteWriter, results: readonly MultiResult[]): void {
  for (const r of results) {
    w.writeInt(MULTI_TYPE[r.type]);
    w.writeBool(false);
    w.writeInt(r.type === "error" ? r.err : 0);
    switch (r.type) {
      case "create":
        w.writeString(r.path);
        break;
      case "create2":
        w.writeString(r.path);
        writeStat(w, r.stat);
        break;
      case "setData":
        writeStat(w, r.stat);
        break;
      case "getData":
        w.writeBuffer(r.data);
        writeStat(w, r.stat);
        break;
      case "getChildren":
        writeStrings(w, r.children);
        break;
      case "error":
        w.writeInt(r.err);
        break;
      default:
        break;
    }
  }
  w.writeInt(-1);
  w.writeBool(true);
  w.writeInt(-1);
}

function writeBody(w: JuteWriter, rsp: ClientResponse): void {
  switch (rsp.type) {
    case "path":
      w.writeString(rsp.path);
      return;
    case "pathStat":
      w.writeString(rsp.path);
      writeStat(w, rsp.stat);
      return;
    case "stat":
      writeStat(w, rsp.stat);
      return;
    case "getData":
      w.writeBuffer(rsp.data);
      writeStat(w, rsp.stat);
      return;
    case "strings":
      writeStrings(w, rsp.items);
      return;
    case "children2":
      writeStrings(w, rsp.children);
      writeStat(w, rsp.stat);
      return;
    case "acl":
      writeACLs(w, rsp.acl);
      writeStat(w, rsp.stat);
      return;
    case "int":
      w.writeInt(rsp.value);
      return;
    case "whoAmI":
      w.writeVector(rsp.clientInfo, (x, c) => {
        x.writeString(c.authScheme);
        x.writeString(c.user);
      });
      return;
    case "multi":
      writeMulti(w, rsp.results);
      return;
  }
}

const STAT_BYTES = 68;

/** A close upper bound of the body's size, so the writer allocates once (the common replies are exact). */
function sizeHint(rsp: ClientResponse): number {
  switch (rsp.type) {
    case "getData":
      return 4 + rsp.data.length + STAT_BYTES;
    case "stat":
      return STAT_BYTES;
    case "path":
    case "pathStat":
      return 4 + rsp.path.length * 3 + STAT_BYTES;
    default:
      return 256;
  }
}

/**
 * A reply frame: the header, then the body only when err is 0, as ZooKeeper sends them. The frame is a
 * view of the writer's buffer, which nothing else holds.
 */
export function encodeReply(xid: number, zxid: number, err: number, body?: ClientResponse): Uint8Array {
  const w = new JuteWriter(20 + (body === undefined || err !== 0 ? 0 : sizeHint(body)));
  w.writeInt(0);
  w.writeInt(xid);
  w.writeLong(zxid);
  w.writeInt(err);
  if (err === 0 && body !== undefined) writeBody(w, body);
  w.writeIntAt(0, w.length - 4);
  return w.bytes();
}

/** A watch notification: xid -1, the event's zxid, and a WatcherEvent in state SyncConnected. */
export function encodeNotification(zxid: number, eventType: number, path: string): Uint8Array {
  const w = new JuteWriter(32 + path.length * 3);
  w.writeInt(0);
  w.writeInt(Xid.notification);
  w.writeLong(zxid);
  w.writeInt(0);
  w.writeInt(eventType);
  w.writeInt(KeeperState.SyncConnected);
  w.writeString(path);
  w.writeIntAt(0, w.length - 4);
  return w.bytes();
}
