/**
 * Load on the member NATS API from a process of its own, as edge handlers would put it: `writers`
 * concurrent loops of 100-byte creates or setData for `seconds`; prints one JSON line with the result
 * and the CPU time this process spent meanwhile (loadCpuMs).
 * Run: npx tsx bench/api-load.ts <nats url> <create|set> <writers> <seconds> <tag>
 *
 * Requests go out as publishes with a reply subject under one inbox subscription of this process's,
 * rather than through nats.js's request(): that costs every call a timer and two error objects with
 * stack traces, and on a 2-core machine the client's CPU is taken from the members under test.
 */
import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { measure } from "./measure.ts";

const [url, call, writersArg, secondsArg, tag] = process.argv.slice(2);
if (url === undefined || (call !== "create" && call !== "set") || tag === undefined) {
  throw new Error("usage: api-load.ts <nats url> <create|set> <writers> <seconds> <tag>");
}
const writers = Number(writersArg);
const seconds = Number(secondsArg);
const data = "x".repeat(100);
const TIMEOUT_MS = 10_000;

class ApiClient {
  readonly #nc: NatsConnection;
  readonly #inbox = createInbox();
  readonly #pending = new Map<number, { at: number; settle: (reply: string | Error) => void }>();
  #next = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    nc.subscribe(`${this.#inbox}.*`, {
      callback: (_err, msg) => {
        const id = Number(msg.subject.slice(this.#inbox.length + 1));
        const p = this.#pending.get(id);
        this.#pending.delete(id);
        p?.settle(msg.data.length === 0 ? new Error(`no answer: ${msg.headers?.code}`) : msg.string());
      },
    });
    // One sweep for every request in flight instead of a timer each.
    setInterval(() => {
      const old = performance.now() - TIMEOUT_MS;
      for (const [id, p] of this.#pending) {
        if (p.at > old) continue;
        this.#pending.delete(id);
        p.settle(new Error(`no answer within ${TIMEOUT_MS} ms`));
      }
    }, 1000).unref();
  }

  async call(name: string, req: unknown): Promise<void> {
    const id = ++this.#next;
    const reply = await new Promise<string | Error>((settle) => {
      this.#pending.set(id, { at: performance.now(), settle });
      this.#nc.publish(`nzk.api.v1.${name}`, JSON.stringify(req), { reply: `${this.#inbox}.${id}` });
    });
    if (reply instanceof Error) throw reply;
    if ("error" in JSON.parse(reply)) throw new Error(reply);
  }
}

const nc = await connect({ servers: url, name: "api-load" });
const api = new ApiClient(nc);
if (call === "set") {
  for (let w = 0; w < writers; w++) await api.call("create", { path: `/set-${tag}-${w}`, body: { data } });
}
const what = `${call === "create" ? "create" : "setData"} via follower (NATS API)`;
const cpu = process.cpuUsage();
const row = await measure(seconds, what, writers, (w, i) =>
  call === "create"
    ? api.call("create", { path: `/${tag}-${w}-${i}`, body: { data } })
    : api.call("set", { path: `/set-${tag}-${w}`, body: { data } }),
);
const used = process.cpuUsage(cpu);
await nc.close();
process.stdout.write(`${JSON.stringify({ ...row, loadCpuMs: (used.user + used.system) / 1000 })}\n`);
