/**
 * The JSON of shared/API.md, shared by the member's NATS API and (in-process) the HTTP layer: request
 * bodies parsed with zod into core's records, and Stat, data, ACLs, results and errors written back.
 * Every malformed input becomes BadArguments, never an exception.
 */
import { z } from "zod";
import { ErrCode, type ZkError, zkError } from "../core/errors.ts";
import { parsePerms, permsToString } from "../core/index.ts";
import {
  type ACL,
  CreateModes,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  type OpResult,
  type Stat,
  type WriteRequest,
} from "../core/records.ts";
import { toHex } from "../core/zxid.ts";

/**
 * The header that carries a zxid each way: on a reply, what the answering member had applied; on a
 * request, the newest zxid the client has seen (see RequestContext.seenZxid).
 */
export const ZXID_HEADER = "Nzk-Zxid";
export interface StatJson {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export interface AclJson {
  scheme: string;
  id: string;
  perms: string;
}

export interface ErrorJson {
  error: {
    code: string;
    zkCode: number;
    message: string;
    path?: string;
    results?: { op: string; code: string; zkCode: number; path?: string }[];
  };
}

export function statJson(s: Stat): StatJson {
  return {
    czxid: toHex(s.czxid),
    mzxid: toHex(s.mzxid),
    pzxid: toHex(s.pzxid),
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: toHex(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

// ignoreBOM keeps a leading U+FEFF: stripping it would hand back other bytes than were stored
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** "utf8" when the bytes are valid UTF-8 (and base64 is not forced), else "base64". */
export function dataJson(
  bytes: Uint8Array,
  force?: "base64" | "utf8",
): { data: string; encoding: "utf8" | "base64" } {
  if (force !== "base64") {
    try {
      return { data: utf8.decode(bytes), encoding: "utf8" };
    } catch {
      // not UTF-8: base64 below
    }
  }
  return { data: Buffer.from(bytes).toString("base64"), encoding: "base64" };
}

export const aclJson = (acl: readonly ACL[]): AclJson[] =>
  acl.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: permsToString(a.perms) }));

export function errorJson(err: ZkError, results?: ErrorJson["error"]["results"]): ErrorJson {
  return {
    error: {
      code: err.code,
      zkCode: err.zkCode,
      message: err.message,
      ...(err.path === undefined ? {} : { path: err.path }),
      ...(results === undefined ? {} : { results }),
    },
  };
}

// ---- inputs ----

const Encoding = z.enum(["utf8", "base64"]).default("utf8");
const Version = z.number().int().min(-1).max(0x7fffffff).default(-1);
/** An empty ACL is ZooKeeper's InvalidACL, which prep reports, not a malformed request. */
const AclInput = z.array(z.object({ scheme: z.string(), id: z.string(), perms: z.string() }).strict());
const DataFields = { data: z.string().default(""), encoding: Encoding };

const CreateFields = z
  .object({
    ...DataFields,
    mode: z.enum(Object.keys(CreateModes) as [keyof typeof CreateModes]).default("persistent"),
    ttlMs: z.number().int().positive().optional(),
    acl: AclInput.optional(),
    parents: z.boolean().default(false),
  })
  .strict();
export const CreateBody = CreateFields;
export const SetBody = z.object({ ...DataFields, version: Version }).strict();
export const SetAclBody = z.object({ acl: AclInput, version: Version }).strict();
const MultiOpInput = z.discriminatedUnion("op", [
  CreateFields.extend({ op: z.literal("create"), path: z.string() }),
  z.object({ op: z.literal("delete"), path: z.string(), version: Version }).strict(),
  z.object({ op: z.literal("set"), path: z.string(), ...DataFields, version: Version }).strict(),
  z.object({ op: z.literal("check"), path: z.string(), version: Version }).strict(),
]);
export const MultiBody = z.object({ ops: z.array(MultiOpInput) }).strict();
export const SessionBody = z.object({ timeoutMs: z.number().int().positive().default(10_000) }).strict();
export const AuthBody = z.object({ scheme: z.string().min(1), credentials: z.string() }).strict();

export type CreateInput = z.input<typeof CreateBody>;
export type MultiInput = z.input<typeof MultiBody>;

export function parse<T>(schema: z.ZodType<T>, input: unknown): T | ZkError {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  return zkError("BadArguments", `${issue.path.join(".") || "body"}: ${issue.message}`);
}

export function bytesOf(data: string, encoding: "utf8" | "base64"): Uint8Array | ZkError {
  if (encoding === "utf8") return new TextEncoder().encode(data);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) {
    return zkError("BadArguments", "data is not base64");
  }
  return new Uint8Array(Buffer.from(data, "base64"));
}

export function aclOf(input: z.infer<typeof AclInput> | undefined): readonly ACL[] | ZkError {
  if (input === undefined) return OPEN_ACL_UNSAFE;
  const acl: ACL[] = [];
  for (const a of input) {
    const perms = parsePerms(a.perms);
    if (typeof perms !== "number") return perms;
    acl.push({ perms, id: { scheme: a.scheme, id: a.id } });
  }
  return acl;
}

export function createRequest(path: string, body: z.infer<typeof CreateFields>): WriteRequest | ZkError {
  const data = bytesOf(body.data, body.encoding);
  if (!(data instanceof Uint8Array)) return data;
  const acl = aclOf(body.acl);
  if (!Array.isArray(acl)) return acl as ZkError;
  return {
    op: "create",
    path,
    data,
    acl,
    mode: body.mode,
    ...(body.ttlMs === undefined ? {} : { ttl: body.ttlMs }),
    ...(body.parents ? { parents: true } : {}),
  };
}

export function multiRequest(body: z.infer<typeof MultiBody>): WriteRequest | ZkError {
  const ops: MultiOp[] = [];
  for (const op of body.ops) {
    if (op.op === "create") {
      const { op: _op, path, ...fields } = op;
      const req = createRequest(path, fields);
      if ("code" in req) return req;
      ops.push(req as MultiOp);
    } else if (op.op === "set") {
      const data = bytesOf(op.data, op.encoding);
      if (!(data instanceof Uint8Array)) return data;
      ops.push({ op: "setData", path: op.path, data, version: op.version });
    } else ops.push(op);
  }
  return { op: "multi", ops };
}

const OP_NAMES: Record<OpResult["type"], string> = {
  create: "create",
  delete: "delete",
  setData: "set",
  setACL: "setACL",
  check: "check",
  error: "error",
  multi: "multi",
  createSession: "createSession",
  closeSession: "closeSession",
};

export function resultJson(r: OpResult): Record<string, unknown> {
  switch (r.type) {
    case "create":
    case "setData":
    case "setACL":
      return { op: OP_NAMES[r.type], path: r.path, stat: statJson(r.stat) };
    case "delete":
    case "check":
      return { op: r.type, path: r.path };
    default:
      return { op: OP_NAMES[r.type] };
  }
}

/** Each op's code in a failed multi, as ZooKeeper's multi reports them. */
export function multiFailure(
  results: readonly OpResult[],
  ops: readonly MultiOp[],
): ErrorJson["error"]["results"] {
  return results.map((r, i) => {
    const op = ops[i]?.op === "setData" ? "set" : (ops[i]?.op ?? "unknown");
    const code = r.type === "error" ? r.err : "Ok";
    return { op, code, zkCode: ErrCode[code], ...(ops[i] === undefined ? {} : { path: ops[i]!.path }) };
  });
}
