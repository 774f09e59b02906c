/**
 * fast-check generators of txns as the records allow them, including ones prep would never make, for
 * the properties that must hold for any txn (the codec round trip, apply never throwing).
 */
import fc from "fast-check";
import { ErrCode, type ErrName } from "../../../core/errors.ts";
import type { ACL, Txn, TxnBody } from "../../../core/records.ts";

export interface TxnParts {
  readonly path: fc.Arbitrary<string>;
  readonly acl: fc.Arbitrary<ACL[]>;
  readonly int: fc.Arbitrary<number>;
  readonly id: fc.Arbitrary<number>;
}

const bytes = fc.uint8Array({ maxLength: 40 });
const errName = fc.constantFrom(...(Object.keys(ErrCode) as ErrName[]));

export function txnBody(parts: TxnParts): fc.Arbitrary<TxnBody> {
  const { path, acl, int, id } = parts;
  const leaf: fc.Arbitrary<TxnBody> = fc.oneof(
    fc.record({
      type: fc.constant("create" as const),
      path,
      data: bytes,
      acl,
      ephemeralOwner: fc.oneof(fc.constant(0), id),
      container: fc.boolean(),
      ttl: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xff_ffff_ffff })),
      parentCVersion: int,
    }),
    fc.record({ type: fc.constant("delete" as const), path }),
    fc.record({ type: fc.constant("setData" as const), path, data: bytes, version: int }),
    fc.record({ type: fc.constant("setACL" as const), path, acl, version: int }),
    fc.record({ type: fc.constant("check" as const), path, version: int }),
    fc.record({ type: fc.constant("error" as const), err: errName }),
    fc.record({ type: fc.constant("createSession" as const), timeout: int, password: bytes }),
    fc.record({ type: fc.constant("closeSession" as const), paths: fc.array(path, { maxLength: 4 }) }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant("multi" as const), txns: fc.array(leaf, { maxLength: 5 }) }),
    },
  );
}

export function txn(parts: TxnParts): fc.Arbitrary<Txn> {
  return fc.record({
    sessionId: parts.id,
    zxid: fc.maxSafeNat(),
    time: fc.maxSafeNat(),
    body: txnBody(parts),
  });
}
