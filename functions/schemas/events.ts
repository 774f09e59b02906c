import { z } from "@hono/zod-openapi";
import { Hex64 } from "./common.ts";
import { QueryBool } from "./znodes.ts";

export const WatchQuery = z.object({
  type: z.enum(["data", "exists", "children"]).default("data"),
  zxid: Hex64.optional().openapi({ description: "the mzxid (data, exists) or pzxid (children) last seen" }),
  timeoutMs: z
    .string()
    .regex(/^[0-9]{1,9}$/, "milliseconds")
    .transform(Number)
    .optional(),
});

export const EventsQuery = z.object({
  recursive: QueryBool.optional(),
  since: Hex64.optional().openapi({ description: "resume after this zxid (as Last-Event-ID does)" }),
});

export const WatchEventOut = z
  .object({
    type: z.enum(["NodeCreated", "NodeDeleted", "NodeDataChanged", "NodeChildrenChanged"]),
    path: z.string(),
    zxid: z.string(),
  })
  .openapi("WatchEvent");
