/**
 * An nzk member with its ZooKeeper port on a free loopback port, over a real nats-server, for tests
 * that talk to it with unmodified ZooKeeper clients. Everything is torn down on dispose.
 */

import { type Limits, memberBackend, ZkServer } from "../../functions/zookeeper/index.ts";
import type { Config } from "../../member/config.ts";
import type { Member } from "../../member/index.ts";
import { type NatsFixture, natsServer } from "../fixtures/nats.ts";
import { startMember, until } from "../member/harness.ts";

export interface ZkFixture extends AsyncDisposable {
  readonly nats: NatsFixture;
  readonly member: Member;
  readonly server: ZkServer;
  /** "127.0.0.1:port", a ZooKeeper connection string */
  readonly connect: string;
}

export async function zkMember(
  options: { config?: Partial<Config>; limits?: Partial<Limits>; handshakeTimeoutMs?: number } = {},
): Promise<ZkFixture> {
  const nats = await natsServer();
  const member = await startMember(nats.url, "zk1", {
    minSessionTimeoutMs: 1000,
    tickMs: 200,
    ...options.config,
  });
  await until("the member leads", () => member.state === "LEADING");
  const server = await ZkServer.listen(memberBackend(member), {
    port: 0,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
  });
  return {
    nats,
    member,
    server,
    connect: `127.0.0.1:${server.port}`,
    [Symbol.asyncDispose]: async () => {
      await server.close();
      await member.close();
      await nats[Symbol.asyncDispose]();
    },
  };
}
