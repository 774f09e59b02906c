/**
 * One registry, two doors: what a ZooKeeper client does on the port is what the HTTP API shows, because
 * a ZooKeeper session is an nzk session in the log.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/zxid.ts";
import { createApp, localBackend } from "../../functions/index.ts";
import { MemberApi } from "../../member/index.ts";
import { until } from "../member/harness.ts";
import { ZkClient, zookeeper } from "./client.ts";
import { zkMember } from "./fixture.ts";

describe("the ZooKeeper port and the HTTP API", () => {
  it("shows an ephemeral created over the port as that session's over HTTP, until the session ends", async () => {
    await using zk = await zkMember();
    const member = zk.member;
    const app = createApp(
      localBackend({
        member,
        api: new MemberApi(member),
        close: async () => {},
        [Symbol.asyncDispose]: async () => {},
      }),
    );
    const client = await ZkClient.connect(zk.connect);
    await client.create("/svc", Buffer.from("up"), zookeeper.CreateMode.EPHEMERAL);
    const got = await app.request("/v1/znodes/svc");
    expect(got.status).toBe(200);
    const body = (await got.json()) as { data: string; stat: { ephemeralOwner: string } };
    expect(body.data).toBe("up");
    expect(body.stat.ephemeralOwner).toBe(toHex(client.sessionId));
    client.close();
    await until("the session's close is applied", () => !member.replica.tree.has("/svc"));
    expect((await app.request("/v1/znodes/svc")).status).toBe(404);
  });
});
