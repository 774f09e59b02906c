/**
 * Service discovery as Curator's recipe (shared/API.md): each instance an ephemeral znode of the
 * registering session at /services/{name}/{id}, under container nodes as Curator's
 * creatingParentContainersIfNeeded makes them. A container may be reaped between creating it and
 * creating the instance under it, so registration retries that race a few times.
 */
import { z } from "@hono/zod-openapi";
import { isZkError, type ZkError } from "../../core/errors.ts";
import type { ErrorJson, NzkApi, RequestContext } from "../../member/index.ts";
import { badArguments, isErrorJson, respond } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { serviceInstance } from "../service-instance.ts";
import { type RouteContext, validZnode } from "./context.ts";

const ROOT = "/services";
const tags = ["services"];

const Port = z.number().int().min(0).max(65535);
const InstanceBody = z
  .strictObject({
    address: z.string().min(1).max(1024),
    port: Port.optional(),
    sslPort: Port.optional(),
    payload: z.record(z.string(), z.unknown()).nullable().optional(),
    uriSpec: z.string().max(4096).optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("ServiceInstanceRequest");
const Instance = z.record(z.string(), z.unknown()).openapi("ServiceInstance");
const NameParam = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });
const InstanceParams = NameParam.extend({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

export function serviceRoutes({ app, backend: { api }, options }: RouteContext): void {
  route(
    app,
    options,
    {
      method: "put",
      path: "/v1/services/{name}/{id}",
      summary: "register an instance (needs a session; its znode is ephemeral)",
      tags,
      params: InstanceParams,
      body: InstanceBody,
      responses: { 200: json(Instance, "the instance as written"), ...errorResponses },
    },
    async ({ params, body, ctx, c }) => {
      const path = instancePath(params.name, params.id);
      if (isZkError(path)) return path;
      if (ctx.token === undefined) return badArguments("registering an instance needs an Nzk-Session", path);
      const instance = serviceInstance(params.name!, params.id!, body, Date.now());
      const failed = await register(api, ctx, path, JSON.stringify(instance));
      return failed === undefined ? c.json(instance) : respond(failed);
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/services",
      summary: "the names of the registered services",
      tags,
      responses: { 200: json(z.object({ services: z.array(z.string()) }), "names"), ...errorResponses },
    },
    async ({ ctx, c }) => {
      const got = await api.children(ctx, ROOT);
      if (isErrorJson(got)) return got.error.code === "NoNode" ? c.json({ services: [] }) : respond(got);
      return c.json({ services: got.children });
    },
  );

  route(
    app,
    options,
    {
      method: "get",
      path: "/v1/services/{name}",
      summary: "the instances of a service (ones that do not parse are left out, unlike Curator)",
      tags,
      params: NameParam,
      responses: { 200: json(z.object({ instances: z.array(Instance) }), "instances"), ...errorResponses },
    },
    async ({ params, ctx, c }) => {
      const path = servicePath(params.name);
      if (isZkError(path)) return path;
      const got = await api.children(ctx, path, { data: true, encoding: "utf8" });
      if (isErrorJson(got)) return got.error.code === "NoNode" ? c.json({ instances: [] }) : respond(got);
      const instances = (got.children as { data: string; encoding: string }[]).flatMap((child) => {
        if (child.encoding !== "utf8") return [];
        try {
          return [JSON.parse(child.data) as unknown];
        } catch {
          return [];
        }
      });
      return c.json({ instances });
    },
  );

  route(
    app,
    options,
    {
      method: "delete",
      path: "/v1/services/{name}/{id}",
      summary: "deregister an instance",
      tags,
      params: InstanceParams,
      responses: { 204: { description: "deregistered" }, ...errorResponses },
    },
    async ({ params, ctx }) => {
      const path = instancePath(params.name, params.id);
      if (isZkError(path)) return path;
      const done = await api.delete(ctx, path, { version: -1 });
      return isErrorJson(done) ? respond(done) : new Response(null, { status: 204 });
    },
  );
}

async function register(
  api: NzkApi,
  ctx: RequestContext,
  path: string,
  data: string,
): Promise<ErrorJson | undefined> {
  const service = path.slice(0, path.lastIndexOf("/"));
  let failed: ErrorJson | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const container of [ROOT, service]) {
      const made = await api.create(ctx, container, { mode: "container" });
      if (isErrorJson(made) && made.error.code !== "NodeExists") return made;
    }
    const made = await api.create(ctx, path, { data, mode: "ephemeral" });
    if (!isErrorJson(made)) return undefined;
    failed = made;
    // Curator re-registers by replacing the old node; setData keeps the znode the session owns.
    if (made.error.code === "NodeExists") {
      const set = await api.set(ctx, path, { data, version: -1 });
      return isErrorJson(set) ? set : undefined;
    }
    if (made.error.code !== "NoNode") return made;
  }
  return failed;
}

function servicePath(name: string | undefined): string | ZkError {
  if (name === undefined || name.includes("/")) return badArguments(`bad service name ${name}`);
  const path = `${ROOT}/${name}`;
  return validZnode(path) ?? path;
}

function instancePath(name: string | undefined, id: string | undefined): string | ZkError {
  const service = servicePath(name);
  if (isZkError(service)) return service;
  if (id === undefined || id.includes("/")) return badArguments(`bad instance id ${id}`);
  const path = `${service}/${id}`;
  return validZnode(path) ?? path;
}
