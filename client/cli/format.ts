/**
 * zkCli's output: StatPrinter's lines with Java's Date.toString for times, ls's `[a, b]`, getAcl's
 * `'scheme,'id` / `: perms` pairs, and CliWrapperException's messages for each KeeperException, with
 * the code's name and number appended so a script (and a person) can tell them apart.
 */
import type { Acl, NzkError, Stat, WatchEvent } from "../sdk/index.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** java.util.Date#toString in UTC: `Thu Jan 01 00:00:00 UTC 1970` */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

export function statLines(s: Stat): string[] {
  return [
    `cZxid = ${s.czxid}`,
    `ctime = ${javaDate(s.ctime)}`,
    `mZxid = ${s.mzxid}`,
    `mtime = ${javaDate(s.mtime)}`,
    `pZxid = ${s.pzxid}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = ${s.ephemeralOwner}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ];
}

export const listLine = (names: readonly string[]): string => `[${[...names].sort().join(", ")}]`;

export const aclLines = (acl: readonly Acl[]): string[] =>
  acl.flatMap((a) => [`'${a.scheme},'${a.id}`, `: ${a.perms}`]);

export const eventLine = (e: WatchEvent): string =>
  `WatchedEvent state:SyncConnected type:${e.type} path:${e.path} zxid: ${e.zxid}`;

const MESSAGES: Record<string, (path: string) => string> = {
  NoNode: (p) => `Node does not exist: ${p}`,
  NoChildrenForEphemerals: (p) => `Ephemerals cannot have children: ${p}`,
  NodeExists: (p) => `Node already exists: ${p}`,
  NotEmpty: (p) => `Node not empty: ${p}`,
  InvalidACL: (p) => `Acl is not valid : ${p}`,
  NoAuth: (p) => `Insufficient permission : ${p}`,
  BadArguments: (p) => `Arguments are not valid : ${p}`,
  BadVersion: (p) => `version No is not valid : ${p}`,
  QuotaExceeded: (p) => `Quota has exceeded : ${p}`,
};

export function errorLine(err: NzkError): string {
  const known = err.path === undefined ? undefined : MESSAGES[err.code];
  const text = known === undefined ? err.message.replace(/^\S+ \(-?\d+\): /, "") : known(err.path!);
  return `${text} (KeeperErrorCode = ${err.code}, ${err.zkCode})`;
}

/** `world:anyone:cdrwa,digest:bob:hash=:r`: the id is everything between the scheme and the perms. */
export function parseAcl(text: string): Acl[] | undefined {
  const out: Acl[] = [];
  for (const entry of text.split(",")) {
    const first = entry.indexOf(":");
    const last = entry.lastIndexOf(":");
    if (first < 0 || last === first) return undefined;
    out.push({
      scheme: entry.slice(0, first),
      id: entry.slice(first + 1, last),
      perms: entry.slice(last + 1),
    });
  }
  return out;
}
