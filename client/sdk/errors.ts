/**
 * The one error class the SDK throws: ZooKeeper's KeeperException.Code name and number as the API's
 * error JSON carries them (shared/API.md, "Errors"), the HTTP status, and for a failed multi each
 * op's result. A request that never got an answer (network down, no member) is ConnectionLoss, as a
 * ZooKeeper client reports a dropped connection, with the underlying failure as its cause.
 */
import type { ErrName } from "../../core/errors.ts";

export type ErrorCode = Exclude<ErrName, "Ok">;

export interface OpResultJson {
  readonly op: string;
  readonly code: string;
  readonly zkCode: number;
  readonly path?: string;
}

export interface ErrorBody {
  readonly code: string;
  readonly zkCode: number;
  readonly message: string;
  readonly path?: string;
  readonly results?: readonly OpResultJson[];
}

export class NzkError extends Error {
  override readonly name = "NzkError";
  readonly code: ErrorCode;
  readonly zkCode: number;
  readonly path: string | undefined;
  /** the HTTP status, 0 when no answer came */
  readonly status: number;
  readonly results: readonly OpResultJson[] | undefined;

  constructor(body: ErrorBody, status: number, options?: { cause?: unknown }) {
    super(`${body.code} (${body.zkCode}): ${body.message}`, options);
    this.code = body.code as ErrorCode;
    this.zkCode = body.zkCode;
    this.path = body.path;
    this.status = status;
    this.results = body.results;
  }
}

/** Only these may succeed when tried again; BadVersion, NodeExists and the rest never will. */
const RETRYABLE: ReadonlySet<string> = new Set<ErrorCode>(["ConnectionLoss", "OperationTimeout"]);

export function isRetryable(err: unknown): err is NzkError {
  return err instanceof NzkError && RETRYABLE.has(err.code);
}

export function connectionLoss(message: string, cause?: unknown): NzkError {
  return new NzkError({ code: "ConnectionLoss", zkCode: -4, message }, 0, { cause });
}

export function isNzkError(err: unknown, code?: ErrorCode): err is NzkError {
  return err instanceof NzkError && (code === undefined || err.code === code);
}
