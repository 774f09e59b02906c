import { z } from "@hono/zod-openapi";
import { Encoding, Stat, Version } from "./common.ts";
import { CreateBody } from "./znodes.ts";

const Path = z.string().min(1).max(32768);

export const MultiOpIn = z.discriminatedUnion("op", [
  CreateBody.extend({ op: z.literal("create"), path: Path }),
  z.strictObject({ op: z.literal("delete"), path: Path, version: Version.default(-1) }),
  z.strictObject({
    op: z.literal("set"),
    path: Path,
    data: z.string().default(""),
    encoding: Encoding.default("utf8"),
    version: Version.default(-1),
  }),
  z.strictObject({ op: z.literal("check"), path: Path, version: Version }),
]);

export const MultiBody = z
  .strictObject({ ops: z.array(MultiOpIn).min(1).max(10_000) })
  .openapi("MultiRequest");

export const MultiResult = z
  .union([
    z.object({ op: z.literal("create"), path: z.string(), stat: Stat }),
    z.object({ op: z.literal("delete"), path: z.string() }),
    z.object({ op: z.literal("set"), path: z.string(), stat: Stat }),
    z.object({ op: z.literal("check"), path: z.string() }),
  ])
  .openapi("MultiResult");

export const MultiOut = z.object({ results: z.array(MultiResult) }).openapi("MultiResponse");

/** in a failed multi's error: each op's code, as ZooKeeper's ErrorResult */
export const MultiErrorResult = z.object({
  code: z.string(),
  zkCode: z.number().int(),
  path: z.string().optional(),
});
