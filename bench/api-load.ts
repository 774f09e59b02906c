/**
 * Load on the member NATS API from a process of its own, as edge handlers would put it: `writers`
 * concurrent loops of 100-byte creates or setData for `seconds`; prints one JSON line with the result
 * and the CPU time this process spent meanwhile (loadCpuMs).
 * Run: npx tsx bench/api-load.ts <nats url> <create|set> <writers> <seconds> <tag>
 *
 * Requests go through functions/nats-requests.ts, the client a stateless handler uses: one inbox,
 * one timer, a turn's requests in one write, so the load process takes little CPU from the members.
 */
import { connect } from "@nats-io/transport-node";
import { NatsRequests } from "../functions/nats-requests.ts";
import { measureLoad } from "./measure.ts";

const [url, call, writersArg, secondsArg, tag] = process.argv.slice(2);
if (url === undefined || (call !== "create" && call !== "set") || tag === undefined) {
  throw new Error("usage: api-load.ts <nats url> <create|set> <writers> <seconds> <tag>");
}
const writers = Number(writersArg);
const seconds = Number(secondsArg);
const data = "x".repeat(100);
const TIMEOUT_MS = 10_000;

const encoder = new TextEncoder();

async function callApi(name: string, req: unknown): Promise<void> {
  const reply = await requests.request(`nzk.api.v1.${name}`, encoder.encode(JSON.stringify(req)));
  if (reply instanceof Error) throw reply;
  const text = reply.string();
  if ("error" in JSON.parse(text)) throw new Error(text);
}

const nc = await connect({ servers: url, name: "api-load" });
const requests = new NatsRequests(nc, TIMEOUT_MS);
if (call === "set") {
  for (let w = 0; w < writers; w++) await callApi("create", { path: `/set-${tag}-${w}`, body: { data } });
}
const what = `${call === "create" ? "create" : "setData"} via follower (NATS API)`;
const row = await measureLoad(seconds, what, writers, (w, i) =>
  call === "create"
    ? callApi("create", { path: `/${tag}-${w}-${i}`, body: { data } })
    : callApi("set", { path: `/set-${tag}-${w}`, body: { data } }),
);
await nc.close();
process.stdout.write(`${JSON.stringify(row)}\n`);
