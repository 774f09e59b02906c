/**
 * Writes through a follower's ZooKeeper port reach the log intact, so every member serves them.
 * Regression: the port once handed the member znode data as a Node Buffer (Buffer.slice does not copy),
 * which the member's JSON forwarding turned into Buffer.toJSON's {type, data}; the leader logged an
 * empty payload, applied the write itself, and the followers stalled on the entry.
 */
import { describe, expect, it } from "vitest";
import { natsServer } from "../fixtures/nats.ts";
import { ZkClient } from "./client.ts";
import { fourLetter, settled, spawnZkMember, type ZkMemberProcess } from "./members.ts";

describe("three members behind their ZooKeeper ports", () => {
  it("serves from every member the data written through a follower's port", {
    timeout: 120_000,
  }, async () => {
    await using nats = await natsServer();
    const members: ZkMemberProcess[] = [];
    try {
      for (const id of ["e1", "e2", "e3"]) members.push(await spawnZkMember(nats.url, id));
      await settled(members);
      const modes = await Promise.all(members.map((m) => fourLetter(m.zkPort, "srvr")));
      const follower = members[modes.findIndex((s) => s.includes("Mode: follower"))]!;
      const writer = await ZkClient.connect(`127.0.0.1:${follower.zkPort}`);
      await writer.create("/forwarded", Buffer.from("payload"));
      await writer.setData("/forwarded", Buffer.from("changed"));
      writer.close();
      for (const m of members) {
        const reader = await ZkClient.connect(`127.0.0.1:${m.zkPort}`);
        // a member answers reads from what it has applied, as a ZooKeeper follower does: poll its state
        const deadline = performance.now() + 10_000;
        let data: string | undefined;
        while (data !== "changed" && performance.now() < deadline) {
          data = (await reader.getData("/forwarded").catch(() => undefined))?.data?.toString();
          if (data !== "changed") await new Promise((r) => setTimeout(r, 20));
        }
        expect(data, `member ${m.id}`).toBe("changed");
        reader.close();
      }
    } finally {
      for (const m of members) await m.kill9();
    }
  });
});
