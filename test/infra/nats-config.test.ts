import { describe, expect, test } from "vitest";
import { type NatsConfig, renderNatsConfig } from "../../infra/index.ts";

const base: NatsConfig = {
  host: "127.0.0.1",
  port: "any",
  monitorPort: 8222,
  storeDir: "/data/nats",
  syncAlways: true,
  portsFileDir: "/run/nzk",
};

describe("renderNatsConfig", () => {
  test("asks nats-server to pick free ports and report them in a ports file", () => {
    const config = renderNatsConfig(base);
    expect(config).toContain("port: -1\n");
    expect(renderNatsConfig({ ...base, port: 0 })).toContain("port: -1\n");
    expect(config).toContain('http: "127.0.0.1:8222"');
    expect(config).toContain('ports_file_dir: "/run/nzk"');
  });

  test("fsyncs every JetStream write only when syncAlways is set", () => {
    expect(renderNatsConfig(base)).toMatch(
      /jetstream \{\n {2}store_dir: "\/data\/nats"\n {2}sync_interval: always\n\}/,
    );
    expect(renderNatsConfig({ ...base, syncAlways: false })).not.toContain("sync_interval");
  });

  test("sets max_payload only when asked, and refuses a size that is not a byte count", () => {
    expect(renderNatsConfig(base)).not.toContain("max_payload");
    expect(renderNatsConfig({ ...base, maxPayload: 8 * 1024 * 1024 })).toContain("max_payload: 8388608\n");
    expect(() => renderNatsConfig({ ...base, maxPayload: 0 })).toThrow(RangeError);
    expect(() => renderNatsConfig({ ...base, maxPayload: 1.5 })).toThrow(RangeError);
  });

  test("adds a plain websocket listener on the same host only when asked", () => {
    expect(renderNatsConfig(base)).not.toContain("websocket");
    const config = renderNatsConfig({ ...base, websocketPort: 9222 });
    expect(config).toContain('websocket {\n  host: "127.0.0.1"\n  port: 9222\n  no_tls: true\n}');
  });

  test("names the server and lists its cluster routes", () => {
    const config = renderNatsConfig({
      ...base,
      serverName: "n1",
      cluster: { name: "nzk", port: 6222, routes: ["nats://127.0.0.1:6223", "nats://127.0.0.1:6224"] },
    });
    expect(config).toContain('server_name: "n1"');
    expect(config).toContain(
      'cluster {\n  name: "nzk"\n  host: "127.0.0.1"\n  port: 6222\n  routes: ["nats://127.0.0.1:6223", "nats://127.0.0.1:6224"]\n}',
    );
  });

  test("sets the gossiped route address and the route pool only when asked", () => {
    const cluster = { name: "nzk", port: 6222, routes: [] };
    expect(renderNatsConfig({ ...base, cluster })).not.toMatch(/advertise|pool_size/);
    const config = renderNatsConfig({
      ...base,
      cluster: { ...cluster, advertise: "127.0.0.1:1", poolSize: -1 },
    });
    expect(config).toContain('  routes: []\n  advertise: "127.0.0.1:1"\n  pool_size: -1\n}');
  });

  test("quotes paths so spaces and quotes survive", () => {
    expect(renderNatsConfig({ ...base, storeDir: '/tmp/a "b" c' })).toContain(
      'store_dir: "/tmp/a \\"b\\" c"',
    );
  });
});
