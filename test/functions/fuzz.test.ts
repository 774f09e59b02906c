/**
 * Random bytes, random JSON and near-miss bodies, paths, queries and headers at every route: no
 * answer is a 500, every 5xx is a JSON ZooKeeper error (ConnectionLoss and kin), and a request that
 * fails changes no znode.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinPath } from "../../core/paths.ts";
import type { TreeView } from "../../core/tree-view.ts";
import { type Api, startApi } from "./harness.ts";

let api: Api;
let token = "";
let sessionId = "";
beforeAll(async () => {
  api = await startApi({ maxDataBytes: 4096 });
  await api.call("POST", "/v1/znodes/f/a/b", { data: "seed", parents: true });
  const s = (await api.call("POST", "/v1/sessions", { timeoutMs: 40_000 })).body;
  token = s.token;
  sessionId = s.sessionId;
});
afterAll(async () => {
  await api?.[Symbol.asyncDispose]();
});

/** Every znode's Stat, data and ACL: what a failed request must leave alone. */
function digest(tree: TreeView): string {
  const out: string[] = [];
  const stack = ["/"];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const stat = tree.stat(path);
    out.push(
      JSON.stringify([
        path,
        { ...stat, ephemeralOwner: String(stat?.ephemeralOwner) },
        [...(tree.data(path) ?? [])],
        tree.acl(path),
      ]),
    );
    for (const name of (tree.childNames(path) ?? []).sort()) stack.push(joinPath(path, name));
  }
  return out.join("\n");
}

const ROUTES: [string, string][] = [
  ["POST", "/v1/znodes/"],
  ["GET", "/v1/znodes/"],
  ["HEAD", "/v1/znodes/"],
  ["PUT", "/v1/znodes/"],
  ["DELETE", "/v1/znodes/"],
  ["GET", "/v1/stat/"],
  ["GET", "/v1/children/"],
  ["GET", "/v1/acl/"],
  ["PUT", "/v1/acl/"],
  ["POST", "/v1/multi"],
  ["POST", "/v1/sync/"],
  ["POST", "/v1/sessions"],
  ["POST", "/v1/sessions/{id}/keepalive"],
  ["GET", "/v1/sessions/{id}"],
  ["DELETE", "/v1/sessions/{id}"],
  ["POST", "/v1/sessions/{id}/auth"],
  ["GET", "/v1/watch/"],
  ["GET", "/v1/events/"],
  ["PUT", "/v1/services/"],
  ["GET", "/v1/services/"],
  ["DELETE", "/v1/services/"],
  ["GET", "/v1/status"],
  ["GET", "/commands/"],
  ["GET", "/metrics"],
  ["PATCH", "/v1/znodes/"],
];

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const segment = fc.oneof(
  fc.constantFrom(
    "f",
    "a",
    "b",
    "zookeeper",
    "quota",
    "%zz",
    "%",
    "%00",
    "%2F",
    "%2e",
    "x%20y",
    "",
    "services",
    "q",
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: "binary", maxLength: 8 }).map((s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}$/, "%")),
);
const path = fc.array(segment, { maxLength: 4 }).map((s) => s.join("/"));
const queryValue = fc.oneof(
  fc.constantFrom(
    "true",
    "false",
    "-1",
    "0",
    "1",
    "2147483648",
    "-2",
    "0x1",
    "0xzz",
    "base64",
    "utf8",
    "data",
    "children",
    "exists",
    "",
  ),
  printable.map(encodeURIComponent),
);
const queryKey = fc.constantFrom(
  "version",
  "recursive",
  "sync",
  "encoding",
  "data",
  "limit",
  "after",
  "type",
  "zxid",
  "timeoutMs",
  "since",
  "x",
);
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }).map((pairs) =>
  pairs
    .filter(([k]) => k !== "timeoutMs")
    .map(([k, v]) => `${k}=${v}`)
    .join("&"),
);

const field = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.constantFrom("ephemeral", "container", "base64", "cdrwa", "@@", "world", "digest"),
);
const nearMiss = fc.dictionary(
  fc.constantFrom(
    "data",
    "encoding",
    "mode",
    "ttlMs",
    "acl",
    "parents",
    "version",
    "ops",
    "timeoutMs",
    "scheme",
    "credentials",
    "address",
    "port",
    "payload",
    "op",
    "path",
    "verison",
  ),
  field,
  { maxKeys: 5 },
);
const aclish = fc.record({
  acl: fc.array(
    fc.record({
      scheme: fc.string({ maxLength: 6 }),
      id: fc.string({ maxLength: 10 }),
      perms: fc.string({ maxLength: 6 }),
    }),
    { maxLength: 3 },
  ),
});
const opsish = fc.record({
  ops: fc.array(
    fc.record(
      {
        op: fc.constantFrom("create", "delete", "set", "check", "nope"),
        path: fc.constantFrom("/f", "/f/a", "/nope", "bad", "/f/"),
        version: fc.integer({ min: -3, max: 3 }),
      },
      { requiredKeys: ["op"] },
    ),
    { maxLength: 3 },
  ),
});
const valid = fc.record(
  {
    data: fc.string({ maxLength: 10 }),
    mode: fc.constantFrom("persistent", "ephemeral", "persistent_sequential", "container", "persistent_ttl"),
    version: fc.integer({ min: -1, max: 2 }),
    parents: fc.boolean(),
    timeoutMs: fc.integer({ min: 1, max: 100_000 }),
    ttlMs: fc.integer({ min: 1, max: 100_000 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  valid.map((v) => JSON.stringify(v)),
  fc.constant<string | Uint8Array | undefined>(undefined),
  fc.uint8Array({ maxLength: 64 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  nearMiss.map((v) => JSON.stringify(v)),
  aclish.map((v) => JSON.stringify(v)),
  opsish.map((v) => JSON.stringify(v)),
  fc.constantFrom("{", "[", '{"data":', "null", '"x"', "1e999", `{"data":"${"x".repeat(6000)}"}`),
);
const someHeaders = fc.record(
  {
    "Nzk-Session": fc.oneof(printable, fc.constant("VALID"), fc.constant("0x1.AAAA")),
    Authorization: fc.oneof(
      printable,
      printable.map((s) => `Basic ${btoa(s)}`),
      fc.constant("Basic !!!"),
    ),
    "If-Match": fc.oneof(printable, fc.constantFrom('"0"', '"-1"', "*", '"x"', '"99999999999"')),
    "Last-Event-ID": fc.oneof(printable, fc.constant("0x0")),
    "Content-Type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
    ),
  },
  { requiredKeys: [] },
);
/** mostly none, so that requests reach past the header checks */
const headers = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.constant({ "Nzk-Session": "VALID" }) },
  { weight: 2, arbitrary: someHeaders },
);

describe("fuzzing every route", () => {
  it("never answers 500, and a failed request changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        path,
        query,
        body,
        headers,
        async ([method, template], p, q, b, h) => {
          const url = `${template.replace("{id}", sessionId)}${template.endsWith("/") ? p : ""}?${
            template === "/v1/watch/" ? "timeoutMs=1&" : ""
          }${q}`;
          const sent: Record<string, string> = { ...h };
          if (sent["Nzk-Session"] === "VALID") sent["Nzk-Session"] = token;
          const before = digest(api.running.member.replica.tree);
          const abort = new AbortController();
          const res = await api.app.request(url, {
            method,
            headers: sent,
            ...(b === undefined || method === "GET" || method === "HEAD" ? {} : { body: b as BodyInit }),
            signal: abort.signal,
          });
          const text = res.headers.get("content-type")?.startsWith("text/event-stream")
            ? ""
            : await res.text();
          abort.abort();
          expect(res.status, `${method} ${url}`).not.toBe(500);
          if (res.status >= 500)
            expect(JSON.parse(text).error.code, `${method} ${url}`).toMatch(
              /^(ConnectionLoss|OperationTimeout|Unimplemented|SystemError)$/,
            );
          if (res.status >= 400 && method !== "HEAD") {
            expect(JSON.parse(text).error.zkCode, `${method} ${url}: ${text}`).toBeLessThan(0);
            expect(
              digest(api.running.member.replica.tree),
              `${method} ${url} failed but changed the tree`,
            ).toBe(before);
          }
        },
      ),
      { numRuns: 1500 },
    );
  }, 240_000);
});
