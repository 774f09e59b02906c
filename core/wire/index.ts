export {
  type ConnectRequest,
  type ConnectResponse,
  decodeConnectRequest,
  encodeConnectResponse,
} from "./connect.ts";
export { FRAME_SLACK, FrameDecoder } from "./frame.ts";
export { AddWatchMode, EventTypeCode, KeeperState, OpCode, WatcherType, Xid } from "./opcodes.ts";
export {
  type ClientRequest,
  type CreateOpcode,
  type CreateRequest,
  decodeRequest,
  type MultiRequestOp,
  type RequestFrame,
  readACLs,
  type WatchableRead,
} from "./requests.ts";
export {
  type ClientResponse,
  encodeNotification,
  encodeReply,
  type MultiResult,
  writeACLs,
  writeStat,
} from "./responses.ts";
