import { describe, expect, it } from "vitest";
import type { Applied } from "../../core/records.ts";
import { makeZxid } from "../../core/zxid.ts";
import { CommitWatch } from "../../member/commit-watch.ts";

const applied = (zxid: number): Applied => ({
  zxid,
  result: { type: "delete", path: "/n" },
  events: [],
});

/** What the listener of a wait heard: "waiting", the zxid applied, or "never". */
function listen(watch: CommitWatch, zxid: number, lastZxid: number) {
  let heard: number | "waiting" | "never" = "waiting";
  watch.wait(zxid, lastZxid, (a) => {
    heard = a === undefined ? "never" : a.zxid;
  });
  return () => heard;
}

describe("a follower's commit watch", () => {
  it("tells a waiter once the txn with its zxid is applied, not before", () => {
    const watch = new CommitWatch();
    const z = makeZxid(1, 5);
    watch.open(1, makeZxid(1, 4));
    const heard = listen(watch, z, makeZxid(1, 4));
    watch.close(1);
    expect(heard()).toBe("waiting");
    watch.applied(applied(z));
    expect(heard()).toBe(z);
  });

  it("keeps what was applied while a batch's answer was out: the tail may outrun the leader's answer", () => {
    const watch = new CommitWatch();
    watch.open(1, makeZxid(1, 4));
    watch.applied(applied(makeZxid(1, 5)));
    watch.applied(applied(makeZxid(1, 6)));
    const heard = listen(watch, makeZxid(1, 6), makeZxid(1, 6));
    expect(heard()).toBe(makeZxid(1, 6));
  });

  it("says never for a zxid already passed that it did not see applied", () => {
    const watch = new CommitWatch();
    watch.open(1, makeZxid(1, 4));
    watch.applied(applied(makeZxid(2, 1)));
    expect(listen(watch, makeZxid(1, 5), makeZxid(2, 1))()).toBe("never");
  });

  it("says never to waiters of an older epoch once a newer epoch's txn is applied (their leadership ended)", () => {
    const watch = new CommitWatch();
    watch.applied(applied(makeZxid(1, 4)));
    watch.open(1, makeZxid(1, 4));
    const lost = listen(watch, makeZxid(1, 5), makeZxid(1, 4));
    const next = listen(watch, makeZxid(2, 2), makeZxid(1, 4));
    watch.close(1);
    watch.applied(applied(makeZxid(2, 1)));
    expect(lost()).toBe("never");
    expect(next()).toBe("waiting");
    watch.applied(applied(makeZxid(2, 2)));
    expect(next()).toBe(makeZxid(2, 2));
  });

  it("lets results go once no batch that could need them is open", () => {
    const watch = new CommitWatch();
    watch.open(1, makeZxid(1, 1));
    watch.open(2, makeZxid(1, 3));
    for (let c = 2; c <= 5; c++) watch.applied(applied(makeZxid(1, c)));
    watch.close(1);
    // Batch 2 was sent after 1:3 was applied: only results above it may still be asked for.
    expect(listen(watch, makeZxid(1, 2), makeZxid(1, 5))()).toBe("never");
    expect(listen(watch, makeZxid(1, 4), makeZxid(1, 5))()).toBe(makeZxid(1, 4));
    watch.close(2);
    expect(listen(watch, makeZxid(1, 5), makeZxid(1, 5))()).toBe("never");
    // Nothing is kept while no batch is open.
    watch.applied(applied(makeZxid(1, 6)));
    watch.open(3, makeZxid(1, 6));
    expect(listen(watch, makeZxid(1, 6), makeZxid(1, 6))()).toBe("never");
  });

  it("forgets a waiter that gave up", () => {
    const watch = new CommitWatch();
    const heard = listen(watch, makeZxid(1, 2), makeZxid(1, 1));
    watch.forget(makeZxid(1, 2));
    watch.applied(applied(makeZxid(1, 2)));
    expect(heard()).toBe("waiting");
  });
});
