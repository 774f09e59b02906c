/**
 * What every route module receives, and the small mappings they share: path validation (the URL's
 * path is judged exactly as ZooKeeper's PathUtils), `?sync=true`, and ETag / If-Match versions.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ZkError } from "../../core/errors.ts";
import { validatePath } from "../../core/paths.ts";
import type { ReadOptions } from "../../member/index.ts";
import type { Backend } from "../backend.ts";
import { badArguments } from "../errors.ts";
import type { AppEnv, RouteOptions } from "../route.ts";

export interface RouteContext {
  readonly app: OpenAPIHono<AppEnv>;
  readonly backend: Backend;
  readonly options: RouteOptions;
}

/** the path, or BadArguments with ZooKeeper's message */
export function validZnode(path: string, sequential = false): ZkError | undefined {
  return validatePath(path, sequential);
}

export function readOptions(query: {
  sync?: "true" | "false" | undefined;
  encoding?: "utf8" | "base64" | undefined;
}): ReadOptions {
  return {
    sync: query.sync === "true",
    ...(query.encoding === undefined ? {} : { encoding: query.encoding }),
  };
}

/** ETag: "<version>" of a reply carrying a Stat */
export function etagOf(reply: unknown): Record<string, string> {
  const version = (reply as { stat?: { version?: unknown } }).stat?.version;
  return typeof version === "number" ? { ETag: `"${version}"` } : {};
}

export const znodeUrl = (path: string): string =>
  `/v1/znodes${path === "/" ? "/" : path.split("/").map(encodeURIComponent).join("/")}`;

/**
 * The version a write is conditional on: the body's (or query's) version, or If-Match's `"N"`; -1 when
 * neither is given. Both at once must agree, since a client sending two different ones has a bug.
 */
export function versionOf(given: number | undefined, ifMatch: string | undefined): number | ZkError {
  if (ifMatch === undefined || ifMatch.trim() === "*") return given ?? -1;
  const match = /^\s*(?:W\/)?"(-?[0-9]{1,10})"\s*$/.exec(ifMatch);
  const version = match === null ? Number.NaN : Number(match[1]);
  if (!Number.isInteger(version) || version < -1 || version > 2147483647)
    return badArguments(`If-Match must be "<version>", got ${ifMatch}`);
  if (given !== undefined && given !== version)
    return badArguments(`If-Match "${version}" disagrees with version ${given}`);
  return version;
}
