import { describe, expect, it } from "vitest";
import { isZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import { natsServer } from "../fixtures/nats.ts";
import { bytes, startMember, until } from "./harness.ts";

const anyone = { sessionId: 0, auth: [] };
const create = (path: string) =>
  ({ op: "create", path, data: bytes(""), acl: OPEN_ACL_UNSAFE, mode: "persistent" }) as const;

describe("an observer", () => {
  it("never leads, even alone, and forwards writes once a participant leads", async () => {
    await using nats = await natsServer();
    const observer = await startMember(nats.url, "obs", { role: "observer", requestTimeoutMs: 300 });
    try {
      expect(observer.state).toBe("OBSERVING");
      const refused = await observer.write(anyone, create("/early"));
      expect(refused).toMatchObject({ code: "ConnectionLoss" });
      expect(observer.state).toBe("OBSERVING");

      const participant = await startMember(nats.url, "p1");
      await until("the participant leads", () => participant.state === "LEADING");
      const out = await observer.write(anyone, create("/late"));
      expect(isZkError(out)).toBe(false);
      expect(observer.replica.tree.has("/late")).toBe(true);

      await participant.close();
      // With its only participant gone, the observer keeps observing rather than standing.
      const again = await observer.write(anyone, create("/orphan"));
      expect(again).toMatchObject({ code: "ConnectionLoss" });
      expect(observer.state).toBe("OBSERVING");
    } finally {
      await observer.close();
    }
  });
});
