import { createServer, type Server } from "node:net";

/**
 * `count` distinct ports that were free a moment ago on `host`. Another process may take one before it is
 * used, so prefer letting nats-server pick its own ports ("any"); this is for what must be known before
 * any server starts, such as the route ports of a cluster whose members name each other.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: Server[] = [];
  try {
    // Every socket stays open until all are bound, so the kernel hands out distinct ports.
    for (let i = 0; i < count; i++) servers.push(await listen(host));
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("expected a TCP address");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}
