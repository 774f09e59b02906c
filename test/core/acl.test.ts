import { describe, expect, it } from "vitest";
import { checkACL, fixupACL, parsePerms, permsToString } from "../../core/acl.ts";
import { generateDigest, SUPER_ID } from "../../core/auth.ts";
import { isZkError } from "../../core/errors.ts";
import { hostAddress, ipMatches, isValidIpAcl } from "../../core/ip.ts";
import { type ACL, type Id, OPEN_ACL_UNSAFE, Perms } from "../../core/records.ts";

const alice: Id = { scheme: "digest", id: generateDigest("alice:pw") };
const bob: Id = { scheme: "digest", id: generateDigest("bob:pw") };
const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });
const as = (...auth: Id[]) => ({ auth });

describe("perms as letters", () => {
  it("reads cdrwa in any order and writes them in ZooKeeper's order", () => {
    expect(parsePerms("cdrwa")).toBe(Perms.ALL);
    expect(parsePerms("arw")).toBe(Perms.READ | Perms.WRITE | Perms.ADMIN);
    expect(parsePerms("")).toBe(0);
    expect(parsePerms("rr")).toBe(Perms.READ);
    expect(permsToString(Perms.ALL)).toBe("cdrwa");
    expect(permsToString(Perms.ADMIN | Perms.READ)).toBe("ra");
    expect(permsToString(0)).toBe("");
  });

  it("refuses an unknown letter with BadArguments", () => {
    expect(parsePerms("rx")).toMatchObject({ code: "BadArguments" });
    expect(parsePerms("R")).toMatchObject({ code: "BadArguments" });
  });
});

describe("checkACL, as ZooKeeperServer.checkACL", () => {
  it("lets anyone through an empty ACL", () => {
    expect(checkACL([], Perms.ADMIN, as())).toBe(true);
  });

  it("lets world:anyone through for the perms it grants only", () => {
    const readOnly = [acl(Perms.READ, "world", "anyone")];
    expect(checkACL(readOnly, Perms.READ, as())).toBe(true);
    expect(checkACL(readOnly, Perms.WRITE, as())).toBe(false);
    expect(checkACL(readOnly, Perms.READ | Perms.ADMIN, as())).toBe(true);
  });

  it("matches digest entries to the caller's digest identities exactly", () => {
    const mine = [acl(Perms.ALL, "digest", alice.id)];
    expect(checkACL(mine, Perms.WRITE, as(alice))).toBe(true);
    expect(checkACL(mine, Perms.WRITE, as(bob))).toBe(false);
    expect(checkACL(mine, Perms.WRITE, as({ scheme: "ip", id: alice.id }))).toBe(false);
    expect(checkACL(mine, Perms.WRITE, as())).toBe(false);
  });

  it("lets the super identity do anything", () => {
    expect(checkACL([acl(Perms.READ, "digest", alice.id)], Perms.ADMIN, as(SUPER_ID))).toBe(true);
  });

  it("never matches schemes without a provider, even with an identical caller id", () => {
    for (const scheme of ["world", "auth", "sasl", "constructor"]) {
      const entry = [acl(Perms.ALL, scheme, "x")];
      expect(checkACL(entry, Perms.READ, as({ scheme, id: "x" }))).toBe(false);
    }
  });

  it("matches ip entries by address and CIDR", () => {
    const lan = [acl(Perms.READ, "ip", "10.0.0.0/8")];
    expect(checkACL(lan, Perms.READ, as({ scheme: "ip", id: "10.1.2.3" }))).toBe(true);
    expect(checkACL(lan, Perms.READ, as({ scheme: "ip", id: "11.1.2.3" }))).toBe(false);
  });
});

describe("ip matching, as IPAuthenticationProvider", () => {
  it.each([
    ["10.1.2.3", "10.1.2.3", true],
    ["10.1.2.4", "10.1.2.3", false],
    ["10.1.2.3", "10.0.0.0/8", true],
    ["11.0.0.0", "10.0.0.0/8", false],
    ["192.168.1.130", "192.168.1.128/25", true],
    ["192.168.1.127", "192.168.1.128/25", false],
    ["1.2.3.4", "0.0.0.0/0", true],
    ["1.2.3.4", "1.2.3.5/32", false],
    ["1.2.3.4", "+1.002.3.4", true],
    ["::1", "::1", true],
    ["0:0:0:0:0:0:0:1", "::1", true],
    ["::2", "::1", false],
    ["2001:db8::1", "2001:db8::/32", true],
    ["2001:db9::1", "2001:db8::/32", false],
    ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3::8a2e:370:7334", true],
    ["2001:db8::1", "2001:db8::/129", false],
    ["1.2.3.4", "::/0", false],
    ["::ffff:1.2.3.4", "1.2.3.4", false],
    ["1.2.3.4", "1.2.3.4/", false],
    ["1.2.3.4", "1.2.3.4/x", false],
    ["1.2.3.4", "1.2.3.4/33", false],
    ["1.2.3.4", "1.2.3.4/-1", false],
    ["1.2.3", "1.2.3.0/24", false],
    ["localhost", "localhost", false],
  ])("caller %s against %s → %s", (address, expr, expected) => {
    expect(ipMatches(address, expr)).toBe(expected);
  });

  it.each([
    "1.2.3.4",
    "1.2.3.0/24",
    "0.0.0.0/0",
    "::1",
    "::",
    "1::",
    "2001:db8::/32",
    "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    "1:2:3:4:5:6:7::",
    "-1::",
  ])("accepts %s as an ip ACL id", (id) => {
    expect(isValidIpAcl(id)).toBe(true);
  });

  // invalid addresses from ZooKeeper's IPAuthenticationProviderTest, and more
  it.each([
    "1",
    "1:2",
    "1::2:",
    ":1::2:",
    "1:2:3:4:5:6:7:8:",
    "1:2:3:4:5:6:7:8:9",
    "1:2::3:4:5:6:7:8",
    "1::2::",
    "1:abcdf::",
    "efgh::",
    "1:: ",
    " 1::",
    "256.0.0.1",
    "1.2.3.4.",
    "1.2.3.4/33",
    "::/129",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
    "host.example",
    "",
  ])("refuses %j as an ip ACL id", (id) => {
    expect(isValidIpAcl(id)).toBe(false);
  });

  it("writes addresses as Java does", () => {
    expect(hostAddress("2001:db8::8a2e:370:7334")).toBe("2001:db8:0:0:0:8a2e:370:7334");
  });
});

describe("fixupACL, as PrepRequestProcessor.fixupACL", () => {
  it("keeps world:anyone, valid digest and ip entries, dropping exact duplicates", () => {
    const input = [...OPEN_ACL_UNSAFE, acl(Perms.READ, "digest", alice.id), ...OPEN_ACL_UNSAFE];
    expect(fixupACL("/a", as(), input)).toEqual([...OPEN_ACL_UNSAFE, acl(Perms.READ, "digest", alice.id)]);
    expect(fixupACL("/a", as(), [acl(Perms.READ, "ip", "10.0.0.0/8")])).toEqual([
      acl(Perms.READ, "ip", "10.0.0.0/8"),
    ]);
  });

  it("expands auth into the caller's digest identities, skipping ip and super", () => {
    const caller = as({ scheme: "ip", id: "10.0.0.1" }, alice, SUPER_ID, bob);
    expect(fixupACL("/a", caller, [acl(Perms.ALL, "auth", "")])).toEqual([
      { perms: Perms.ALL, id: alice },
      { perms: Perms.ALL, id: bob },
    ]);
  });

  it("refuses auth from a caller with no authenticated identity", () => {
    for (const caller of [as(), as({ scheme: "ip", id: "10.0.0.1" }), as(SUPER_ID)]) {
      expect(fixupACL("/a", caller, [acl(Perms.ALL, "auth", "")])).toMatchObject({
        code: "InvalidACL",
        zkCode: -114,
        path: "/a",
      });
    }
  });

  it.each([
    ["an empty list", []],
    ["an unknown scheme", [acl(Perms.ALL, "sasl", "user")]],
    ["the super scheme", [acl(Perms.ALL, "super", "")]],
    ["world with an id other than anyone", [acl(Perms.ALL, "world", "everyone")]],
    ["a digest id without a colon", [acl(Perms.ALL, "digest", "alice")]],
    ["a digest id with an empty hash", [acl(Perms.ALL, "digest", "alice:")]],
    ["a digest id with two colons", [acl(Perms.ALL, "digest", "a:b:c")]],
    ["a malformed ip", [acl(Perms.ALL, "ip", "10.0.0/8")]],
    ["perms above 31", [acl(32, "world", "anyone")]],
    ["negative perms", [acl(-1, "world", "anyone")]],
    ["a bad entry after a good one", [...OPEN_ACL_UNSAFE, acl(Perms.ALL, "nope", "x")]],
  ])("refuses %s with InvalidACL", (_, input) => {
    const result = fixupACL("/a", as(alice), input);
    expect(isZkError(result) && result.code).toBe("InvalidACL");
  });

  it("accepts digest ids as loosely as ZooKeeper: two parts after Java's split", () => {
    expect(fixupACL("/a", as(), [acl(Perms.ALL, "digest", ":hash")])).not.toHaveProperty("code");
    expect(fixupACL("/a", as(), [acl(Perms.ALL, "digest", "user:hash:")])).not.toHaveProperty("code");
  });
});
