/**
 * A partition between a member and NATS, seen by an unmodified ZooKeeper client connected to that
 * member: the member stops serving and closes the connection, as a ZooKeeper server that loses its
 * leader does, so the client is told Disconnected (a lock holder learns it may have lost its lock)
 * and moves to another member with its session and ephemeral intact, well before the session could
 * expire. The cut member answers ZooKeeper's "not currently serving" to srvr until the partition heals.
 */
import { describe, expect, it } from "vitest";
import { NOT_SERVING } from "../../functions/zookeeper/four-letter.ts";
import { memberBackend, ZkServer } from "../../functions/zookeeper/index.ts";
import type { Member } from "../../member/index.ts";
import { natsServer } from "../fixtures/nats.ts";
import { type TcpProxy, tcpProxy } from "../fixtures/tcp-proxy.ts";
import { startMember, until } from "../member/harness.ts";
import { ZkClient, zookeeper } from "./client.ts";
import { fourLetter } from "./members.ts";

interface Node {
  readonly member: Member;
  readonly proxy: TcpProxy;
  readonly port: ZkServer;
}

describe("a ZooKeeper client on a member cut off from NATS", () => {
  it("is disconnected and resumes its session on another member", { timeout: 60_000 }, async () => {
    await using nats = await natsServer();
    const nodes: Node[] = [];
    let client: ZkClient | undefined;
    try {
      for (const id of ["p1", "p2"]) {
        const proxy = await tcpProxy(nats.url);
        const member = await startMember(proxy.url, id, { contactLimitMs: 1000 });
        nodes.push({ member, proxy, port: await ZkServer.listen(memberBackend(member), { port: 0 }) });
      }
      await until("one member leads", () => nodes.some((n) => n.member.state === "LEADING"));
      const all = nodes.map((n) => `127.0.0.1:${n.port.port}`).join(",");
      client = await ZkClient.connect(all, { sessionTimeout: 8000 });
      const sessionId = client.sessionId;
      await client.create("/owned", undefined, zookeeper.CreateMode.EPHEMERAL);
      const cut = nodes.find((n) => n.port.connections.size > 0)!;
      const other = nodes.find((n) => n !== cut)!;

      const disconnected = new Promise<void>((resolve) => client!.raw.once("disconnected", resolve));
      cut.proxy.cut();
      const cutAt = performance.now();
      await disconnected;
      const tookMs = performance.now() - cutAt;
      await until("the client is back on the other member", () => other.port.connections.size > 0);
      expect(client.sessionId).toBe(sessionId);
      expect(await client.exists("/owned")).not.toBeNull();
      expect(cut.port.connections.size).toBe(0);
      expect(await fourLetter(cut.port.port, "srvr")).toBe(NOT_SERVING);
      // Told within the contact limit (and the next check), far from the 8 s its session may last.
      expect(tookMs).toBeLessThan(3000);

      cut.proxy.heal();
      await until("the cut member serves again", () => cut.member.serving, 15_000);
      expect(await fourLetter(cut.port.port, "srvr")).toMatch(/^Zookeeper version: .*\nLatency /);
    } finally {
      client?.close();
      for (const n of nodes) {
        await n.port.close();
        await n.member.close();
        await n.proxy.close();
      }
    }
  });
});
