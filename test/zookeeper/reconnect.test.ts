/**
 * The session lives in the log, not in the connection: kill -9 the member a client is connected to
 * (leader or not), and the client reconnects to another member with the same session, its ephemeral
 * kept, its watches re-armed from its last zxid, and the change made while it was away reported.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/zxid.ts";
import { natsServer } from "../fixtures/nats.ts";
import { type ClientEvent, long, ZkClient, type ZkClientError, zookeeper } from "./client.ts";
import { fourLetter, settled, spawnZkMember, type ZkMemberProcess } from "./members.ts";

/**
 * A write retried on ConnectionLoss, as Curator retries: while the ensemble elects a new leader a
 * member drops connections whose writes it cannot vouch for, exactly as a ZooKeeper follower does.
 */
async function retried(op: () => Promise<unknown>, create = false): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await op();
      return;
    } catch (error) {
      const code = (error as ZkClientError).code;
      if (create && code === zookeeper.Exception.NODE_EXISTS && attempt > 0) return;
      if (code !== zookeeper.Exception.CONNECTION_LOSS || attempt > 20) throw error;
    }
  }
}

describe("a client whose member dies", () => {
  it("reconnects to another member with the same session, watches re-armed, no event lost", {
    timeout: 120_000,
  }, async () => {
    await using nats = await natsServer();
    const members: ZkMemberProcess[] = [];
    try {
      for (const id of ["r1", "r2", "r3"]) members.push(await spawnZkMember(nats.url, id));
      await settled(members);
      const all = members.map((m) => `127.0.0.1:${m.zkPort}`).join(",");
      const client = await ZkClient.connect(all, { sessionTimeout: 15_000 });
      const sessionId = client.sessionId;
      await client.create("/watched", Buffer.from("v0"));
      await client.create("/owned", undefined, zookeeper.CreateMode.EPHEMERAL);
      const events: ClientEvent[] = [];
      let dataEvent: (e: ClientEvent) => void = () => {};
      const dataChanged = new Promise<ClientEvent>((resolve) => {
        dataEvent = resolve;
      });
      await client.getData("/watched", (e) => {
        events.push(e);
        dataEvent(e);
      });
      let childEvent: (e: ClientEvent) => void = () => {};
      const childrenChanged = new Promise<ClientEvent>((resolve) => {
        childEvent = resolve;
      });
      await client.getChildren("/watched", (e) => {
        events.push(e);
        childEvent(e);
      });

      // the member that holds the client's connection, by its `cons` listing
      const sid = `sid=${toHex(sessionId)}`;
      const holding: ZkMemberProcess[] = [];
      for (const m of members) if ((await fourLetter(m.zkPort, "cons")).includes(sid)) holding.push(m);
      expect(holding).toHaveLength(1);
      const victim = holding[0]!;
      const survivor = members.find((m) => m !== victim)!;
      const disconnected = new Promise<void>((resolve) => client.raw.once("disconnected", resolve));
      const reconnected = disconnected.then(
        () => new Promise<void>((resolve) => client.raw.once("connected", resolve)),
      );
      await victim.kill9();
      await disconnected;

      // changes while the client is away: its watches must still fire once it is back
      const other = await ZkClient.connect(`127.0.0.1:${survivor.zkPort}`);
      await retried(() => other.setData("/watched", Buffer.from("v1")));
      await retried(() => other.create("/watched/child"), true);
      await reconnected;

      expect(client.sessionId).toBe(sessionId);
      expect((await dataChanged).name).toBe("NODE_DATA_CHANGED");
      expect((await childrenChanged).name).toBe("NODE_CHILDREN_CHANGED");
      expect(events.map((e) => e.name).sort()).toEqual(["NODE_CHILDREN_CHANGED", "NODE_DATA_CHANGED"]);
      const owned = await other.exists("/owned");
      expect(owned).not.toBeNull();
      expect(long(owned!.ephemeralOwner)).toBe(sessionId);
      expect((await client.getData("/watched")).data?.toString()).toBe("v1");

      // and the session still ends with the client
      const gone = new Promise<ClientEvent>((resolve) => other.exists("/owned", resolve).catch(() => {}));
      client.close();
      expect((await gone).name).toBe("NODE_DELETED");
      other.close();
    } finally {
      for (const m of members) await m.kill9();
    }
  });
});
