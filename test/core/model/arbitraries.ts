/**
 * fast-check generators of client write requests for the model-based properties.
 * A generated request is a spec, resolved against the model just before it runs, so that
 * "some node that exists now" or "the node's current version" can be asked for: collisions,
 * sequential children and version races come up often instead of by luck.
 */
import fc from "fast-check";
import {
  type ACL,
  type Caller,
  type CreateMode,
  type CreateOp,
  type Id,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  type SetACLOp,
  type WriteRequest,
} from "../../../core/records.ts";
import type { ZkModel } from "./index.ts";
import { childPath } from "./paths.ts";
import { CONTAINER_OWNER } from "./state.ts";

export type PathSpec =
  | { readonly kind: "fixed"; readonly path: string }
  | { readonly kind: "existing"; readonly pick: number }
  | { readonly kind: "under"; readonly pick: number; readonly name: string }
  /** a container or TTL node, for the reaper */
  | { readonly kind: "reapable"; readonly pick: number };

export type VersionSpec =
  | { readonly kind: "literal"; readonly version: number }
  | { readonly kind: "current"; readonly delta: number };

export type SessionSpec =
  | { readonly kind: "none" }
  | { readonly kind: "live"; readonly pick: number }
  | { readonly kind: "ever"; readonly pick: number };

export interface CallerSpec {
  readonly session: SessionSpec;
  readonly auth: readonly Id[];
}

interface CreateSpec {
  readonly op: "create";
  readonly path: PathSpec;
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  readonly mode: CreateMode;
  readonly ttl: number | undefined;
}

type OpSpec =
  | CreateSpec
  | { readonly op: "delete"; readonly path: PathSpec; readonly version: VersionSpec }
  | {
      readonly op: "setData";
      readonly path: PathSpec;
      readonly data: Uint8Array;
      readonly version: VersionSpec;
    }
  | {
      readonly op: "setACL";
      readonly path: PathSpec;
      readonly acl: readonly ACL[];
      readonly version: VersionSpec;
    }
  | { readonly op: "check"; readonly path: PathSpec; readonly version: VersionSpec };

type MultiOpSpec = Exclude<OpSpec, { op: "setACL" }>;

export type RequestSpec =
  | OpSpec
  | { readonly op: "multi"; readonly ops: readonly MultiOpSpec[] }
  | { readonly op: "createWithParents"; readonly create: CreateSpec }
  | { readonly op: "deleteAll"; readonly path: PathSpec }
  | { readonly op: "reap"; readonly path: PathSpec }
  | { readonly op: "createSession"; readonly timeout: number; readonly password: Uint8Array }
  | { readonly op: "closeSession" };

export interface CallSpec {
  readonly caller: CallerSpec;
  readonly request: RequestSpec;
}

export const ALICE: Id = { scheme: "digest", id: "alice:WXrwgBiJd7Ng5RWqyjO3Ht0zAvI=" };
const BOB: Id = { scheme: "digest", id: "bob:6Xr3s3Dl3cMN3Hk2Nr8mnDvhAgs=" };
export const SUPER: Id = { scheme: "super", id: "" };
export const NEAR: Id = { scheme: "ip", id: "10.0.0.1" };
const FAR: Id = { scheme: "ip", id: "192.168.7.9" };

const name = fc.constantFrom("a", "b");

/** Malformed or reserved paths, each breaking one of PathUtils' rules or DataTree's special paths. */
const oddPaths = fc.constantFrom(
  "",
  "a",
  "/a/",
  "//a",
  "/a//b",
  "/a/.",
  "/a/..",
  "/./a",
  "/a/\u0000",
  "/a\u0001",
  "/a\ud800",
  "/a\ufff5",
  "/",
  "/zookeeper",
  "/zookeeper/quota",
  "/zookeeper/x",
  "/a/.b",
  "/a/b..",
);

/** depth one and two mostly, so that requests keep meeting the same few nodes */
const fixedPath = fc.oneof(
  { weight: 3, arbitrary: fc.array(name, { minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.array(name, { minLength: 2, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(name, { minLength: 3, maxLength: 3 }) },
);

const existingPath = fc.nat(1000).map((pick): PathSpec => ({ kind: "existing", pick }));

const pathSpec: fc.Arbitrary<PathSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fixedPath.map((names) => ({ kind: "fixed" as const, path: `/${names.join("/")}` })),
  },
  { weight: 3, arbitrary: existingPath },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("under" as const), pick: fc.nat(1000), name }) },
  { weight: 1, arbitrary: oddPaths.map((path) => ({ kind: "fixed" as const, path })) },
);

const versionSpec: fc.Arbitrary<VersionSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "literal" as const, version: -1 }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("current" as const), delta: fc.constantFrom(0, 0, 1, -1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("literal" as const), version: fc.integer({ min: -3, max: 4 }) }),
  },
);

const acl: fc.Arbitrary<readonly ACL[]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(OPEN_ACL_UNSAFE) },
  { weight: 1, arbitrary: fc.constant(READ_ACL_UNSAFE) },
  { weight: 1, arbitrary: fc.constant([{ perms: Perms.ALL, id: ALICE }]) },
  { weight: 1, arbitrary: fc.constant([{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }]) },
  { weight: 1, arbitrary: fc.nat(31).map((perms) => [{ perms, id: { scheme: "world", id: "anyone" } }]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("10.0.0.1", "10.0.0.0/8", "10.0.0.0/31", "192.168.0.0/16", "0.0.0.0/0")
      .map((ip) => [{ perms: Perms.ALL, id: { scheme: "ip", id: ip } }, ...READ_ACL_UNSAFE]),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<readonly ACL[]>(
      [],
      [...OPEN_ACL_UNSAFE, ...OPEN_ACL_UNSAFE],
      [{ perms: Perms.ALL, id: { scheme: "bogus", id: "x" } }],
      [{ perms: Perms.ALL, id: { scheme: "digest", id: "nocolon" } }],
      [{ perms: Perms.ALL, id: { scheme: "world", id: "someone" } }],
      [{ perms: Perms.ALL, id: { scheme: "ip", id: "10.0.0.256" } }],
      [{ perms: Perms.ALL, id: { scheme: "ip", id: "10.0.0.0/33" } }],
      [{ perms: Perms.ALL, id: { scheme: "ip", id: "localhost" } }],
    ),
  },
);

const data = fc.uint8Array({ maxLength: 3 });

const mode = fc.oneof(
  { weight: 4, arbitrary: fc.constant<CreateMode>("persistent") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("ephemeral") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("persistent_sequential") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("ephemeral_sequential") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("container") },
  { weight: 1, arbitrary: fc.constant<CreateMode>("persistent_ttl") },
  { weight: 1, arbitrary: fc.constant<CreateMode>("persistent_sequential_ttl") },
);

const ttl = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 8000 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 0, -1, 0xff_ffff_ffff, 0x100_0000_0000) },
);

/** a ttl goes with the TTL modes, and now and then (BadArguments) with another */
const createSpec: fc.Arbitrary<CreateSpec> = fc
  .record({ path: pathSpec, data, acl, mode, ttl, strayTtl: fc.boolean() })
  .map(({ mode, ttl, strayTtl, ...rest }) => ({
    op: "create" as const,
    mode,
    ttl: mode.endsWith("_ttl") || (strayTtl && ttl === 0) ? ttl : undefined,
    ...rest,
  }));

const multiOpSpec: fc.Arbitrary<MultiOpSpec> = fc.oneof(
  { weight: 4, arbitrary: createSpec },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("delete" as const), path: pathSpec, version: versionSpec }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("setData" as const), path: pathSpec, data, version: versionSpec }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("check" as const), path: pathSpec, version: versionSpec }),
  },
);

const setAclSpec = fc.record({
  op: fc.constant("setACL" as const),
  path: pathSpec,
  acl,
  version: versionSpec,
});

export const requestSpec: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 12, arbitrary: multiOpSpec },
  { weight: 1, arbitrary: setAclSpec },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("multi" as const),
      ops: fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 6, arbitrary: fc.array(multiOpSpec, { minLength: 1, maxLength: 4 }) },
      ),
    }),
  },
  { weight: 1, arbitrary: createSpec.map((create) => ({ op: "createWithParents" as const, create })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("deleteAll" as const), path: pathSpec }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("reap" as const),
      path: fc.oneof(
        fc.nat(1000).map((pick): PathSpec => ({ kind: "reapable", pick })),
        pathSpec,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("createSession" as const),
      timeout: fc.integer({ min: 4000, max: 40_000 }),
      password: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "closeSession" as const }) },
);

const sessionSpec: fc.Arbitrary<SessionSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("live" as const), pick: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("ever" as const), pick: fc.nat(100) }) },
);

const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<readonly Id[]>([]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<readonly Id[]>(
      [ALICE],
      [BOB],
      [ALICE, BOB],
      [NEAR],
      [FAR, ALICE],
      [SUPER, BOB],
    ),
  },
);

export const callSpec: fc.Arbitrary<CallSpec> = fc.record({
  caller: fc.record({ session: sessionSpec, auth }),
  request: requestSpec,
});

/**
 * What the leader does next. It preps requests as they arrive while earlier txns are still being
 * committed, so preps and commits interleave; now and then it loses leadership and abandons
 * (Preparer.reset) whatever it prepped but had not applied.
 */
export type MoveSpec =
  | { readonly move: "prep"; readonly call: CallSpec }
  /** apply the oldest `count` prepped txns, releasing each as it is applied or the group after the last */
  | { readonly move: "commit"; readonly count: number; readonly releaseEach: boolean }
  | { readonly move: "abandon" };

export const moveSpec: fc.Arbitrary<MoveSpec> = fc.oneof(
  { weight: 12, arbitrary: callSpec.map((call) => ({ move: "prep" as const, call })) },
  {
    weight: 6,
    arbitrary: fc.record({
      move: fc.constant("commit" as const),
      count: fc.integer({ min: 1, max: 4 }),
      releaseEach: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ move: "abandon" as const }) },
);

/** A run: sessions opened first (so that ephemerals and closes have owners), then the moves. */
export interface ScenarioSpec {
  readonly sessions: number;
  readonly moves: readonly MoveSpec[];
}

export function scenarioSpec(maxMoves: number): fc.Arbitrary<ScenarioSpec> {
  return fc.record({
    sessions: fc.integer({ min: 0, max: 3 }),
    moves: fc.array(moveSpec, { minLength: 1, maxLength: maxMoves }),
  });
}

/** Turns specs into concrete requests, looking at the model as it is now. */
export class Resolver {
  /**
   * @param everSessions every session id ever handed out, closed ones included, so that
   * SessionExpired comes up; shared with forks
   */
  constructor(
    readonly model: ZkModel,
    readonly everSessions: number[] = [],
  ) {}

  noteSession(sessionId: number): void {
    this.everSessions.push(sessionId);
  }

  caller(spec: CallerSpec): Caller {
    const live = this.model.sessions().map((s) => s.sessionId);
    let sessionId = 0;
    if (spec.session.kind === "live" && live.length > 0) sessionId = live[spec.session.pick % live.length]!;
    if (spec.session.kind === "ever" && this.everSessions.length > 0) {
      sessionId = this.everSessions[spec.session.pick % this.everSessions.length]!;
    }
    return { sessionId, auth: spec.auth };
  }

  /**
   * "existing" picks among the clients' nodes (the root only when there are none), "under" names a child
   * of one of them or of the root; oddPaths covers /zookeeper and the root as targets
   */
  path(spec: PathSpec): string {
    if (spec.kind === "fixed") return spec.path;
    const clients = this.model.paths().filter((p) => p !== "/" && !p.startsWith("/zookeeper"));
    if (spec.kind === "reapable") {
      const marked = clients.filter((p) => this.model.persistedOwner(p)! >= CONTAINER_OWNER);
      return marked.length === 0 ? "/a" : marked[spec.pick % marked.length]!;
    }
    const candidates = spec.kind === "under" || clients.length === 0 ? ["/", ...clients] : clients;
    const picked = candidates[spec.pick % candidates.length]!;
    return spec.kind === "existing" ? picked : childPath(picked, spec.name);
  }

  version(spec: VersionSpec, path: string, field: "version" | "aversion"): number {
    if (spec.kind === "literal") return spec.version;
    return (this.model.stat(path)?.[field] ?? 0) + spec.delta;
  }

  op(spec: CreateSpec): CreateOp;
  op(spec: MultiOpSpec): MultiOp;
  op(spec: OpSpec): MultiOp | SetACLOp;
  op(spec: OpSpec): MultiOp | SetACLOp {
    const path = this.path(spec.path);
    switch (spec.op) {
      case "create": {
        const { data, acl, mode, ttl } = spec;
        const create = { op: "create" as const, path, data, acl, mode };
        return ttl === undefined ? create : { ...create, ttl };
      }
      case "delete":
        return { op: "delete", path, version: this.version(spec.version, path, "version") };
      case "setData":
        return { op: "setData", path, data: spec.data, version: this.version(spec.version, path, "version") };
      case "setACL":
        return { op: "setACL", path, acl: spec.acl, version: this.version(spec.version, path, "aversion") };
      case "check":
        return { op: "check", path, version: this.version(spec.version, path, "version") };
    }
  }

  request(spec: RequestSpec): WriteRequest {
    switch (spec.op) {
      case "multi":
        return { op: "multi", ops: spec.ops.map((op) => this.op(op)) };
      case "createWithParents":
        return { ...this.op(spec.create), parents: true };
      case "deleteAll":
        return { op: "deleteAll", path: this.path(spec.path) };
      case "reap":
        return { op: "reap", path: this.path(spec.path) };
      case "createSession":
        return { op: "createSession", timeout: spec.timeout, password: spec.password };
      case "closeSession":
        return { op: "closeSession" };
      default:
        return this.op(spec);
    }
  }
}
