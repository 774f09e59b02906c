import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../../core/wire/frame.ts";

function framed(payloads: Uint8Array[]): Uint8Array {
  const total = payloads.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of payloads) {
    view.setInt32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

describe("FrameDecoder", () => {
  it("yields the same frames however the stream is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const stream = framed(payloads);
          const d = new FrameDecoder(100);
          const got: number[][] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            d.push(stream.subarray(at, at + n));
            at += n;
            for (let f = d.next(); f !== undefined; f = d.next()) got.push([...f]);
          }
          expect(got).toEqual(payloads.map((p) => [...p]));
          expect(d.buffered).toBe(0);
          expect(d.error).toBeUndefined();
        },
      ),
    );
  });

  it("peeks the first int without consuming it, for four-letter words", () => {
    const d = new FrameDecoder(100);
    d.push(new TextEncoder().encode("ru"));
    expect(d.peekInt()).toBeUndefined();
    d.push(new TextEncoder().encode("ok"));
    expect(d.peekInt()).toBe(0x72756f6b);
    expect(d.buffered).toBe(4);
  });

  it("fails on a length above the limit or below zero, and yields nothing after", () => {
    for (const length of [101, -1, 0x7fffffff]) {
      const d = new FrameDecoder(100);
      const head = new Uint8Array(8);
      new DataView(head.buffer).setInt32(0, length);
      d.push(head);
      expect(d.next()).toBeUndefined();
      expect(d.error?.code).toBe("MarshallingError");
      d.push(framed([new Uint8Array([1])]));
      expect(d.next()).toBeUndefined();
    }
    const exact = new FrameDecoder(3);
    exact.push(framed([new Uint8Array([1, 2, 3])]));
    expect(exact.next()).toEqual(new Uint8Array([1, 2, 3]));
  });
});
