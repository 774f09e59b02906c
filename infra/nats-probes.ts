import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface NatsPorts {
  client: number;
  monitor: number;
  websocket?: number;
  cluster?: number;
}

/**
 * The ports nats-server bound, from the `<exe>_<pid>.ports` file it writes into `dir` once its listeners
 * are up; undefined until then.
 */
export async function readPortsFile(dir: string, websocket: boolean): Promise<NatsPorts | undefined> {
  const name = (await readdir(dir)).find((file) => file.endsWith(".ports"));
  if (name === undefined) return undefined;
  let parsed: Record<string, string[] | undefined>;
  try {
    parsed = JSON.parse(await readFile(join(dir, name), "utf8"));
  } catch {
    // nats-server writes the file in place, so a read may see it half-written: the next poll will not.
    return undefined;
  }
  const client = portOf(parsed.nats);
  const monitor = portOf(parsed.monitoring);
  const ws = portOf(parsed.websocket);
  if (client === undefined || monitor === undefined) return undefined;
  if (!websocket) return { client, monitor };
  return ws === undefined ? undefined : { client, monitor, websocket: ws };
}

function portOf(urls: string[] | undefined): number | undefined {
  const first = urls?.[0];
  return first === undefined ? undefined : Number(new URL(first).port);
}

/**
 * True when the monitor's /healthz answers 200 for `query` ("" for the full check: JetStream up, streams
 * recovered, and when clustered a meta leader known); undefined otherwise, including no answer yet.
 */
export async function healthz(monitorUrl: string, query: string): Promise<true | undefined> {
  try {
    // A paused server accepts the connection but never answers.
    const response = await fetch(`${monitorUrl}/healthz${query}`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok ? true : undefined;
  } catch {
    return undefined;
  }
}
