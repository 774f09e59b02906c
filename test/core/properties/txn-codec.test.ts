/**
 * The txn codec round-trips every txn the records allow, including ones prep would never make: the log
 * must give back exactly what the leader wrote, whatever it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTxns, encodeTxns } from "../../../core/txn-codec.ts";
import { txn } from "../model/txn-arbitraries.ts";

/** any Unicode text, astral planes included (a lone surrogate is not text and no path may hold one) */
const text = fc.string({ unit: "binary", maxLength: 12 });

const anyTxn = txn({
  path: fc.oneof(
    text,
    fc.array(text, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`),
  ),
  acl: fc.array(fc.record({ perms: fc.nat(31), id: fc.record({ scheme: text, id: text }) }), {
    maxLength: 3,
  }),
  int: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  id: fc.maxSafeNat(),
});

describe("txn codec", () => {
  it("decodeTxns(encodeTxns(txns)) gives the txns back", () => {
    fc.assert(
      fc.property(fc.array(anyTxn, { maxLength: 8 }), (txns) => {
        expect(decodeTxns(encodeTxns(txns))).toEqual(txns);
      }),
      { numRuns: 2000 },
    );
  });
});
