/**
 * Load on the member NATS API from a process of its own, as edge handlers would put it: `writers`
 * concurrent loops of 100-byte creates or setData for `seconds`; prints one JSON line with the result.
 * Run: npx tsx bench/api-load.ts <nats url> <create|set> <writers> <seconds> <tag>
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { measure } from "./measure.ts";

const [url, call, writersArg, secondsArg, tag] = process.argv.slice(2);
if (url === undefined || (call !== "create" && call !== "set") || tag === undefined) {
  throw new Error("usage: api-load.ts <nats url> <create|set> <writers> <seconds> <tag>");
}
const writers = Number(writersArg);
const seconds = Number(secondsArg);
const data = "x".repeat(100);

async function api(nc: NatsConnection, name: string, req: unknown): Promise<void> {
  const reply = JSON.parse(
    (await nc.request(`nzk.api.v1.${name}`, JSON.stringify(req), { timeout: 10_000 })).string(),
  );
  if ("error" in reply) throw new Error(JSON.stringify(reply));
}

const nc = await connect({ servers: url, name: "api-load" });
if (call === "set") {
  for (let w = 0; w < writers; w++) await api(nc, "create", { path: `/set-${tag}-${w}`, body: { data } });
}
const what = `${call === "create" ? "create" : "setData"} via follower (NATS API)`;
const row = await measure(seconds, what, writers, (w, i) =>
  call === "create"
    ? api(nc, "create", { path: `/${tag}-${w}-${i}`, body: { data } })
    : api(nc, "set", { path: `/set-${tag}-${w}`, body: { data } }),
);
await nc.close();
process.stdout.write(`${JSON.stringify(row)}\n`);
