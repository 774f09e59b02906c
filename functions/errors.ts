/**
 * The one map from ZooKeeper's KeeperException.Code to an HTTP status (shared/API.md, "Errors"), and the
 * error body every route answers with. Codes the table does not name get the status of their nearest
 * kin; none maps to 500, because a client must be able to tell "your request was wrong" (4xx) from
 * "try again, maybe elsewhere" (503) and a 500 says neither.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrName, type ZkError, zkError } from "../core/errors.ts";

type Code = Exclude<ErrName, "Ok">;

export const HTTP_STATUS = {
  BadArguments: 400,
  NoNode: 404,
  NoAuth: 403,
  AuthFailed: 401,
  BadVersion: 409,
  NoChildrenForEphemerals: 400,
  NodeExists: 409,
  NotEmpty: 409,
  InvalidACL: 400,
  SessionExpired: 410,
  MarshallingError: 413,
  OperationTimeout: 503,
  ConnectionLoss: 503,
  Unimplemented: 501,
  SystemError: 503,
  RuntimeInconsistency: 409,
  DataInconsistency: 503,
  UnknownSession: 410,
  SessionMoved: 410,
  APIError: 400,
  InvalidCallback: 400,
  EphemeralOnLocalSession: 400,
  NoWatcher: 404,
  NotReadOnly: 503,
  RequestTimeout: 503,
  NewConfigNoQuorum: 503,
  ReconfigInProgress: 503,
  ReconfigDisabled: 501,
  SessionClosedRequireSaslAuth: 401,
  QuotaExceeded: 413,
  Throttled: 429,
} as const satisfies Record<Code, ContentfulStatusCode>;

export function httpStatus(code: Code): ContentfulStatusCode {
  return HTTP_STATUS[code];
}

export interface ErrorBody {
  readonly error: ZkError & { readonly results?: readonly unknown[] };
}

export function errorBody(err: ZkError, results?: readonly unknown[]): ErrorBody {
  const error = { code: err.code, zkCode: err.zkCode, message: err.message };
  return {
    error: {
      ...error,
      ...(err.path === undefined ? {} : { path: err.path }),
      ...(results === undefined ? {} : { results }),
    },
  };
}

export function errorResponse(err: ZkError, results?: readonly unknown[]): Response {
  return Response.json(errorBody(err, results), { status: httpStatus(err.code) });
}

export const badArguments = (message: string, path?: string): ZkError =>
  zkError("BadArguments", message, path);
