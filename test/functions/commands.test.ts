/**
 * The AdminServer commands that list what a server holds (cons, dump, wchs, wchc, wchp) say what is
 * true of a stateless handler: the watches it holds open, each until its client goes away; the
 * member's sessions with their expiry and ephemerals; beside a member, the ZooKeeper port's clients.
 */
import { type ClientRequest, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JuteWriter } from "../../core/jute.ts";
import { OpCode } from "../../core/wire/opcodes.ts";
import { parseId } from "../../core/zxid.ts";
import { javaDate } from "../../functions/commands-text.ts";
import { createApp } from "../../functions/index.ts";
import { type HttpServer, localBackend, serveHttp } from "../../functions/node.ts";
import { memberBackend, ZkServer } from "../../functions/zookeeper/index.ts";
import { RawClient } from "../zookeeper/raw-client.ts";
import { type Api, eventually, startApi } from "./harness.ts";

let api: Api;
let http: HttpServer;
beforeAll(async () => {
  api = await startApi();
  http = await serveHttp(localBackend(api.running), { port: 0 });
});
afterAll(async () => {
  await http?.close();
  await api?.[Symbol.asyncDispose]();
});

/** A request held open over a real socket until `leave()` closes the socket, as a client going away. */
function hold(path: string, headers: Record<string, string> = {}): { leave(): void; req: ClientRequest } {
  const req = request({ host: "127.0.0.1", port: http.port, path, headers });
  req.on("response", (res) => res.resume());
  req.on("error", () => {});
  req.end();
  return { req, leave: () => req.destroy() };
}

/** The commands of the served app, the one holding the watches */
// biome-ignore lint/suspicious/noExplicitAny: command bodies are read freely
const command = async (name: string): Promise<any> => (await fetch(`${http.url}/commands/${name}`)).json();
const text = async (name: string): Promise<string> =>
  (await fetch(`${http.url}/commands/${name}`, { headers: { accept: "text/plain" } })).text();

describe("commands over what this process holds", () => {
  it("lists a long-poll watch in cons, wchc and wchp while it is held, and forgets it when its client goes away", async () => {
    const session = (await api.call("POST", "/v1/sessions", { timeoutMs: 10_000 })).body;
    const id = parseId(session.sessionId)!;
    await api.call("POST", "/v1/znodes/held", { data: "x" });
    const watch = hold("/v1/watch/held?type=data&timeoutMs=60000", { "Nzk-Session": session.token });
    await eventually("the watch is held", async () => (await command("wchp")).path_to_session_ids["/held"]);

    expect((await command("wchp")).path_to_session_ids).toEqual({ "/held": [id] });
    expect((await command("wchc")).session_id_to_watched_paths).toEqual({ [String(id)]: ["/held"] });
    expect(await command("wchs")).toMatchObject({ num_connections: 1, num_paths: 1, num_total_watches: 1 });
    const cons = (await command("cons")).connections;
    expect(cons).toHaveLength(1);
    expect(cons[0]).toMatchObject({
      remote_socket_address: "/127.0.0.1",
      session_id: id,
      last_operation: "GETD",
      outstanding_requests: 1,
      last_zxid: -1,
    });
    expect(cons[0].established).toBeGreaterThan(Date.now() - 60_000);
    expect(await text("wchc")).toBe(`${session.sessionId}\n\t/held\n\n`);
    expect(await text("wchp")).toBe(`/held\n\t${session.sessionId}\n\n`);
    expect(await text("wchs")).toBe("1 connections watching 1 paths\nTotal watches:1\n");
    expect(await text("cons")).toMatch(
      new RegExp(
        `^ /127\\.0\\.0\\.1\\[0\\]\\(queued=1,recved=1,sent=0,sid=${session.sessionId},lop=GETD,est=\\d+,to=0,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0\\)\n\n\n$`,
      ),
    );

    watch.leave();
    await eventually("the watch is forgotten", async () => (await command("wchs")).num_total_watches === 0);
    expect((await command("wchp")).path_to_session_ids).toEqual({});
    expect((await command("wchc")).session_id_to_watched_paths).toEqual({});
    expect((await command("cons")).connections).toEqual([]);
  });

  it("lists an event stream as a watch of session 0 without a token, and forgets it when its client goes away", async () => {
    const stream = hold("/v1/events/streamed?recursive=true");
    await eventually("the stream is held", async () => (await command("wchs")).num_total_watches === 1);
    expect((await command("wchp")).path_to_session_ids).toEqual({ "/streamed": [0] });
    expect((await command("cons")).connections[0]).toMatchObject({
      session_id: 0,
      last_operation: "ADDW",
      outstanding_requests: 0,
    });
    // a session id of 0 is not printed, as ZooKeeper prints a connection without a session
    expect(await text("cons")).toBe(" /127.0.0.1[0](queued=0,recved=1,sent=0)\n\n\n");
    await api.call("POST", "/v1/znodes/streamed", {});
    await eventually(
      "the stream sent its event",
      async () => (await command("cons")).connections[0]?.packets_sent === 1,
    );
    stream.leave();
    await eventually("the stream is forgotten", async () => (await command("wchs")).num_total_watches === 0);
  });

  it("dumps the sessions by expiry and their ephemerals, as ZooKeeper's dump", async () => {
    const session = (await api.call("POST", "/v1/sessions", { timeoutMs: 8_000 })).body;
    const id = parseId(session.sessionId)!;
    const headers = { "Nzk-Session": session.token };
    await api.call("POST", "/v1/znodes/eph-b", { mode: "ephemeral" }, headers);
    await api.call("POST", "/v1/znodes/eph-a", { mode: "ephemeral" }, headers);
    const before = Date.now();
    await api.call("POST", `/v1/sessions/${session.sessionId}/keepalive`, undefined, headers);
    const after = Date.now();

    const dump = await command("dump");
    expect(dump.session_id_to_ephemeral_paths).toEqual({ [String(id)]: ["/eph-a", "/eph-b"] });
    const [expiry] = Object.entries(dump.expiry_time_to_session_ids).find(([, ids]) =>
      (ids as number[]).includes(id),
    )!;
    // the bucket after now + timeout: at most one tick (the test member's tickMs) later
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 8_000);
    expect(Number(expiry)).toBeLessThanOrEqual(after + 8_000 + api.running.member.config.tickMs + 5);

    const dumped = await text("dump");
    expect(dumped).toMatch(/^SessionTracker dump:\nSession Sets \(\d+\)\/\(\d+\):\n/);
    expect(dumped).toContain(`expire at ${javaDate(Number(expiry))}:\n`);
    expect(dumped).toContain(`\t${session.sessionId}\n`);
    expect(dumped).toContain(
      `ephemeral nodes dump:\nSessions with Ephemerals (1):\n${session.sessionId}:\n\t/eph-a\n\t/eph-b\n`,
    );
    expect(dumped.endsWith("Connections dump:\n")).toBe(true);

    await api.call("DELETE", `/v1/sessions/${session.sessionId}`, undefined, headers);
    const gone = await command("dump");
    expect(gone.session_id_to_ephemeral_paths).toEqual({});
    expect(Object.values(gone.expiry_time_to_session_ids).flat()).not.toContain(id);
  });

  it("lists the ZooKeeper port's clients beside the member in cons, and their watches in wchs, wchc and wchp", async () => {
    await using zk = await ZkServer.listen(memberBackend(api.running.member), { port: 0 });
    const app = createApp(localBackend(api.running, { zookeeper: () => zk }));
    // biome-ignore lint/suspicious/noExplicitAny: command bodies are read freely
    const portCommand = async (name: string): Promise<any> => (await app.request(`/commands/${name}`)).json();
    const client = await RawClient.session(zk.port);
    try {
      const cons = (await portCommand("cons")).connections;
      expect(cons).toHaveLength(1);
      expect(cons[0]).toMatchObject({
        remote_socket_address: `/127.0.0.1:${client.socket.localPort}`,
        session_id: client.sessionId,
        session_timeout: client.timeout,
      });
      // getData("/", watch): one data watch on the port
      await client.request(OpCode.getData, (w: JuteWriter) => {
        w.writeString("/");
        w.writeBool(true);
      });
      expect(await portCommand("wchs")).toMatchObject({
        num_connections: 1,
        num_paths: 1,
        num_total_watches: 1,
      });
      expect((await portCommand("mntr")).watch_count).toBe(1);
      expect((await portCommand("wchc")).session_id_to_watched_paths).toEqual({
        [String(client.sessionId)]: ["/"],
      });
      expect((await portCommand("wchp")).path_to_session_ids).toEqual({ "/": [client.sessionId] });
    } finally {
      client.socket.destroy();
    }
    await eventually(
      "the port forgets its client",
      async () => (await portCommand("cons")).connections.length === 0,
    );
  });
});
