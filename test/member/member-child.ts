/**
 * A member in its own process, for the tests that kill -9 or SIGSTOP it. Configured by the environment
 * and serving the NATS API as `npm start` does; prints the member's log as JSON lines, and answers
 * `nzk.test.<id>.probe` with its state and a hash of its tree so a test can compare it with the others.
 */
import { createHash } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { serializeSnapshot } from "../../core/index.ts";
import { loadConfig } from "../../member/config.ts";
import { startMember } from "../../member/index.ts";

const config = loadConfig();
const nc = await connect({
  servers: config.natsUrl?.split(","),
  maxReconnectAttempts: -1,
  reconnectTimeWait: 100,
});
const say = (msg: string, fields: Record<string, unknown> = {}): void => {
  const at = Math.round(performance.now());
  process.stdout.write(`${JSON.stringify({ msg, memberId: config.memberId, at, ...fields })}\n`);
};
const { member } = await startMember(config, nc, say);
nc.subscribe(`nzk.test.${config.memberId}.probe`, {
  callback: (_err, msg) => {
    const tree = createHash("sha256").update(serializeSnapshot(member.replica.tree)).digest("hex");
    msg.respond(
      JSON.stringify({
        state: member.state,
        lastZxid: member.replica.lastZxid,
        seq: member.replica.seq,
        tree,
      }),
    );
  },
});
say("ready", { state: member.state });
