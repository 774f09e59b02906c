import { describe, expect, it } from "vitest";
import { isSpecialPath, joinPath, nameOf, parentOf, validatePath } from "../../core/paths.ts";

function message(path: string, isSequential = false): string | undefined {
  return validatePath(path, isSequential)?.message;
}

describe("validatePath, as ZooKeeper's PathUtils (cases from PathUtilsTest)", () => {
  it.each([
    "/",
    "/this is / a valid/path",
    "/name/with.period.",
    "/test\u0020",
    "/test\u007e",
    "/test\uffef",
    "/a..",
    "/..a",
    "/.a",
    "/a/...",
    "/zookeeper/quota",
  ])("accepts %j", (path) => {
    expect(validatePath(path)).toBeUndefined();
  });

  it.each([
    ["", "Path length must be > 0"],
    ["not/valid", "Path must start with / character"],
    ["/ends/with/slash/", "Path must not end with / character"],
    ["/test\u0000", 'Invalid path string "/test\u0000" caused by null character not allowed @5'],
    ["/double//slash", 'Invalid path string "/double//slash" caused by empty node name specified @8'],
    ["/single/./period", 'Invalid path string "/single/./period" caused by relative paths not allowed @8'],
    ["/double/../period", 'Invalid path string "/double/../period" caused by relative paths not allowed @9'],
    ["/.", 'Invalid path string "/." caused by relative paths not allowed @1'],
    ["/..", 'Invalid path string "/.." caused by relative paths not allowed @2'],
    ["/test\u0001", 'Invalid path string "/test\u0001" caused by invalid character @5'],
    ["/test\u001F", 'Invalid path string "/test\u001F" caused by invalid character @5'],
    ["/test\u007f", 'Invalid path string "/test\u007f" caused by invalid character @5'],
    ["/test\u009f", 'Invalid path string "/test\u009f" caused by invalid character @5'],
    ["/test\ud800", 'Invalid path string "/test\ud800" caused by invalid character @5'],
    ["/test\uf8ff", 'Invalid path string "/test\uf8ff" caused by invalid character @5'],
    ["/test\ufff0", 'Invalid path string "/test\ufff0" caused by invalid character @5'],
    ["/test\uffff", 'Invalid path string "/test\uffff" caused by invalid character @5'],
  ])("refuses %j with ZooKeeper's message", (path, expected) => {
    const err = validatePath(path);
    expect(err).toMatchObject({ code: "BadArguments", zkCode: -8, path });
    expect(err?.message).toBe(expected);
  });

  it("reports the first problem, counting UTF-16 code units as Java does", () => {
    expect(message("/a//b/\u0001")).toContain("empty node name specified @3");
    expect(message("/\u{1F600}")).toContain("invalid character @1");
  });

  it("validates a sequential path with a stand-in suffix, so a trailing slash is allowed", () => {
    expect(validatePath("/queue/", true)).toBeUndefined();
    expect(validatePath("/queue/", false)?.code).toBe("BadArguments");
    expect(validatePath("/", true)).toBeUndefined();
    expect(message("/a//", true)).toBe('Invalid path string "/a//1" caused by empty node name specified @3');
    expect(message("/a/.", true)).toBeUndefined();
  });
});

describe("path parts", () => {
  it("splits and joins", () => {
    expect(parentOf("/a")).toBe("/");
    expect(parentOf("/a/b/c")).toBe("/a/b");
    expect(parentOf("/")).toBeUndefined();
    expect(parentOf("a")).toBeUndefined();
    expect(nameOf("/a/b")).toBe("b");
    expect(nameOf("/")).toBe("");
    expect(joinPath("/", "a")).toBe("/a");
    expect(joinPath("/a", "b")).toBe("/a/b");
  });

  it("knows ZooKeeper's special paths, and only those", () => {
    for (const p of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"])
      expect(isSpecialPath(p)).toBe(true);
    for (const p of ["/zookeeper/other", "/zookeeper2", "/a"]) expect(isSpecialPath(p)).toBe(false);
  });
});
