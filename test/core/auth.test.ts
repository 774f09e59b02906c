import { describe, expect, it } from "vitest";
import { authenticate, generateDigest, ipIdentity, SUPER_ID } from "../../core/auth.ts";
import { isZkError } from "../../core/errors.ts";

describe("generateDigest, as DigestAuthenticationProvider (SHA-1)", () => {
  // from ZooKeeper's AuthTest.testGenerateDigest, ZooKeeperTest and the zkCli documentation
  it.each([
    ["super:test", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="],
    ["super:zookeeper", "super:yyuhPKumRtNj4r8GnSbbwuq1vhE="],
    ["super:foo", "super:t6lQTvqID/Gl5Or0n4FYE6kKP8w="],
    ["super:bar", "super:hTdNN4QH4isoRvCrQ1Jf7REREQ4="],
    ["user:test", "user:tl+z3z0vO6PfPfEENfLF96E6pM0="],
    ["user1:12345", "user1:+owfoSBn/am19roBPzR1/MfCblE="],
  ])("%s → %s, the digest ZooKeeper generates", (userPassword, digest) => {
    expect(generateDigest(userPassword)).toBe(digest);
  });

  it("keeps everything after the first colon in the password and hashes the whole string", () => {
    const digest = generateDigest("u:p:q");
    expect(digest.startsWith("u:")).toBe(true);
    expect(digest).not.toBe(generateDigest("u:p"));
  });

  it("hashes a string without a colon whole, naming the user after all of it, as ZooKeeper does", () => {
    expect(generateDigest("nocolon")).toMatch(/^nocolon:[A-Za-z0-9+/]{27}=$/);
  });

  it("encodes as UTF-8, and a lone surrogate as '?' like Java's String.getBytes", () => {
    expect(generateDigest("ü:pw")).not.toBe(generateDigest("u:pw"));
    expect(generateDigest("u:\ud800")).toBe(generateDigest("u:?"));
  });
});

describe("authenticate", () => {
  const superDigest = generateDigest("super:secret");

  it("turns digest credentials into the digest identity, from a string or bytes", () => {
    expect(authenticate("digest", "user1:12345", {})).toEqual([
      { scheme: "digest", id: "user1:+owfoSBn/am19roBPzR1/MfCblE=" },
    ]);
    expect(authenticate("digest", new TextEncoder().encode("user1:12345"), {})).toEqual(
      authenticate("digest", "user1:12345", {}),
    );
  });

  it("adds the super identity, first as ZooKeeper does, when the digest is the configured super digest", () => {
    expect(authenticate("digest", "super:secret", { superDigest })).toEqual([
      SUPER_ID,
      { scheme: "digest", id: superDigest },
    ]);
    expect(authenticate("digest", "super:wrong", { superDigest })).toEqual([
      { scheme: "digest", id: generateDigest("super:wrong") },
    ]);
    expect(authenticate("digest", "super:secret", {})).toEqual([{ scheme: "digest", id: superDigest }]);
  });

  it("gives the client's address for ip, and AuthFailed without one", () => {
    expect(authenticate("ip", "", { remoteAddress: "10.0.0.1" })).toEqual([{ scheme: "ip", id: "10.0.0.1" }]);
    expect(authenticate("ip", "", {})).toMatchObject({ code: "AuthFailed", zkCode: -115 });
  });

  it.each(["world", "super", "auth", "sasl", "x509", "constructor", ""])(
    "fails the scheme %j, which has no provider",
    (scheme) => {
      const result = authenticate(scheme, "a:b", { superDigest });
      expect(isZkError(result) && result.code).toBe("AuthFailed");
    },
  );
});

describe("ipIdentity, as Java's InetAddress.getHostAddress", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::ffff:7f00:1", "127.0.0.1"],
    ["::1", "0:0:0:0:0:0:0:1"],
    ["2001:DB8::0001", "2001:db8:0:0:0:0:0:1"],
    ["fe80::1%eth0", "fe80:0:0:0:0:0:0:1"],
    ["not an address", "not an address"],
  ])("%s → %s", (address, id) => {
    expect(ipIdentity(address)).toEqual({ scheme: "ip", id });
  });
});
