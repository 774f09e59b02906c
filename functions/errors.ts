/**
 * The one map from ZooKeeper's KeeperException.Code to an HTTP status (shared/API.md, "Errors"), and the
 * error body every route answers with. Codes the table does not name get the status of their nearest
 * kin; none maps to 500, because a client must be able to tell "your request was wrong" (4xx) from
 * "try again, maybe elsewhere" (503) and a 500 says neither.
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrName, type ZkError, zkError } from "../core/errors.ts";
import { type ErrorJson, errorJson } from "../member/api-json.ts";

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

/** The error body is the member's (member/api-json.ts), so a client sees one shape from either side. */
export function errorResponse(err: ZkError, results?: ErrorJson["error"]["results"]): Response {
  return jsonResponse(errorJson(err, results), httpStatus(err.code));
}

/**
 * A JSON response with plain-object headers: @hono/node-server writes such a response straight to the
 * socket, where Response.json's Headers object costs a copy and an iteration per request.
 */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function isErrorJson(reply: unknown): reply is ErrorJson {
  return typeof reply === "object" && reply !== null && "error" in reply;
}

/** A member's reply as a Response: its error with the table's status, else the body with okStatus. */
export function respond(
  reply: unknown,
  okStatus: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
): Response {
  if (isErrorJson(reply)) return jsonResponse(reply, HTTP_STATUS[reply.error.code as Code] ?? 503);
  return jsonResponse(reply, okStatus, headers);
}

/**
 * The answer to a request whose handling threw: Hono's own refusals (a malformed request it could not
 * route or read) are the client's mistake; anything else failed on its way, as a lost connection.
 */
export function failureResponse(err: unknown): Response {
  if (err instanceof HTTPException && err.status < 500)
    return errorResponse(zkError("BadArguments", err.message));
  const message = err instanceof Error ? err.message : String(err);
  return errorResponse(zkError("ConnectionLoss", `the request failed on its way: ${message}`));
}

export const badArguments = (message: string, path?: string): ZkError =>
  zkError("BadArguments", message, path);
