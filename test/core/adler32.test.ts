import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adler32 } from "../../core/adler32.ts";

describe("adler32", () => {
  it("is zlib's Adler-32", () => {
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(new TextEncoder().encode("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(100_000).fill(255))).toBe(0x149a302c);
  });

  it("goes on from the checksum of the bytes before, over any split", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(), fc.nat(), (bytes, x, y) => {
        const [i, j] = [x % (bytes.length + 1), y % (bytes.length + 1)].sort((a, b) => a - b);
        const chained = adler32(bytes, j, bytes.length, adler32(bytes, i, j, adler32(bytes, 0, i)));
        expect(chained).toBe(adler32(bytes));
      }),
    );
  });
});
