/**
 * A member's ZooKeeper watches: DataTree's pair of WatchManagers (data and child) and the rules that
 * say which fires for which change, re-arming after a reconnect (DataTree.setWatches), and
 * checkWatches/removeWatches by WatcherType.
 */

import type { EventType, Stat } from "../../core/records.ts";
import { WatcherType } from "../../core/wire/opcodes.ts";
import { WatchMode, WatchTable } from "./watch-table.ts";

export interface Fired<W> {
  readonly watcher: W;
  readonly type: EventType;
  readonly path: string;
}

export class Watches<W> {
  readonly data = new WatchTable<W>();
  readonly child = new WatchTable<W>();

  /** Who hears of one of apply's events, as DataTree's createNode, deleteNode and setData trigger them. */
  fire(type: EventType, path: string): Fired<W>[] {
    let watchers: Set<W>;
    switch (type) {
      case "NodeCreated":
      case "NodeDataChanged":
        watchers = this.data.trigger(path);
        break;
      case "NodeChildrenChanged":
        watchers = this.child.trigger(path);
        break;
      case "NodeDeleted": {
        const told = this.data.trigger(path);
        watchers = new Set([...told, ...this.child.trigger(path, told)]);
        break;
      }
    }
    return [...watchers].map((watcher) => ({ watcher, type, path }));
  }

  /** addWatch: persistent watches sit in both tables, recursive ones only in the data table */
  addPersistent(path: string, watcher: W, recursive: boolean): void {
    if (recursive) {
      this.data.add(path, watcher, WatchMode.recursive);
      return;
    }
    this.data.add(path, watcher, WatchMode.persistent);
    this.child.add(path, watcher, WatchMode.persistent);
  }

  /**
   * DataTree.setWatches: a watch whose node changed after the client's last zxid fires at once (the
   * events returned, to send with no zxid), the rest are armed again.
   */
  rearm(
    watcher: W,
    relativeZxid: number,
    stat: (path: string) => Stat | undefined,
    lists: {
      data: readonly string[];
      exist: readonly string[];
      child: readonly string[];
      persistent: readonly string[];
      persistentRecursive: readonly string[];
    },
  ): Fired<W>[] {
    const now: Fired<W>[] = [];
    for (const path of lists.data) {
      const s = stat(path);
      if (s === undefined) now.push({ watcher, type: "NodeDeleted", path });
      else if (s.mzxid > relativeZxid) now.push({ watcher, type: "NodeDataChanged", path });
      else this.data.add(path, watcher, WatchMode.standard);
    }
    for (const path of lists.exist) {
      if (stat(path) !== undefined) now.push({ watcher, type: "NodeCreated", path });
      else this.data.add(path, watcher, WatchMode.standard);
    }
    for (const path of lists.child) {
      const s = stat(path);
      if (s === undefined) now.push({ watcher, type: "NodeDeleted", path });
      else if (s.pzxid > relativeZxid) now.push({ watcher, type: "NodeChildrenChanged", path });
      else this.child.add(path, watcher, WatchMode.standard);
    }
    for (const path of lists.persistent) this.addPersistent(path, watcher, false);
    for (const path of lists.persistentRecursive) this.addPersistent(path, watcher, true);
    return now;
  }

  /** DataTree.containsWatcher; undefined for a type WatcherType does not define */
  contains(path: string, watcher: W, type: number): boolean | undefined {
    switch (type) {
      case WatcherType.Children:
        return this.child.contains(path, watcher, WatchMode.standard);
      case WatcherType.Data:
        return this.data.contains(path, watcher, WatchMode.standard);
      case WatcherType.Persistent:
        return this.data.contains(path, watcher, WatchMode.persistent);
      case WatcherType.PersistentRecursive:
        return this.data.contains(path, watcher, WatchMode.recursive);
      case WatcherType.Any:
        return this.child.contains(path, watcher) || this.data.contains(path, watcher);
      default:
        return undefined;
    }
  }

  /** DataTree.removeWatch; undefined for a type WatcherType does not define */
  remove(path: string, watcher: W, type: number): boolean | undefined {
    switch (type) {
      case WatcherType.Children:
        return this.child.remove(path, watcher, WatchMode.standard);
      case WatcherType.Data:
        return this.data.remove(path, watcher, WatchMode.standard);
      case WatcherType.Persistent: {
        const fromChild = this.child.remove(path, watcher, WatchMode.persistent);
        return this.data.remove(path, watcher, WatchMode.persistent) || fromChild;
      }
      case WatcherType.PersistentRecursive:
        return this.data.remove(path, watcher, WatchMode.recursive);
      case WatcherType.Any: {
        const fromChild = this.child.remove(path, watcher);
        return this.data.remove(path, watcher) || fromChild;
      }
      default:
        return undefined;
    }
  }

  removeWatcher(watcher: W): void {
    this.data.removeWatcher(watcher);
    this.child.removeWatcher(watcher);
  }
}
