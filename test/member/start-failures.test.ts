import { createServer } from "node:net";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { freePorts } from "../../infra/index.ts";
import { listenFailure, natsFailure, readCreds } from "../../member/start-failures.ts";

describe("start failures", () => {
  it("name the taken address and the setting that moves it", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    const second = createServer();
    const err = await new Promise<Error>((resolve) =>
      second.once("error", resolve).listen(port, "127.0.0.1"),
    );
    holder.close();
    const address = `127.0.0.1:${port}`;
    expect(listenFailure(err, "the HTTP port", address, "NZK_HTTP_PORT")).toBe(
      `the HTTP port ${address} is in use (another nzk?): stop what holds it, or set NZK_HTTP_PORT to another port (0 picks a free one)`,
    );
    expect(listenFailure(err, "the ZooKeeper port", address, "NZK_ZK_PORT")).toMatch(
      /NZK_ZK_PORT .*0 turns it off/,
    );
    const denied = Object.assign(new Error("listen EACCES"), { code: "EACCES" });
    expect(listenFailure(denied, "the ZooKeeper port", "0.0.0.0:181", "NZK_ZK_PORT")).toMatch(
      /may not be listened on by this user: set NZK_ZK_PORT to a port above 1023/,
    );
  });

  it("say whether NATS was out of reach, without JetStream, or refused the member", async () => {
    const [port] = (await freePorts(1)) as [number];
    const url = `nats://127.0.0.1:${port}`;
    const refused = await connect({ servers: url, reconnect: false }).then(
      () => new Error("connected to nothing"),
      (e: Error) => e,
    );
    expect(natsFailure(refused, url, false)).toMatch(
      new RegExp(`^cannot reach NATS at ${url} \\(.+\\): check NATS_URL, or unset it`),
    );
    // what nats.js says when the server runs without JetStream, and when it refuses credentials
    expect(natsFailure(new Error("jetstream is not enabled"), url, false)).toMatch(
      /has no JetStream: run nats-server with -js/,
    );
    expect(natsFailure(new Error("Authorization Violation"), url, false)).toMatch(/check NATS_CREDS/);
    expect(natsFailure(new Error("something else"), url, true)).toBe(
      `the private nats-server at ${url} failed: something else`,
    );
  });

  it("say which credentials file cannot be read", () => {
    expect(() => readCreds("/nonexistent/nzk.creds")).toThrow(
      /NATS_CREDS \/nonexistent\/nzk.creds cannot be read/,
    );
  });
});
