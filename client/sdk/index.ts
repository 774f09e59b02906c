export { bytesOf, type Data, type DataJson, textOf, toDataJson } from "./bytes.ts";
export {
  type ConnectOptions,
  type CreateOptions,
  NzkClient,
  type ReadOptions,
  type WatchOptions,
} from "./client.ts";
export {
  type ErrorBody,
  type ErrorCode,
  isNzkError,
  isRetryable,
  NzkError,
  type OpResultJson,
} from "./errors.ts";
export type { EventsOptions } from "./events.ts";
export { DEFAULT_URL, type HttpOptions } from "./http.ts";
export { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
export { type ConnectionState, Session, type StateListener } from "./session.ts";
export type * from "./types.ts";
