import { describe, expect, it } from "vitest";
import { type HttpServer, localBackend, serveHttp } from "../../functions/index.ts";
import { type RunningMember, startMember } from "../../member/index.ts";
import {
  embeddedMaxPayload,
  payloadWarning,
  RECOMMENDED_MAX_PAYLOAD,
  requiredMaxPayload,
  znodeLimit,
} from "../../member/payload.ts";
import { natsServer } from "../fixtures/nats.ts";
import { testConfig, until } from "./harness.ts";

const MiB = 1024 * 1024;

/** Bytes that are not UTF-8 (so they travel as base64) and differ along their length. */
function pattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = ((i * 31 + (i >>> 8)) & 0xff) | 0x80;
  return bytes;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

describe("max_payload and the largest znode", () => {
  it("asks for 8 MiB by default, more when maxDataBytes needs it, and carries maxDataBytes with it", () => {
    expect(embeddedMaxPayload(MiB)).toBe(RECOMMENDED_MAX_PAYLOAD);
    expect(embeddedMaxPayload(16 * MiB)).toBe(requiredMaxPayload(16 * MiB));
    for (const max of [1, 1000, MiB, 16 * MiB]) {
      expect(znodeLimit(requiredMaxPayload(max), max)).toBe(max);
      expect(znodeLimit(requiredMaxPayload(max) - 4, max)).toBeLessThan(max);
      expect(payloadWarning(requiredMaxPayload(max), max)).toBeUndefined();
    }
  });

  it("warns about nats-server's default max_payload, naming the znode limit and the setting", () => {
    const warning = payloadWarning(1_048_576, MiB)!;
    expect(warning).toMatchObject({ maxPayload: 1_048_576, maxDataBytes: MiB, raiseMaxPayloadTo: 8 * MiB });
    expect(warning.znodeLimit).toBe(737_280);
    expect(warning.msg).toContain("larger than 737280 bytes");
    expect(warning.msg).toContain("max_payload: 8388608");
    expect(znodeLimit(1000, MiB)).toBe(0);
  });

  it("creates and reads back a 1 MiB znode through leader and follower on the embedded max_payload, and refuses one byte more", async () => {
    await using nats = await natsServer({ maxPayload: embeddedMaxPayload(MiB) });
    const running: RunningMember[] = [];
    const https: HttpServer[] = [];
    try {
      for (const id of ["p1", "p2"]) {
        const config = testConfig(id);
        expect(config.maxDataBytes).toBe(MiB);
        const member = await startMember(config, await nats.connect());
        running.push(member);
        https.push(await serveHttp(localBackend(member), { port: 0, maxDataBytes: config.maxDataBytes }));
      }
      await until("one leads and one follows", () => {
        const states = running.map((r) => r.member.state).sort();
        return states[0] === "FOLLOWING" && states[1] === "LEADING";
      });
      const leader = https[running.findIndex((r) => r.member.state === "LEADING")]!;
      const follower = https[running.findIndex((r) => r.member.state === "FOLLOWING")]!;

      const data = pattern(MiB);
      const create = (http: HttpServer, path: string, bytes: Uint8Array) =>
        fetch(`${http.url}/v1/znodes${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ data: b64(bytes), encoding: "base64" }),
        });
      const read = async (http: HttpServer, path: string) => {
        const res = await fetch(`${http.url}/v1/znodes${path}?sync=true`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { data: string; encoding: string; stat: { dataLength: number } };
        expect(body.encoding).toBe("base64");
        expect(body.stat.dataLength).toBe(MiB);
        return Buffer.from(body.data, "base64");
      };

      for (const [through, path] of [
        [leader, "/via-leader"],
        [follower, "/via-follower"],
      ] as const) {
        const created = await create(through, path, data);
        expect(created.status).toBe(201);
        expect(await created.json()).toMatchObject({ path, stat: { dataLength: MiB } });
        for (const http of https) expect((await read(http, path)).equals(data)).toBe(true);
      }

      // eight 1 MiB writes reaching a follower at once would not fit one forwarded NATS message
      const followerApi = running.find((r) => r.member.state === "FOLLOWING")!.api;
      const burst = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          followerApi.create({}, `/burst-${i}`, { data: b64(data), encoding: "base64" }),
        ),
      );
      expect(burst.map((r) => ("error" in r ? r.error.code : r.path))).toEqual(
        Array.from({ length: 8 }, (_, i) => `/burst-${i}`),
      );

      for (const through of https) {
        const tooBig = await create(through, "/too-big", pattern(MiB + 1));
        expect(tooBig.status).toBe(413);
        expect(await tooBig.json()).toMatchObject({ error: { code: "MarshallingError", zkCode: -5 } });
      }
      // the member itself refuses it, not only the HTTP body limit
      expect(
        await running[0]!.api.create({}, "/too-big", { data: b64(pattern(MiB + 1)), encoding: "base64" }),
      ).toMatchObject({ error: { code: "MarshallingError" } });
      expect((await fetch(`${leader.url}/v1/znodes/too-big?sync=true`)).status).toBe(404);
    } finally {
      for (const http of https) await http.close();
      for (const r of running) await r.close();
    }
  }, 60_000);
});
