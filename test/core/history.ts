/** Seeded txn histories over a few paths, for the snapshot tests. */
import { type ACL, OPEN_ACL_UNSAFE, type Txn, type TxnBody } from "../../core/records.ts";
import { bytes, createBody, digestACL, txn } from "./txn-fixtures.ts";

/** mulberry32: a seeded generator, so each history is the same on every run */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A history of every kind of txn over a few paths, so collisions, failures and ACL churn are frequent. */
export function history(seed: number, length: number): Txn[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const paths = ["/a", "/b", "/a/x", "/a/y", "/b/z", "/a/x/q", "/é", "/é/ü"];
  const acls: (readonly ACL[])[] = [
    OPEN_ACL_UNSAFE,
    [digestACL("u")],
    [digestACL("v", 1), digestACL("u", 30)],
  ];
  const sessions: number[] = [];
  const txns: Txn[] = [];
  let zxid = 0x1_0000_0000;
  const body = (): TxnBody => {
    const path = pick(paths);
    const r = rnd();
    // a list no other txn uses, so ids are handed out and dropped all the time
    const acl = rnd() < 0.3 ? [digestACL(`only-${zxid}`)] : pick(acls);
    if (r < 0.35) {
      const kind = rnd();
      const owner = kind < 0.4 && sessions.length > 0 ? pick(sessions) : 0;
      return createBody(path, {
        data: Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)),
        acl,
        ephemeralOwner: owner,
        container: kind > 0.85,
        ttl: kind > 0.7 && kind <= 0.85 ? 1 + Math.floor(rnd() * 1e6) : 0,
        parentCVersion: rnd() < 0.5 ? -1 : Math.floor(rnd() * 6),
      });
    }
    if (r < 0.55) return { type: "delete", path };
    if (r < 0.7) return { type: "setData", path, data: bytes(`v${zxid}`), version: Math.floor(rnd() * 5) };
    if (r < 0.8) return { type: "setACL", path, acl, version: Math.floor(rnd() * 5) };
    if (r < 0.85) return { type: "check", path, version: 0 };
    return { type: "error", err: pick(["NoNode", "BadVersion", "NodeExists"] as const) };
  };
  for (let i = 0; i < length; i++) {
    zxid++;
    const r = rnd();
    if (r < 0.08) {
      sessions.push(zxid);
      txns.push(txn(zxid, { type: "createSession", timeout: 4000 + i, password: bytes(`pw${i}`) }));
    } else if (r < 0.1 && sessions.length > 2) {
      const sid = sessions.splice(Math.floor(rnd() * sessions.length), 1)[0]!;
      txns.push(txn(zxid, { type: "closeSession", paths: rnd() < 0.5 ? [pick(paths)] : [] }, sid));
    } else if (r < 0.2) {
      txns.push(txn(zxid, { type: "multi", txns: [body(), body(), body()] }));
    } else {
      txns.push(txn(zxid, body()));
    }
  }
  return txns;
}
