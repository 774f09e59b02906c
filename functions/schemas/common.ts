/**
 * The records every route shares, as zod schemas that both validate requests and describe them in
 * /openapi.json. Inputs are strict objects: a misspelt field ("verison") is a BadArguments, not a
 * silently ignored wish.
 */
import { z } from "@hono/zod-openapi";
import { parseId } from "../../core/zxid.ts";

/** int32, as ZooKeeper's versions */
export const Version = z
  .number()
  .int()
  .min(-1)
  .max(2147483647)
  .openapi({ description: "-1 matches any version" });

/** a 64-bit id in ZooKeeper's hex form (or decimal) */
export const Hex64 = z
  .string()
  .refine((s) => parseId(s) !== undefined, "a zxid or session id: 0x… hex or decimal")
  .openapi({ example: "0x100000002" });

export const Encoding = z.enum(["utf8", "base64"]).openapi({ description: "how `data` is written" });

export const Stat = z
  .object({
    czxid: z.string(),
    mzxid: z.string(),
    pzxid: z.string(),
    ctime: z.number().int(),
    mtime: z.number().int(),
    version: z.number().int(),
    cversion: z.number().int(),
    aversion: z.number().int(),
    ephemeralOwner: z.string(),
    dataLength: z.number().int(),
    numChildren: z.number().int(),
  })
  .openapi("Stat");

export const AclEntry = z
  .strictObject({
    scheme: z.string().min(1).max(256),
    id: z.string().max(4096),
    perms: z.string().regex(/^[cdrwa]*$/, "perms are ZooKeeper's letters c, d, r, w, a"),
  })
  .openapi("AclEntry", { example: { scheme: "world", id: "anyone", perms: "cdrwa" } });

export const Acl = z.array(AclEntry).max(1024);

export const ZkErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "NoNode" }),
      zkCode: z.number().int().openapi({ example: -101 }),
      message: z.string(),
      path: z.string().optional(),
      results: z.array(z.unknown()).optional(),
    }),
  })
  .openapi("Error");

export const DataOut = {
  data: z.string(),
  encoding: Encoding,
};

/** `?sync=true` (and `?encoding=base64`) on every read */
export const ReadQuery = z.object({
  sync: z.enum(["true", "false"]).optional(),
  encoding: Encoding.optional(),
});

export const ZnodePathParam = z.object({
  path: z.string().openapi({
    param: { name: "path", in: "path" },
    description: "the znode path without its leading /, each segment percent-encoded",
    example: "services/orders",
  }),
});

export const errorResponses = {
  400: {
    description: "BadArguments and other malformed requests",
    content: { "application/json": { schema: ZkErrorBody } },
  },
  401: { description: "AuthFailed", content: { "application/json": { schema: ZkErrorBody } } },
  403: { description: "NoAuth", content: { "application/json": { schema: ZkErrorBody } } },
  404: { description: "NoNode", content: { "application/json": { schema: ZkErrorBody } } },
  409: {
    description: "BadVersion, NodeExists, NotEmpty",
    content: { "application/json": { schema: ZkErrorBody } },
  },
  410: { description: "SessionExpired", content: { "application/json": { schema: ZkErrorBody } } },
  413: {
    description: "MarshallingError: data over the limit",
    content: { "application/json": { schema: ZkErrorBody } },
  },
  503: {
    description: "ConnectionLoss / OperationTimeout",
    content: { "application/json": { schema: ZkErrorBody } },
  },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
