/**
 * nzk for client tests: test/functions/harness.ts's member on a real nats-server, served over a real
 * HTTP port (the CLI runs as a child process against it), with short session timeouts so an expiry
 * happens within a test. `partition()` gives a client a fetch whose network a test can cut, which is
 * how a holder "crashes": its keepalives stop reaching the server until its session expires.
 */
import { NzkClient } from "../../client/sdk/index.ts";
import { localBackend, serveHttp } from "../../functions/index.ts";
import { type Api, startApi } from "../functions/harness.ts";

export interface Nzk extends AsyncDisposable {
  readonly api: Api;
  readonly url: string;
  /** a client with a session of the given timeout (the server's minimum is 300 ms) */
  connect(sessionTimeoutMs?: number, fetcher?: typeof fetch): Promise<NzkClient>;
  /** a client without a session */
  client(): NzkClient;
}

export async function startNzk(): Promise<Nzk> {
  const api = await startApi({
    member: { minSessionTimeoutMs: 300, maxSessionTimeoutMs: 40_000, tickMs: 100 },
  });
  const http = await serveHttp(localBackend(api.running), { port: 0 });
  const clients: NzkClient[] = [];
  return {
    api,
    url: http.url,
    connect: async (sessionTimeoutMs = 10_000, fetcher?: typeof fetch) => {
      const c = await NzkClient.connect({
        url: http.url,
        sessionTimeoutMs,
        ...(fetcher ? { fetch: fetcher } : {}),
      });
      clients.push(c);
      return c;
    },
    client: () => new NzkClient({ url: http.url }),
    [Symbol.asyncDispose]: async () => {
      for (const c of clients) c.session?.abandon();
      await http.close();
      await api[Symbol.asyncDispose]();
    },
  };
}

export interface Partition {
  readonly fetch: typeof fetch;
  cut(): void;
  heal(): void;
}

/** A fetch that fails as a dead network does while cut. */
export function partition(): Partition {
  let cut = false;
  return {
    fetch: (input, init) =>
      cut ? Promise.reject(new TypeError("fetch failed: network cut by the test")) : fetch(input, init),
    cut: () => {
      cut = true;
    },
    heal: () => {
      cut = false;
    },
  };
}

/** Resolves on the first state in `states` the client's session reaches. */
export function reaches(client: NzkClient, ...states: string[]): Promise<string> {
  return new Promise((resolve) => {
    if (states.includes(client.state ?? "")) return resolve(client.state!);
    const off = client.onState((s) => {
      if (states.includes(s)) {
        off();
        resolve(s);
      }
    });
  });
}
