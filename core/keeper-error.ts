/**
 * ZkErrors worded as KeeperException.getMessage words them ("KeeperErrorCode = NoNode for /a"), so a
 * ZooKeeper user reads the message they already know.
 */
import { type ErrName, type ZkError, zkError } from "./errors.ts";

const codeMessages: Partial<Record<ErrName, string>> = {
  Ok: "ok",
  NotEmpty: "Directory not empty",
  SessionExpired: "Session expired",
  InvalidCallback: "Invalid callback",
  SessionMoved: "Session moved",
  NotReadOnly: "Not a read-only call",
  EphemeralOnLocalSession: "Ephemeral node on local session",
  NoWatcher: "No such watcher",
  ReconfigDisabled: "Reconfig is disabled",
  SessionClosedRequireSaslAuth: "Session closed because client failed to authenticate",
  QuotaExceeded: "Quota has exceeded",
  Throttled: "Op throttled due to high load",
};

export function keeperError(code: Exclude<ErrName, "Ok">, path?: string): ZkError {
  const text = `KeeperErrorCode = ${codeMessages[code] ?? code}`;
  return path === undefined || path === "" ? zkError(code, text) : zkError(code, `${text} for ${path}`, path);
}
