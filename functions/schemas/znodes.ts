import { z } from "@hono/zod-openapi";
import { CreateModes } from "../../core/records.ts";
import { Acl, DataOut, Encoding, Stat, Version } from "./common.ts";

const modes = Object.keys(CreateModes) as [keyof typeof CreateModes, ...(keyof typeof CreateModes)[]];

/** a query-string integer, strictly digits, within int32 */
export const QueryVersion = z
  .string()
  .regex(/^-?[0-9]{1,10}$/, "an integer")
  .transform(Number)
  .pipe(Version);

export const QueryBool = z.enum(["true", "false"]);

export const CreateBody = z
  .strictObject({
    data: z.string().default(""),
    encoding: Encoding.default("utf8"),
    mode: z.enum(modes).default("persistent"),
    ttlMs: z.number().int().positive().optional(),
    acl: Acl.optional().openapi({ description: "default: world:anyone cdrwa" }),
    parents: z.boolean().default(false),
  })
  .openapi("CreateRequest");

export const SetBody = z
  .strictObject({
    data: z.string().default(""),
    encoding: Encoding.default("utf8"),
    version: Version.optional(),
  })
  .openapi("SetDataRequest");

export const DeleteQuery = z.object({
  version: QueryVersion.optional(),
  recursive: QueryBool.optional(),
});

export const PathStat = z.object({ path: z.string(), stat: Stat }).openapi("PathStat");

export const Znode = z.object({ path: z.string(), ...DataOut, stat: Stat }).openapi("Znode");

export const AclBody = z.strictObject({ acl: Acl, version: Version.optional() }).openapi("SetAclRequest");

export const AclOut = z.object({ path: z.string(), acl: Acl, stat: Stat }).openapi("ZnodeAcl");

export const ChildrenQuery = z.object({
  sync: QueryBool.optional(),
  encoding: Encoding.optional(),
  data: QueryBool.optional(),
  recursive: QueryBool.optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,9}$/, "a positive integer")
    .transform(Number)
    .pipe(z.number().int().min(1))
    .optional(),
  after: z.string().optional(),
});

export const ChildrenOut = z
  .object({
    path: z.string(),
    children: z.union([z.array(z.string()), z.array(z.object({ name: z.string(), ...DataOut, stat: Stat }))]),
    stat: Stat,
    next: z.string().optional().openapi({ description: "pass as ?after= for the next page" }),
  })
  .openapi("Children");
