/**
 * A port number, or "any" (or 0): nats-server binds a free one itself (its RANDOM_PORT, -1) and reports it.
 * nats-server would read a literal 0 as "the default port", which is never what a caller here means.
 */
export type PortChoice = number | "any";

export interface NatsClusterConfig {
  /** The cluster's name, the same on every member. */
  name: string;
  /** The route listener's port; members must know each other's ports, so it is a number, not "any". */
  port: number;
  /** Route URLs of the other members, e.g. `nats://127.0.0.1:6222`. */
  routes: readonly string[];
  /**
   * The route address this server gossips to the others (its own listener when absent). A server that
   * learns of a peer only by gossip connects to it there.
   */
  advertise?: string | undefined;
  /**
   * Route connections per pair of servers (nats-server 2.10+ pools 3 by default); -1 keeps one, as
   * before pooling.
   */
  poolSize?: number | undefined;
}

export interface NatsConfig {
  host: string;
  port: PortChoice;
  monitorPort: PortChoice;
  /** The websocket listener's port (plain ws, loopback use); absent means no websocket listener. */
  websocketPort?: PortChoice | undefined;
  storeDir: string;
  /**
   * fsync every JetStream write before acknowledging it, so an acknowledged append survives a crash of
   * a single server. nats-server's default instead syncs every 2 minutes.
   */
  syncAlways: boolean;
  /**
   * The largest message the server accepts, in bytes (its `max_payload`); absent keeps nats-server's
   * default of 1 MB, which cannot carry a 1 MiB znode plus its framing.
   */
  maxPayload?: number | undefined;
  serverName?: string | undefined;
  cluster?: NatsClusterConfig | undefined;
  /** Where nats-server writes its `<exe>_<pid>.ports` file naming the ports it actually bound. */
  portsFileDir: string;
}

const port = (choice: PortChoice): number => (choice === "any" || choice === 0 ? -1 : choice);
const str = (value: string): string => JSON.stringify(value);

function maxPayload(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new RangeError(`maxPayload: not a byte count: ${bytes}`);
  return bytes;
}

/** The nats-server configuration file for these settings. */
export function renderNatsConfig(config: NatsConfig): string {
  const lines = [
    ...(config.serverName === undefined ? [] : [`server_name: ${str(config.serverName)}`]),
    `host: ${str(config.host)}`,
    `port: ${port(config.port)}`,
    `http: ${str(`${config.host}:${port(config.monitorPort)}`)}`,
    `ports_file_dir: ${str(config.portsFileDir)}`,
    ...(config.maxPayload === undefined ? [] : [`max_payload: ${maxPayload(config.maxPayload)}`]),
    "jetstream {",
    `  store_dir: ${str(config.storeDir)}`,
    ...(config.syncAlways ? ["  sync_interval: always"] : []),
    "}",
  ];
  if (config.websocketPort !== undefined) {
    lines.push(
      "websocket {",
      `  host: ${str(config.host)}`,
      `  port: ${port(config.websocketPort)}`,
      "  no_tls: true",
      "}",
    );
  }
  if (config.cluster !== undefined) {
    lines.push(
      "cluster {",
      `  name: ${str(config.cluster.name)}`,
      `  host: ${str(config.host)}`,
      `  port: ${config.cluster.port}`,
      `  routes: [${config.cluster.routes.map(str).join(", ")}]`,
      ...(config.cluster.advertise === undefined ? [] : [`  advertise: ${str(config.cluster.advertise)}`]),
      ...(config.cluster.poolSize === undefined ? [] : [`  pool_size: ${config.cluster.poolSize}`]),
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}
