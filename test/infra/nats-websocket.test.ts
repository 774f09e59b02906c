import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { wsconnect } from "@nats-io/nats-core";
import { expect, test } from "vitest";
import { natsServer } from "../fixtures/nats.ts";

// wsconnect() installs the websocket transport process-wide in nats.js, so it lives in its own test file
// (vitest runs each file in its own process), away from tests whose TCP clients reconnect.
test("a websocket client reaches the server's JetStream and its subscribers", async () => {
  // Without a WebSocket global wsconnect() waits forever instead of failing (vitest.config.ts adds it on Node 20).
  expect(typeof globalThis.WebSocket).toBe("function");
  await using nats = await natsServer({ websocket: true });
  expect(nats.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  const tcp = await nats.connect();
  const jsm = await jetstreamManager(tcp);
  await jsm.streams.add({ name: "WS", subjects: ["ws.>"], storage: StorageType.File });
  const seen = tcp.subscribe("ws.hello", { max: 1 });

  const ws = await wsconnect({ servers: nats.wsUrl! });
  try {
    const ack = await jetstream(ws).publish("ws.hello", "from a browser", { expect: { lastSequence: 0 } });
    expect(ack.seq).toBe(1);
    for await (const msg of seen) expect(msg.string()).toBe("from a browser");
    expect(seen.getProcessed()).toBe(1);
  } finally {
    await ws.close();
  }
});
