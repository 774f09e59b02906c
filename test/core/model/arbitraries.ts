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

export type PathSpec =
  | { readonly kind: "fixed"; readonly path: string }
  | { readonly kind: "existing"; readonly pick: number }
  | { readonly kind: "under"; readonly pick: number; readonly name: string };

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

type OpSpec =
  | {
      readonly op: "create";
      readonly path: PathSpec;
      readonly data: Uint8Array;
      readonly acl: readonly ACL[];
      readonly mode: CreateMode;
      readonly ttl: number | undefined;
    }
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
  | { readonly op: "deleteAll"; readonly path: PathSpec }
  | { readonly op: "createSession"; readonly timeout: number; readonly password: Uint8Array }
  | { readonly op: "closeSession" };

export interface CallSpec {
  readonly caller: CallerSpec;
  readonly request: RequestSpec;
}

const ALICE: Id = { scheme: "digest", id: "alice:WXrwgBiJd7Ng5RWqyjO3Ht0zAvI=" };
const BOB: Id = { scheme: "digest", id: "bob:6Xr3s3Dl3cMN3Hk2Nr8mnDvhAgs=" };

const name = fc.constantFrom("a", "b", "c");

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

const pathSpec: fc.Arbitrary<PathSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(name, { minLength: 1, maxLength: 3 })
      .map((names) => ({ kind: "fixed" as const, path: `/${names.join("/")}` })),
  },
  { weight: 3, arbitrary: fc.nat(1000).map((pick) => ({ kind: "existing" as const, pick })) },
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
    arbitrary: fc.constantFrom<readonly ACL[]>(
      [],
      [...OPEN_ACL_UNSAFE, ...OPEN_ACL_UNSAFE],
      [{ perms: Perms.ALL, id: { scheme: "bogus", id: "x" } }],
      [{ perms: Perms.ALL, id: { scheme: "digest", id: "nocolon" } }],
      [{ perms: Perms.ALL, id: { scheme: "world", id: "someone" } }],
    ),
  },
);

const data = fc.uint8Array({ maxLength: 3 });

const mode = fc.oneof(
  { weight: 4, arbitrary: fc.constant<CreateMode>("persistent") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("ephemeral") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("persistent_sequential") },
  { weight: 2, arbitrary: fc.constant<CreateMode>("ephemeral_sequential") },
  {
    weight: 1,
    arbitrary: fc.constantFrom<CreateMode>("container", "persistent_ttl", "persistent_sequential_ttl"),
  },
);

const ttl = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 0, -1, 0xff_ffff_ffff, 0x100_0000_0000) },
);

const createSpec = fc.record({ path: pathSpec, data, acl, mode, ttl }).map(({ mode, ttl, ...rest }) => ({
  op: "create" as const,
  mode,
  ttl: mode.endsWith("_ttl") ? ttl : undefined,
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
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("multi" as const), ops: fc.array(multiOpSpec, { maxLength: 4 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("deleteAll" as const), path: pathSpec }) },
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
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("live" as const), pick: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("ever" as const), pick: fc.nat(100) }) },
);

const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<readonly Id[]>([]) },
  { weight: 1, arbitrary: fc.constantFrom<readonly Id[]>([ALICE], [BOB], [ALICE, BOB]) },
);

export const callSpec: fc.Arbitrary<CallSpec> = fc.record({
  caller: fc.record({ session: sessionSpec, auth }),
  request: requestSpec,
});

/** How the leader feeds a batch: prepped together then applied in order, or prepped then thrown away. */
export interface BatchSpec {
  readonly fate: "applied" | "abandoned";
  /** release each txn as it is applied, or the whole batch after the last */
  readonly releaseEach: boolean;
  readonly calls: readonly CallSpec[];
}

export const batchSpec: fc.Arbitrary<BatchSpec> = fc.record({
  fate: fc.oneof(
    { weight: 9, arbitrary: fc.constant("applied" as const) },
    { weight: 1, arbitrary: fc.constant("abandoned" as const) },
  ),
  releaseEach: fc.boolean(),
  calls: fc.oneof(
    { weight: 3, arbitrary: fc.array(callSpec, { minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.array(callSpec, { minLength: 2, maxLength: 5 }) },
  ),
});

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

  /** a resolver for a scratch copy of the model, for requests that will be abandoned */
  fork(model: ZkModel): Resolver {
    return new Resolver(model, this.everSessions);
  }

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

  path(spec: PathSpec): string {
    if (spec.kind === "fixed") return spec.path;
    const paths = this.model.paths();
    const picked = paths[spec.pick % paths.length]!;
    return spec.kind === "existing" ? picked : childPath(picked, spec.name);
  }

  version(spec: VersionSpec, path: string, field: "version" | "aversion"): number {
    if (spec.kind === "literal") return spec.version;
    return (this.model.stat(path)?.[field] ?? 0) + spec.delta;
  }

  op(spec: MultiOpSpec): MultiOp;
  op(spec: OpSpec): MultiOp | SetACLOp;
  op(spec: OpSpec): MultiOp | SetACLOp {
    const path = this.path(spec.path);
    switch (spec.op) {
      case "create":
        return spec.ttl === undefined
          ? { op: "create", path, data: spec.data, acl: spec.acl, mode: spec.mode }
          : { op: "create", path, data: spec.data, acl: spec.acl, mode: spec.mode, ttl: spec.ttl };
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
      case "deleteAll":
        return { op: "deleteAll", path: this.path(spec.path) };
      case "createSession":
        return { op: "createSession", timeout: spec.timeout, password: spec.password };
      case "closeSession":
        return { op: "closeSession" };
      default:
        return this.op(spec);
    }
  }
}
