import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configWarnings, loadConfig } from "../../member/config.ts";

describe("member settings", () => {
  it("keep one append in flight for a replicated log, four on one server, unless told", () => {
    expect(loadConfig({}).maxInFlight).toBe(4);
    expect(loadConfig({ NZK_REPLICAS: "3" }).maxInFlight).toBe(1);
    expect(loadConfig({ NZK_REPLICAS: "1" }).maxInFlight).toBe(4);
  });

  it("take maxInFlight from the config file, replicated or not", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nzk-config-"));
    try {
      const file = join(dir, "nzk.json");
      await writeFile(file, JSON.stringify({ replicas: 3, maxInFlight: 2 }));
      expect(loadConfig({ NZK_CONFIG: file }).maxInFlight).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("name the environment variable of a bad value", () => {
    expect(() => loadConfig({ NZK_REPLICAS: "7" })).toThrow(ConfigError);
    expect(() => loadConfig({ NZK_REPLICAS: "7" })).toThrow(/NZK_REPLICAS/);
  });

  it("warn when a member out of contact could keep clients past their sessions, and name what to change", () => {
    expect(configWarnings(loadConfig({}))).toEqual([]);
    const [warning] = configWarnings(loadConfig({ NZK_MIN_SESSION_TIMEOUT_MS: "2000" }));
    expect(warning?.msg).toMatch(/NZK_CONTACT_LIMIT_MS.*NZK_MIN_SESSION_TIMEOUT_MS/);
    expect(warning?.fields).toEqual({ contactLimitMs: 1500, minSessionTimeoutMs: 2000 });
  });

  it("warn when a member cut off with a minority of NATS could outlast NATS's election", () => {
    expect(configWarnings(loadConfig({ NZK_REPLICAS: "3" }))).toEqual([]);
    expect(configWarnings(loadConfig({ NZK_CONTACT_LIMIT_MS: "2000" }))).toEqual([]);
    const [warning] = configWarnings(
      loadConfig({ NZK_REPLICAS: "3", NZK_CONTACT_LIMIT_MS: "2000", NZK_MIN_SESSION_TIMEOUT_MS: "6000" }),
    );
    expect(warning?.msg).toMatch(/NZK_CONTACT_LIMIT_MS.*stale stream leader/);
    expect(warning?.fields).toEqual({ contactLimitMs: 2000, replicas: 3 });
  });
});
