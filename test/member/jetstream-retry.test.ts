import { describe, expect, it } from "vitest";
import { transient, untilJetStreamAnswers } from "../../member/jetstream-retry.ts";

describe("waiting for JetStream at start", () => {
  it("tells JetStream not answering yet from JetStream refusing", () => {
    for (const message of [
      "timeout",
      "TIMEOUT",
      "no responders",
      "JetStream system temporarily unavailable",
      "insufficient resources",
      "no suitable peers for placement",
    ]) {
      expect(transient(new Error(message)), message).toBe(true);
    }
    for (const message of [
      "jetstream is not enabled",
      "stream name already in use",
      "Authorization Violation",
    ]) {
      expect(transient(new Error(message)), message).toBe(false);
    }
  });

  it("asks again after a transient failure, saying so, and gives up on any other at once", async () => {
    const logged: unknown[] = [];
    let calls = 0;
    const out = await untilJetStreamAnswers(
      "log stream",
      async () => {
        calls++;
        if (calls < 3) throw new Error("timeout");
        return "ok";
      },
      (event, fields) => logged.push({ event, ...fields }),
    );
    expect(out).toBe("ok");
    expect(calls).toBe(3);
    expect(logged).toEqual([
      { event: "waiting for JetStream", step: "log stream", error: "timeout", retryMs: 250 },
      { event: "waiting for JetStream", step: "log stream", error: "timeout", retryMs: 500 },
    ]);

    calls = 0;
    const refusal = untilJetStreamAnswers(
      "log stream",
      async () => {
        calls++;
        throw new Error("jetstream is not enabled");
      },
      () => {},
    );
    await expect(refusal).rejects.toThrow("jetstream is not enabled");
    expect(calls).toBe(1);
  });

  it("gives up once the wait would run past its limit", async () => {
    let calls = 0;
    const wait = untilJetStreamAnswers(
      "election bucket",
      async () => {
        calls++;
        throw new Error("timeout");
      },
      () => {},
      600,
    );
    await expect(wait).rejects.toThrow("timeout");
    // at 0 and 250 ms: a third would start at 750 ms, past the 600 ms limit
    expect(calls).toBe(2);
  });
});
