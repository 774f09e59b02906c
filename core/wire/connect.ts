/**
 * The handshake records (zookeeper.jute's ConnectRequest and ConnectResponse). Clients older than 3.4
 * (node-zookeeper-client among them) leave out the readOnly byte, and must get a response without it,
 * as ZooKeeper's compat.ProtocolManager decides from the request. Session ids and zxids are read as
 * bigints: a client that last talked to another ZooKeeper may present any 64-bit value.
 */
import type { ZkError } from "../errors.ts";
import { JuteReader, JuteWriter } from "../jute.ts";

export interface ConnectRequest {
  readonly protocolVersion: number;
  readonly lastZxidSeen: bigint;
  readonly timeout: number;
  readonly sessionId: bigint;
  readonly password: Uint8Array;
  readonly readOnly: boolean;
  /** whether the client sent the readOnly byte, and so expects one back */
  readonly withReadOnly: boolean;
}

export interface ConnectResponse {
  readonly timeout: number;
  readonly sessionId: number;
  readonly password: Uint8Array;
  readonly readOnly: boolean;
}

export function decodeConnectRequest(frame: Uint8Array): ConnectRequest | ZkError {
  const r = new JuteReader(frame);
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readBigLong();
  const timeout = r.readInt();
  const sessionId = r.readBigLong();
  const password = r.readBuffer() ?? new Uint8Array(0);
  const withReadOnly = r.error === undefined && r.remaining > 0;
  const readOnly = withReadOnly ? r.readBool() : false;
  if (r.error !== undefined) return r.error;
  return { protocolVersion, lastZxidSeen, timeout, sessionId, password, readOnly, withReadOnly };
}

/** The response as a whole frame, length prefix included. */
export function encodeConnectResponse(rsp: ConnectResponse, withReadOnly: boolean): Uint8Array {
  const w = new JuteWriter(64);
  w.writeInt(0);
  w.writeInt(0);
  w.writeInt(rsp.timeout);
  w.writeLong(rsp.sessionId);
  w.writeBuffer(rsp.password);
  if (withReadOnly) w.writeBool(rsp.readOnly);
  w.writeIntAt(0, w.length - 4);
  return w.bytes().slice();
}
