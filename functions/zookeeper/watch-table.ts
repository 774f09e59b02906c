/**
 * ZooKeeper's WatchManager for one kind of watch (data or child): which watchers watch which path, and
 * in which modes. Triggering a path takes its one-shot (standard) watches away and keeps persistent
 * ones; persistent recursive watches on any ancestor fire too. A watcher is told at most once per
 * trigger, however many of its watches match, as ZooKeeper collects watchers into a set.
 */
export const WatchMode = { standard: 1, persistent: 2, recursive: 4 } as const;
export type WatchModeFlag = (typeof WatchMode)[keyof typeof WatchMode];

export class WatchTable<W> {
  readonly #byPath = new Map<string, Map<W, number>>();
  readonly #byWatcher = new Map<W, Map<string, number>>();
  #recursive = 0;

  /** false when the watcher already watched the path in that mode */
  add(path: string, watcher: W, mode: WatchModeFlag): boolean {
    let watchers = this.#byPath.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.#byPath.set(path, watchers);
    }
    const flags = watchers.get(watcher) ?? 0;
    if ((flags & mode) !== 0) return false;
    watchers.set(watcher, flags | mode);
    let paths = this.#byWatcher.get(watcher);
    if (paths === undefined) {
      paths = new Map();
      this.#byWatcher.set(watcher, paths);
    }
    paths.set(path, flags | mode);
    if (mode === WatchMode.recursive) this.#recursive++;
    return true;
  }

  /** The watchers a change at path fires, minus those in suppress; their standard watches are gone after. */
  trigger(path: string, suppress?: ReadonlySet<W>): Set<W> {
    const fired = new Set<W>();
    const exact = this.#byPath.get(path);
    if (exact !== undefined) {
      for (const [watcher, flags] of exact) {
        fired.add(watcher);
        if ((flags & WatchMode.standard) !== 0) this.#set(path, watcher, flags & ~WatchMode.standard);
      }
    }
    if (this.#recursive > 0) {
      for (let at = parentOf(path); at !== undefined; at = parentOf(at)) {
        for (const [watcher, flags] of this.#byPath.get(at) ?? []) {
          if ((flags & WatchMode.recursive) !== 0) fired.add(watcher);
        }
      }
    }
    if (suppress !== undefined) for (const w of suppress) fired.delete(w);
    return fired;
  }

  /** with mode undefined: any mode */
  contains(path: string, watcher: W, mode?: WatchModeFlag): boolean {
    const flags = this.#byPath.get(path)?.get(watcher) ?? 0;
    return mode === undefined ? flags !== 0 : (flags & mode) !== 0;
  }

  /** Removes the watcher's watch in that mode (every mode when undefined); false when there was none. */
  remove(path: string, watcher: W, mode?: WatchModeFlag): boolean {
    const flags = this.#byPath.get(path)?.get(watcher) ?? 0;
    const removed = mode === undefined ? flags : flags & mode;
    if (removed === 0) return false;
    this.#set(path, watcher, flags & ~removed);
    return true;
  }

  /** Forgets every watch of a watcher whose connection is gone. */
  removeWatcher(watcher: W): void {
    for (const path of [...(this.#byWatcher.get(watcher)?.keys() ?? [])]) this.#set(path, watcher, 0);
  }

  watchers(): IterableIterator<W> {
    return this.#byWatcher.keys();
  }

  /** Every watched path with its watcher, once per pair whatever its modes. */
  *pairs(): Generator<{ readonly watcher: W; readonly path: string }> {
    for (const [watcher, paths] of this.#byWatcher) for (const path of paths.keys()) yield { watcher, path };
  }

  get pathCount(): number {
    return this.#byPath.size;
  }

  get watcherCount(): number {
    return this.#byWatcher.size;
  }

  get watchCount(): number {
    let n = 0;
    for (const paths of this.#byWatcher.values()) n += paths.size;
    return n;
  }

  #set(path: string, watcher: W, flags: number): void {
    const before = this.#byPath.get(path)?.get(watcher) ?? 0;
    if ((before & WatchMode.recursive) !== 0 && (flags & WatchMode.recursive) === 0) this.#recursive--;
    if (flags !== 0) {
      this.#byPath.get(path)?.set(watcher, flags);
      this.#byWatcher.get(watcher)?.set(path, flags);
      return;
    }
    const watchers = this.#byPath.get(path);
    watchers?.delete(watcher);
    if (watchers?.size === 0) this.#byPath.delete(path);
    const paths = this.#byWatcher.get(watcher);
    paths?.delete(path);
    if (paths?.size === 0) this.#byWatcher.delete(watcher);
  }
}

function parentOf(path: string): string | undefined {
  if (path === "/") return undefined;
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}
