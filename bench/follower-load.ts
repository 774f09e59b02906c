/**
 * Load through a follower called in-process, as its HTTP layer and ZooKeeper port call it: this
 * process starts a member that joins the ensemble at the given NATS (and follows, as another member
 * leads there), then runs `writers` concurrent loops of 100-byte creates or setData on it for
 * `seconds`; prints one JSON line with the result and the CPU time this process (follower and load
 * together) spent meanwhile (loadCpuMs).
 * Run: npx tsx bench/follower-load.ts <nats url> <create|set> <writers> <seconds> <tag> [events: on|off]
 */
import { connect } from "@nats-io/transport-node";
import { isZkError } from "../core/errors.ts";
import { OPEN_ACL_UNSAFE, type WriteRequest } from "../core/records.ts";
import { ConfigSchema } from "../member/config.ts";
import { Member } from "../member/member.ts";
import { measureLoad } from "./measure.ts";

const [url, call, writersArg, secondsArg, tag, eventsArg] = process.argv.slice(2);
if (url === undefined || (call !== "create" && call !== "set") || tag === undefined) {
  throw new Error("usage: follower-load.ts <nats url> <create|set> <writers> <seconds> <tag> [on|off]");
}
const writers = Number(writersArg);
const seconds = Number(secondsArg);
const data = new Uint8Array(100).fill(120);
const anyone = { sessionId: 0, auth: [] };

const nc = await connect({ servers: url, name: `follower-load-${tag}`, noAsyncTraces: true });
const follower = await Member.start(
  ConfigSchema.parse({
    memberId: `follower-${tag}`,
    snapshotEveryTxns: 10_000_000,
    events: eventsArg !== "off",
  }),
  nc,
);
while (follower.state !== "FOLLOWING") await new Promise((r) => setTimeout(r, 10));

async function write(req: WriteRequest): Promise<void> {
  const out = await follower.write(anyone, req);
  if (isZkError(out) || out.error !== undefined) throw new Error(JSON.stringify(out));
}

const path = (w: number) => `/set-${tag}-${w}`;
if (call === "set") {
  for (let w = 0; w < writers; w++) {
    await write({ op: "create", path: path(w), data, acl: OPEN_ACL_UNSAFE, mode: "persistent" });
  }
}
const what = `${call === "create" ? "create" : "setData"} via follower`;
const row = await measureLoad(seconds, what, writers, (w, i) =>
  call === "create"
    ? write({ op: "create", path: `/${tag}-${w}-${i}`, data, acl: OPEN_ACL_UNSAFE, mode: "persistent" })
    : write({ op: "setData", path: path(w), data, version: -1 }),
);
await follower.close();
await nc.close();
process.stdout.write(`${JSON.stringify(row)}\n`);
process.exit(0);
