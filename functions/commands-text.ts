/**
 * The four-letter words' text (server/command/*.java) for the commands whose answer is a listing:
 * cons, dump, wchs, wchc and wchp, byte for byte as ZooKeeper prints them, so what `echo dump | nc`
 * shows a ZooKeeper operator is what `curl -H 'Accept: text/plain' …/commands/dump` shows.
 */
import {
  type CommandInputs,
  type ConnectionInfo,
  connections,
  ephemeralsMap,
  expiryMap,
  watchesByPath,
  watchesBySession,
  watchSummary,
} from "./commands.ts";

/** Long.toHexString: two's complement for negatives, so -1 is ffffffffffffffff */
const hexOf = (n: number): string => BigInt.asUintN(64, BigInt(n)).toString(16);

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** java.util.Date.toString() in UTC: "Sun Nov 30 12:58:28 UTC 2026" */
export function javaDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

/** ServerCnxn.dumpConnectionInfo(pw, false) */
function connectionLine(c: ConnectionInfo): string {
  let line = ` ${c.remote_socket_address}[${c.interest_ops === 0 ? "0" : c.interest_ops.toString(16)}](queued=${c.outstanding_requests},recved=${c.packets_received},sent=${c.packets_sent}`;
  if (c.session_id !== 0) {
    line += `,sid=0x${hexOf(c.session_id)},lop=${c.last_operation},est=${c.established},to=${c.session_timeout}`;
    if (c.last_cxid >= 0) line += `,lcxid=0x${hexOf(c.last_cxid)}`;
    line += `,lzxid=0x${hexOf(c.last_zxid)},lresp=${c.last_response_time},llat=${c.last_latency},minlat=${c.min_latency},avglat=${c.avg_latency},maxlat=${c.max_latency}`;
  }
  return `${line})`;
}

type TextCommand = (inputs: CommandInputs) => string;

export const TEXT_COMMANDS: Readonly<Record<string, TextCommand>> = {
  cons: (inputs) =>
    `${connections(inputs)
      .map((c) => `${connectionLine(c)}\n\n`)
      .join("")}\n`,
  dump: ({ dump }) => {
    const expiries = dump === undefined ? new Map<number, number[]>() : expiryMap(dump);
    const ephemerals = dump === undefined ? new Map<number, readonly string[]>() : ephemeralsMap(dump);
    const tracked = [...expiries.values()].reduce((n, ids) => n + ids.length, 0);
    let text = `SessionTracker dump:\nSession Sets (${expiries.size})/(${tracked}):\n`;
    for (const [time, ids] of expiries) {
      text += `${ids.length} expire at ${javaDate(time)}:\n`;
      for (const id of ids) text += `\t0x${hexOf(id)}\n`;
    }
    text += `ephemeral nodes dump:\nSessions with Ephemerals (${ephemerals.size}):\n`;
    for (const [id, paths] of ephemerals) text += `0x${hexOf(id)}:\n${paths.map((p) => `\t${p}\n`).join("")}`;
    // ZooKeeper lists connections here only for its NIO factory; nzk's are under cons
    return `${text}Connections dump:\n`;
  },
  wchs: (inputs) => {
    const s = watchSummary(inputs);
    return `${s.num_connections} connections watching ${s.num_paths} paths\nTotal watches:${s.num_total_watches}\n`;
  },
  wchc: (inputs) =>
    `${[...watchesBySession(inputs)].map(([id, paths]) => `0x${hexOf(id)}\n${paths.map((p) => `\t${p}\n`).join("")}`).join("")}\n`,
  wchp: (inputs) =>
    `${[...watchesByPath(inputs)].map(([path, ids]) => `${path}\n${ids.map((id) => `\t0x${hexOf(id)}\n`).join("")}`).join("")}\n`,
};
