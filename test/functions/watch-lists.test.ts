import { describe, expect, it } from "vitest";
import { watchesByPath, watchesBySession } from "../../functions/commands.ts";
import type { HeldWatch } from "../../functions/held-watches.ts";

const held = (sessionId: number, path: string): HeldWatch => ({
  kind: "data",
  path,
  recursive: false,
  sessionId,
  remote: undefined,
  established: 0,
  lastZxid: -1,
  sent: 0,
  lastSent: 0,
});

describe("wchc and wchp lists", () => {
  const inputs = {
    watches: [held(10, "/b"), held(9, "/a"), held(10, "/a"), held(10, "/b")],
    ports: [
      {
        connections: [],
        watches: { connections: 1, paths: 2, total: 2 },
        watched: [
          { sessionId: 100, path: "/a/c" },
          { sessionId: 9, path: "/b" },
        ],
      },
    ],
  };

  it("group by session: sessions by number, each one's paths sorted, once each", () => {
    expect([...watchesBySession(inputs)]).toEqual([
      [9, ["/a", "/b"]],
      [10, ["/a", "/b"]],
      [100, ["/a/c"]],
    ]);
  });

  it("group by path: paths sorted, each one's sessions by number, once each", () => {
    expect([...watchesByPath(inputs)]).toEqual([
      ["/a", [9, 10]],
      ["/a/c", [100]],
      ["/b", [9, 10]],
    ]);
  });
});
