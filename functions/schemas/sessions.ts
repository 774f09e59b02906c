import { z } from "@hono/zod-openapi";
import { Hex64 } from "./common.ts";

export const SessionCreateBody = z
  .strictObject({
    timeoutMs: z.number().int().positive().max(2147483647).default(10_000),
  })
  .openapi("SessionCreateRequest");

export const SessionCreated = z
  .object({ sessionId: z.string(), token: z.string(), timeoutMs: z.number().int() })
  .openapi("Session");

export const SessionParam = z.object({
  sessionId: Hex64.openapi({ param: { name: "sessionId", in: "path" } }),
});

export const SessionInfo = z
  .object({ sessionId: z.string(), timeoutMs: z.number().int(), ephemerals: z.array(z.string()) })
  .openapi("SessionInfo");

export const Keepalive = z.object({ timeoutMs: z.number().int() }).openapi("Keepalive");

export const AuthBody = z
  .strictObject({ scheme: z.string().min(1).max(256), credentials: z.string().max(65536) })
  .openapi("AddAuthRequest", { example: { scheme: "digest", credentials: "user:password" } });

export const SyncOut = z.object({ zxid: z.string() }).openapi("Sync");
