import { describe, expect, it } from "vitest";
import { WatchMode } from "../../functions/zookeeper/watch-table.ts";
import { Watches } from "../../functions/zookeeper/watches.ts";

const fired = (w: Watches<string>, type: Parameters<Watches<string>["fire"]>[0], path: string) =>
  w
    .fire(type, path)
    .map((f) => `${f.watcher}:${f.type}:${f.path}`)
    .sort();

describe("Watches (DataTree's data and child WatchManagers)", () => {
  it("fires a one-shot watch once, and keeps a persistent one", () => {
    const w = new Watches<string>();
    w.data.add("/a", "once", WatchMode.standard);
    w.addPersistent("/a", "always", false);
    expect(fired(w, "NodeDataChanged", "/a")).toEqual([
      "always:NodeDataChanged:/a",
      "once:NodeDataChanged:/a",
    ]);
    expect(fired(w, "NodeDataChanged", "/a")).toEqual(["always:NodeDataChanged:/a"]);
    expect(fired(w, "NodeChildrenChanged", "/a")).toEqual(["always:NodeChildrenChanged:/a"]);
  });

  it("tells a watcher of a deleted node once, though it watched both its data and children", () => {
    const w = new Watches<string>();
    w.data.add("/a", "c", WatchMode.standard);
    w.child.add("/a", "c", WatchMode.standard);
    w.child.add("/a", "kids", WatchMode.standard);
    expect(fired(w, "NodeDeleted", "/a")).toEqual(["c:NodeDeleted:/a", "kids:NodeDeleted:/a"]);
    expect(w.data.watchCount + w.child.watchCount).toBe(0);
  });

  it("fires recursive watches for every change below, except NodeChildrenChanged", () => {
    const w = new Watches<string>();
    w.addPersistent("/a", "r", true);
    expect(fired(w, "NodeCreated", "/a/b/c")).toEqual(["r:NodeCreated:/a/b/c"]);
    expect(fired(w, "NodeDataChanged", "/a")).toEqual(["r:NodeDataChanged:/a"]);
    expect(fired(w, "NodeChildrenChanged", "/a")).toEqual([]);
    expect(fired(w, "NodeCreated", "/ab")).toEqual([]);
    w.addPersistent("/", "root", true);
    expect(fired(w, "NodeDeleted", "/x")).toEqual(["root:NodeDeleted:/x"]);
  });

  it("re-arms after a reconnect, firing at once for changes after the client's zxid", () => {
    const w = new Watches<string>();
    const stats: Record<string, { mzxid: number; pzxid: number }> = {
      "/old": { mzxid: 5, pzxid: 5 },
      "/new": { mzxid: 9, pzxid: 9 },
    };
    const stat = (p: string) => (stats[p] === undefined ? undefined : ({ ...stats[p], czxid: 1 } as never));
    const now = w.rearm("c", 7, stat, {
      data: ["/old", "/new", "/gone"],
      exist: ["/new", "/none"],
      child: ["/old", "/new"],
      persistent: [],
      persistentRecursive: [],
    });
    expect(now.map((f) => `${f.type}:${f.path}`)).toEqual([
      "NodeDataChanged:/new",
      "NodeDeleted:/gone",
      "NodeCreated:/new",
      "NodeChildrenChanged:/new",
    ]);
    expect(w.data.contains("/old", "c", WatchMode.standard)).toBe(true);
    expect(w.data.contains("/none", "c", WatchMode.standard)).toBe(true);
    expect(w.child.contains("/old", "c", WatchMode.standard)).toBe(true);
  });

  it("checks and removes watches by WatcherType, and forgets a closed connection's", () => {
    const w = new Watches<string>();
    w.data.add("/a", "c", WatchMode.standard);
    w.addPersistent("/a", "c", false);
    expect(w.contains("/a", "c", 1)).toBe(false);
    expect(w.contains("/a", "c", 4)).toBe(true);
    expect(w.remove("/a", "c", 4)).toBe(true);
    expect(w.contains("/a", "c", 2)).toBe(true);
    expect(w.contains("/a", "c", 9)).toBeUndefined();
    w.addPersistent("/b", "c", true);
    w.removeWatcher("c");
    expect(w.contains("/a", "c", 3)).toBe(false);
    expect(fired(w, "NodeCreated", "/b/x")).toEqual([]);
  });
});
