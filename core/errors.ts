/**
 * ZooKeeper's KeeperException.Code, names and numbers as ZooKeeper 3.9 defines them.
 * Every user mistake in core/ comes back as a ZkError value carrying one of these; nothing throws.
 */
export const ErrCode = {
  Ok: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  NewConfigNoQuorum: -13,
  ReconfigInProgress: -14,
  UnknownSession: -12,
  APIError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidACL: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  Throttled: -127,
} as const;

export type ErrName = keyof typeof ErrCode;

const byNumber = new Map<number, ErrName>(
  Object.entries(ErrCode).map(([name, code]) => [code, name as ErrName]),
);

export interface ZkError {
  readonly code: Exclude<ErrName, "Ok">;
  readonly zkCode: number;
  readonly message: string;
  readonly path?: string;
}

export function zkError(code: Exclude<ErrName, "Ok">, message: string, path?: string): ZkError {
  return path === undefined
    ? { code, zkCode: ErrCode[code], message }
    : { code, zkCode: ErrCode[code], message, path };
}

export function errName(zkCode: number): ErrName | undefined {
  return byNumber.get(zkCode);
}

export function isZkError(value: unknown): value is ZkError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ZkError).code === "string" &&
    typeof (value as ZkError).zkCode === "number" &&
    typeof (value as ZkError).message === "string"
  );
}
