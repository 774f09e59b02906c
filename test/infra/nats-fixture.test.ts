import { existsSync } from "node:fs";
import { dirname } from "node:path";
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { describe, expect, test } from "vitest";
import { natsCluster, natsServer } from "../fixtures/nats.ts";
import { alive } from "../fixtures/process-alive.ts";

/** Retries `attempt` until it succeeds: a cluster that lost a leader refuses writes until it elects another. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Just after a client connects to a cluster, its reply subscription may not yet have reached the server
 * that answers a JetStream API request, so the answer is dropped and the request times out. Creating a
 * stream with the same config again is harmless, so it is retried.
 */
function addStream(jsm: JetStreamManager, config: Parameters<JetStreamManager["streams"]["add"]>[0]) {
  return eventually(() => jsm.streams.add(config), 20_000);
}

describe("natsServer", () => {
  test("publishes with expected-last-sequence and rejects a wrong one", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "LOG", subjects: ["log.>"], storage: StorageType.File });
    const js = jetstream(nc);

    expect((await js.publish("log.a", "one", { expect: { lastSequence: 0 } })).seq).toBe(1);
    const stale = await js.publish("log.a", "two", { expect: { lastSequence: 0 } }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(JetStreamApiError);
    expect((stale as JetStreamApiError).code).toBe(JetStreamApiCodes.StreamWrongLastSequence);
    expect((await js.publish("log.a", "two", { expect: { lastSequence: 1 } })).seq).toBe(2);
    expect((await jsm.streams.info("LOG")).state.messages).toBe(2);
  });

  test("syncs every write and keeps acknowledged messages across kill -9 and restart", async () => {
    await using nats = await natsServer();
    const varz = (await (await fetch(`${nats.monitorUrl}/varz`)).json()) as {
      jetstream: { config: { sync_always?: boolean } };
    };
    expect(varz.jetstream.config.sync_always).toBe(true);

    const nc = await nats.connect({ reconnect: false });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "KEEP", subjects: ["keep"], storage: StorageType.File });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish("keep", `m${i}`);

    const before = { pid: nats.pid, url: nats.url };
    await nats.kill9();
    expect(nats.running).toBe(false);
    expect(alive(before.pid)).toBe(false);
    await nats.restart();
    expect(nats.pid).not.toBe(before.pid);
    expect(nats.url).toBe(before.url);

    const again = await nats.connect();
    expect((await (await jetstreamManager(again)).streams.info("KEEP")).state.messages).toBe(10);
    const ack = await jetstream(again).publish("keep", "after", { expect: { lastSequence: 10 } });
    expect(ack.seq).toBe(11);
  });

  test("leaves no process and no directory behind after dispose", async () => {
    let pid = 0;
    let storeDir = "";
    {
      await using nats = await natsServer({ websocket: true });
      pid = nats.pid;
      storeDir = nats.storeDir;
      expect(alive(pid)).toBe(true);
      expect(existsSync(storeDir)).toBe(true);
      // Even a paused server with a client attached is taken down.
      await nats.connect();
      nats.pause();
    }
    expect(alive(pid)).toBe(false);
    expect(existsSync(dirname(storeDir))).toBe(false);
  });
});

describe("natsCluster", () => {
  test("keeps an R3 stream writable through kill -9 of its leader, and the restarted node catches up", async () => {
    await using cluster = await natsCluster(3);
    const nc = await cluster.connect({ maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    const jsm = await jetstreamManager(nc);
    await addStream(jsm, { name: "R3", subjects: ["r3"], num_replicas: 3, storage: StorageType.File });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish("r3", `m${i}`);

    const leader = (await jsm.streams.info("R3")).cluster?.leader;
    expect(leader).toBeDefined();
    const victim = cluster.node(leader!);
    await victim.kill9();

    // The message id makes a retried publish whose first ack was lost count once.
    const ack = await eventually(() => js.publish("r3", "after", { msgID: "after" }), 20_000);
    expect(ack.seq).toBe(6);
    const info = await jsm.streams.info("R3");
    expect(info.state.messages).toBe(6);
    expect(info.cluster?.leader).not.toBe(leader);

    await victim.restart();
    const caughtUp = await eventually(async () => {
      const replicas = (await jsm.streams.info("R3")).cluster?.replicas ?? [];
      const replica = replicas.find((r) => r.name === leader);
      if (!replica?.current) throw new Error(`${leader} has not caught up yet`);
      return replica;
    }, 20_000);
    expect(caughtUp.lag ?? 0).toBe(0);
  });

  test("keeps writing while one node is paused, and the paused node recovers", async () => {
    await using cluster = await natsCluster(3);
    const [paused, ...others] = cluster.nodes;
    // A paused server keeps its sockets open, so a client attached to it would only notice after its ping
    // timeout; this test is about the servers, so the client talks to the others.
    const nc = await cluster.connect({ servers: others.map((node) => node.url) });
    const jsm = await jetstreamManager(nc);
    await addStream(jsm, { name: "P3", subjects: ["p3"], num_replicas: 3, storage: StorageType.File });
    const js = jetstream(nc);
    // A new stream's subject can reach the client's server a moment after the stream exists (no
    // responders meanwhile); msgID makes a retried publish store once.
    await eventually(() => js.publish("p3", "before", { msgID: "before" }), 20_000);

    paused!.pause();
    // If the paused node led the stream, the others elect a new leader first.
    const ack = await eventually(() => js.publish("p3", "during", { msgID: "during" }), 20_000);
    expect(ack.seq).toBe(2);
    paused!.resume();
    await cluster.waitHealthy();
    // The stream leader sees the replica current again once it hears from it.
    await eventually(async () => {
      const replicas = (await jsm.streams.info("P3")).cluster?.replicas ?? [];
      if (!replicas.find((r) => r.name === paused!.name)?.current) throw new Error("not caught up yet");
    }, 20_000);
    expect((await jsm.streams.info("P3")).state.messages).toBe(2);
  });

  test("leaves no process and no directory behind after dispose", async () => {
    let pids: number[] = [];
    let root = "";
    {
      await using cluster = await natsCluster(3);
      pids = cluster.nodes.map((node) => node.pid);
      root = dirname(cluster.nodes[0]!.storeDir);
      expect(pids.every(alive)).toBe(true);
    }
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(root)).toBe(false);
  });
});
