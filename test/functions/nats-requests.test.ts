/**
 * NatsRequests against a real nats-server: each reply reaches its own caller, the requests of one turn
 * are published together after it, and a request that gets no reply (no responder, none in time, the
 * connection closed) settles with an Error rather than hanging.
 */
import type { Msg } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { NatsRequests } from "../../functions/nats-requests.ts";
import { natsServer } from "../fixtures/nats.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (reply: Msg | Error): string =>
  reply instanceof Error ? reply.message : decoder.decode(reply.data);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("NatsRequests", () => {
  it("gives each caller its own reply when the responder answers in another order", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const held: Msg[] = [];
    nc.subscribe("echo", {
      callback: (_err, msg) => {
        held.push(msg);
        if (held.length === 100) for (const m of held.reverse()) m.respond(m.data);
      },
    });
    await nc.flush();
    const requests = new NatsRequests(nc, 30_000);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => requests.request("echo", encoder.encode(`n${i}`))),
    );
    expect(replies.map(text)).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`));
  });

  it("publishes the requests made in separate callbacks of one turn together, after the turn", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    nc.subscribe("echo", {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await nc.flush();
    const requests = new NatsRequests(nc, 30_000);
    const before = nc.stats().outMsgs;
    // As HTTP requests arrive: each in a callback of its own, with microtasks run between them.
    const made: Promise<Msg | Error>[] = [];
    const sentSoFar: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++)
        setImmediate(() => {
          sentSoFar.push(nc.stats().outMsgs - before);
          made.push(requests.request("echo", encoder.encode(`n${i}`)));
          if (made.length === 10) resolve();
        });
    });
    expect(sentSoFar).toEqual(Array(10).fill(0));
    await nextTurn();
    expect(nc.stats().outMsgs).toBe(before + 10);
    expect((await Promise.all(made)).map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  it("settles a request no one listens to with an Error", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const reply = await new NatsRequests(nc, 60_000).request("nobody", encoder.encode("x"));
    expect(text(reply)).toBe("no responders");
  });

  it("settles requests unanswered in time with an Error, drops their late replies, and goes on", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const held: Msg[] = [];
    let hold = true;
    nc.subscribe("slow", {
      callback: (_err, msg) => {
        if (hold) held.push(msg);
        else msg.respond(msg.data);
      },
    });
    await nc.flush();
    const requests = new NatsRequests(nc, 200);
    const first = requests.request("slow", encoder.encode("a"));
    await nextTurn();
    const second = requests.request("slow", encoder.encode("b"));
    expect(text(await first)).toBe("no reply within 200 ms");
    expect(text(await second)).toBe("no reply within 200 ms");
    hold = false;
    for (const m of held) m.respond(m.data);
    expect(text(await requests.request("slow", encoder.encode("c")))).toBe("c");
  });

  it("settles the requests still out when the connection closes, and those made after", async () => {
    await using nats = await natsServer();
    const nc = await nats.connect();
    const responder = await nats.connect();
    let received: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    responder.subscribe("never", { callback: () => received() });
    await responder.flush();
    const requests = new NatsRequests(nc, 60_000);
    const out = requests.request("never", encoder.encode("x"));
    await arrived;
    await nc.close();
    expect(await out).toBeInstanceOf(Error);
    expect(await requests.request("never", encoder.encode("y"))).toBeInstanceOf(Error);
  });
});
