/**
 * The txn codec round-trips every txn the records allow, including ones prep would never make: the log
 * must give back exactly what the leader wrote, whatever it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrCode, type ErrName } from "../../../core/errors.ts";
import type { ACL, Txn, TxnBody } from "../../../core/records.ts";
import { decodeTxns, encodeTxns } from "../../../core/txn-codec.ts";

const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const text = fc.string({ unit: "binary", maxLength: 12 });
const path = fc.oneof(
  text,
  fc.array(text, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`),
);
const bytes = fc.uint8Array({ maxLength: 40 });
const acl: fc.Arbitrary<ACL[]> = fc.array(
  fc.record({ perms: fc.nat(31), id: fc.record({ scheme: text, id: text }) }),
  { maxLength: 3 },
);
const errName = fc.constantFrom(...(Object.keys(ErrCode) as ErrName[]));

const leafBody: fc.Arbitrary<TxnBody> = fc.oneof(
  fc.record({
    type: fc.constant("create" as const),
    path,
    data: bytes,
    acl,
    ephemeralOwner: fc.maxSafeNat(),
    container: fc.boolean(),
    ttl: fc.integer({ min: 0, max: 0xff_ffff_ffff }),
    parentCVersion: int32,
  }),
  fc.record({ type: fc.constant("delete" as const), path }),
  fc.record({ type: fc.constant("setData" as const), path, data: bytes, version: int32 }),
  fc.record({ type: fc.constant("setACL" as const), path, acl, version: int32 }),
  fc.record({ type: fc.constant("check" as const), path, version: int32 }),
  fc.record({ type: fc.constant("error" as const), err: errName }),
  fc.record({ type: fc.constant("createSession" as const), timeout: int32, password: bytes }),
  fc.record({ type: fc.constant("closeSession" as const), paths: fc.array(path, { maxLength: 4 }) }),
);

const body: fc.Arbitrary<TxnBody> = fc.oneof(
  { weight: 4, arbitrary: leafBody },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("multi" as const), txns: fc.array(leafBody, { maxLength: 5 }) }),
  },
);

const txn: fc.Arbitrary<Txn> = fc.record({
  sessionId: fc.maxSafeNat(),
  zxid: fc.maxSafeNat(),
  time: fc.maxSafeNat(),
  body,
});

describe("txn codec", () => {
  it("decodeTxns(encodeTxns(txns)) gives the txns back", () => {
    fc.assert(
      fc.property(fc.array(txn, { maxLength: 8 }), (txns) => {
        expect(decodeTxns(encodeTxns(txns))).toEqual(txns);
      }),
      { numRuns: 2000 },
    );
  });
});
