import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pathToSubject, subjectToPath, subtreeSubject } from "../../core/subjects.ts";

// What NATS accepts in a subject token: no separators, wildcards, whitespace or control characters.
const VALID_TOKEN = /^[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7e]+$/;

const segment = fc
  .string({ unit: "binary", minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes("/") && !s.includes("\u0000") && s !== "." && s !== "..");
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segs) => `/${segs.join("/")}`);

describe("path ↔ subject", () => {
  it("keeps plain names readable", () => {
    expect(pathToSubject("/services/orders/i-0000000003")).toBe("nzk.ev.services.orders.i-0000000003");
    expect(pathToSubject("/a.b/c d", "p")).toBe("p.a~2Eb.c~20d");
  });

  it("maps paths of mostly plain names as it maps any other", () => {
    // Plain segments and paths take a shortcut: mixing in a few other characters covers both sides of it.
    const mostlyPlain = fc
      .array(fc.stringMatching(/^[a-z0-9_.~ -]{1,6}$/), { minLength: 1, maxLength: 5 })
      .filter((segs) => segs.every((s) => s !== "." && s !== ".."))
      .map((segs) => `/${segs.join("/")}`);
    fc.assert(
      fc.property(mostlyPlain, (p) => {
        const subject = pathToSubject(p, "x.y");
        const tokens = subject.split(".").slice(2);
        expect(tokens.length).toBe(p.split("/").length - 1);
        for (const [i, segment] of p.slice(1).split("/").entries())
          expect(tokens[i]).toBe(
            segment.replace(/[.~ ]/g, (c) => `~${c.charCodeAt(0).toString(16).toUpperCase()}`),
          );
        expect(subjectToPath(subject, "x.y")).toBe(p);
      }),
      { numRuns: 2000 },
    );
  });

  it("maps the root to the prefix and back", () => {
    expect(pathToSubject("/")).toBe("nzk.ev");
    expect(subjectToPath("nzk.ev")).toBe("/");
  });

  it("maps every legal path to a valid subject and back", () => {
    fc.assert(
      fc.property(path, (p) => {
        const subject = pathToSubject(p, "x.y");
        for (const token of subject.split(".")) expect(token).toMatch(VALID_TOKEN);
        expect(subject.split(".").length).toBe(2 + p.split("/").length - 1);
        expect(subjectToPath(subject, "x.y")).toBe(p);
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips a lone surrogate, which ZooKeeper's validatePath allows", () => {
    const p = "/a\ud800b";
    expect(subjectToPath(pathToSubject(p))).toBe(p);
  });

  it("gives distinct paths distinct subjects", () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        if (a !== b) expect(pathToSubject(a)).not.toBe(pathToSubject(b));
      }),
    );
  });

  it("refuses subjects it would not have made", () => {
    for (const s of [
      "nzk.ev.a~2e",
      "nzk.ev.~41",
      "nzk.ev.a*",
      "nzk.ev..a",
      "other.a",
      "nzk.ev.~ED~A0~80~ED~B0~80",
      "nzk.ev.~C0~80",
    ]) {
      expect(subjectToPath(s)).toBeUndefined();
    }
  });

  it("names a subtree with the > wildcard", () => {
    expect(subtreeSubject("/services")).toBe("nzk.ev.services.>");
  });
});
