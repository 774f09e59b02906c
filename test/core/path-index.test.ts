import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathIndex, pathHash } from "../../core/path-index.ts";

/** a store-like path column, freed slots reused, checked against a Map after every step */
class Model {
  readonly paths: string[] = [];
  readonly free: number[] = [];
  readonly map = new Map<string, number>();
  readonly index: PathIndex;
  constructor(seed: number) {
    this.index = new PathIndex(this.paths, seed);
  }
  add(path: string): void {
    const slot = this.free.length > 0 ? this.free[this.free.length - 1]! : this.paths.length;
    const existing = this.index.add(path, slot);
    expect(existing).toBe(this.map.get(path) ?? -1);
    if (existing >= 0) return;
    if (this.free.length > 0) this.paths[this.free.pop()!] = path;
    else this.paths.push(path);
    this.map.set(path, slot);
  }
  delete(path: string): void {
    expect(this.index.delete(path)).toBe(this.map.has(path));
    const slot = this.map.get(path);
    if (slot === undefined) return;
    this.map.delete(path);
    this.paths[slot] = "";
    this.free.push(slot);
  }
  check(): void {
    expect(this.index.size).toBe(this.map.size);
    for (const [path, slot] of this.map) expect(this.index.get(path)).toBe(slot);
  }
}

describe("PathIndex", () => {
  it("agrees with a Map through any sequence of adds and deletes, across resizes", () => {
    // few distinct paths, so adds of present paths and deletes of absent ones are frequent
    const path = fc.integer({ min: 0, max: 3000 }).map((i) => `/p/${i}`);
    const step = fc.oneof(
      fc.record({ add: fc.constant(true), path }),
      fc.record({ add: fc.constant(false), path }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.array(step, { maxLength: 4000 }), (seed, steps) => {
        const m = new Model(seed);
        for (const s of steps) {
          if (s.add) m.add(s.path);
          else m.delete(s.path);
        }
        m.check();
      }),
      { numRuns: 40 },
    );
  });

  it("keeps every path findable when all of them share one home position", () => {
    // a run of colliding entries, deleted from its middle, exercises the backward shift
    const seed = 7;
    const home = pathHash("/x0", seed) & 1023;
    const colliding: string[] = [];
    for (let i = 0; colliding.length < 40; i++) {
      if ((pathHash(`/x${i}`, seed) & 1023) === home) colliding.push(`/x${i}`);
    }
    const m = new Model(seed);
    for (const p of colliding) m.add(p);
    for (let i = 0; i < colliding.length; i += 3) m.delete(colliding[i]!);
    m.check();
    for (const p of colliding) m.add(p);
    m.check();
  });

  it("gives a different layout for another seed", () => {
    expect(pathHash("/a/b", 1)).not.toBe(pathHash("/a/b", 2));
  });
});
