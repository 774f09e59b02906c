/**
 * Why `npm start` could not start, said as what to do: a port that is taken, a NATS that cannot be
 * reached or has no JetStream, credentials that cannot be read or are refused.
 */
import { readFileSync } from "node:fs";

/** The NATS_CREDS file's bytes, or an error saying which file could not be read. */
export function readCreds(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(
      `NATS_CREDS ${file} cannot be read (${(err as Error).message}): point it at a .creds file`,
    );
  }
}

/** What to do when NATS cannot be reached or used, by what nats.js said. */
export function natsFailure(err: Error, url: string, embedded: boolean): string {
  const said = err.message;
  if (embedded) return `the private nats-server at ${url} failed: ${said}`;
  if (/jetstream is not enabled/i.test(said)) {
    return `NATS at ${url} has no JetStream: run nats-server with -js (or a jetstream {} block), or unset NATS_URL to start a private nats-server`;
  }
  if (/authoriz|authenticat|permission/i.test(said)) {
    return `NATS at ${url} refused this member (${said}): check NATS_CREDS and the account's permissions`;
  }
  if (/refused|timeout|ENOTFOUND|EAI_AGAIN|unreachable/i.test(said)) {
    return `cannot reach NATS at ${url} (${said}): check NATS_URL, or unset it to start a private nats-server`;
  }
  return `NATS at ${url}: ${said}`;
}

/** What to do when a port cannot be listened on, naming the setting that moves it (0: see below). */
export function listenFailure(err: Error, what: string, address: string, setting: string): string {
  const zero = setting === "NZK_ZK_PORT" ? "0 turns it off" : "0 picks a free one";
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return `${what} ${address} is in use (another nzk?): stop what holds it, or set ${setting} to another port (${zero})`;
  }
  if (code === "EACCES") {
    return `${what} ${address} may not be listened on by this user: set ${setting} to a port above 1023 (${zero})`;
  }
  return `${what} ${address} could not be listened on (${err.message}): check NZK_HOST and ${setting}`;
}
