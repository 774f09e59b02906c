/**
 * Two members on one nats-server, each serving the HTTP API of its process on a free port: one reaches
 * NATS directly, the other through a proxy the test cuts for a partition (test/fixtures/tcp-proxy.ts).
 * Everything is closed on dispose, the proxy healed first.
 */
import { localBackend, serveHttp } from "../../functions/index.ts";
import type { Config } from "../../member/config.ts";
import { type RunningMember, startMember } from "../../member/index.ts";
import { type NatsFixture, natsServer } from "../fixtures/nats.ts";
import { type TcpProxy, tcpProxy } from "../fixtures/tcp-proxy.ts";
import { testConfig } from "../member/harness.ts";

export interface PairMember {
  readonly running: RunningMember;
  /** its HTTP API */
  readonly url: string;
}

export interface PartitionedPair extends AsyncDisposable {
  readonly nats: NatsFixture;
  /** the proxy between `cut` and NATS */
  readonly proxy: TcpProxy;
  /** the member behind the proxy, and the other */
  readonly cut: PairMember;
  readonly other: PairMember;
}

/** Starts the pair: the member behind the proxy first when cutFirst (so it leads), else the other. */
export async function partitionedPair(config: Partial<Config>, cutFirst = false): Promise<PartitionedPair> {
  const nats = await natsServer();
  const proxy = await tcpProxy(nats.url);
  const started: { running: RunningMember; url: string; close(): Promise<void> }[] = [];
  const start = async (id: string, url: string) => {
    const nc = await nats.connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const running = await startMember(testConfig(id, config), nc);
    const http = await serveHttp(localBackend(running), { port: 0 });
    const member = { running, url: http.url, close: http.close };
    started.push(member);
    return member;
  };
  const dispose = async () => {
    proxy.heal();
    for (const m of started) {
      await m.close();
      await m.running.close();
    }
    await proxy.close();
    await nats[Symbol.asyncDispose]();
  };
  try {
    const first = await start(cutFirst ? "cut" : "other", cutFirst ? proxy.url : nats.url);
    const second = await start(cutFirst ? "other" : "cut", cutFirst ? nats.url : proxy.url);
    const [cut, other] = cutFirst ? [first, second] : [second, first];
    return { nats, proxy, cut, other, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
