/**
 * Service discovery as Curator's recipe (shared/API.md): each instance an ephemeral znode of the
 * registering session at /services/{name}/{id}, under container nodes as Curator's
 * creatingParentContainersIfNeeded makes them. A container may be reaped between creating it and
 * creating the instance under it, so registration retries that race a few times.
 */
import { z } from "@hono/zod-openapi";
import { isZkError, type ZkError } from "../../core/errors.ts";
import { OPEN_ACL_UNSAFE } from "../../core/records.ts";
import type { Backend, Who } from "../backend.ts";
import { badArguments } from "../errors.ts";
import { route } from "../route.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { serviceInstance } from "../service-instance.ts";
import { type RouteContext, validZnode } from "./context.ts";

const ROOT = "/services";
const tags = ["services"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

export function serviceRoutes({ app, backend, options }: RouteContext): void {
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
    async ({ params, body, who, c }) => {
      const path = instancePath(params.name, params.id);
      if (isZkError(path)) return path;
      if (who.session === undefined)
        return badArguments("registering an instance needs an Nzk-Session", path);
      const instance = serviceInstance(params.name!, params.id!, body, Date.now());
      const data = encoder.encode(JSON.stringify(instance));
      const done = await register(backend, who, path, data);
      if (isZkError(done)) return done;
      return c.json(instance);
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
    async ({ who, c }) => {
      const got = await backend.getChildren(who, ROOT);
      if (isZkError(got)) return got.code === "NoNode" ? c.json({ services: [] }) : got;
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
    async ({ params, who, c }) => {
      const path = servicePath(params.name);
      if (isZkError(path)) return path;
      const got = await backend.getChildrenData(who, path);
      if (isZkError(got)) return got.code === "NoNode" ? c.json({ instances: [] }) : got;
      const instances = got.children.flatMap((child) => {
        try {
          return [JSON.parse(decoder.decode(child.data)) as unknown];
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
    async ({ params, who, c }) => {
      const path = instancePath(params.name, params.id);
      if (isZkError(path)) return path;
      const done = await backend.delete(who, path, -1, false);
      if (isZkError(done)) return done;
      return c.body(null, 204);
    },
  );
}

async function register(
  backend: Backend,
  who: Who,
  path: string,
  data: Uint8Array,
): Promise<undefined | ZkError> {
  const service = path.slice(0, path.lastIndexOf("/"));
  let outcome: undefined | ZkError;
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const container of [ROOT, service]) {
      const made = await backend.create(who, {
        op: "create",
        path: container,
        data: new Uint8Array(),
        acl: OPEN_ACL_UNSAFE,
        mode: "container",
      });
      if (isZkError(made) && made.code !== "NodeExists") return made;
    }
    const made = await backend.create(who, {
      op: "create",
      path,
      data,
      acl: OPEN_ACL_UNSAFE,
      mode: "ephemeral",
    });
    if (!isZkError(made)) return undefined;
    outcome = made;
    // Curator re-registers by replacing the old node; here setData keeps the znode the session owns.
    if (made.code === "NodeExists") {
      const set = await backend.setData(who, path, data, -1);
      return isZkError(set) ? set : undefined;
    }
    if (made.code !== "NoNode") return made;
  }
  return outcome;
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
