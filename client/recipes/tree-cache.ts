/**
 * Curator's TreeCache: a local mirror of a subtree (data and Stat of every node). It takes the zxid of
 * a sync, loads the subtree, then follows the recursive events stream from that zxid. Each event makes
 * it re-read the node it names (and, for a new node or changed children, the missing children), one
 * event at a time: a re-read returns the state at or after the event, so whatever order events and
 * reads interleave in, the mirror converges to the tree. A node's entry is never replaced by an older
 * one (compared by mzxid).
 */

import { parseId } from "../../core/zxid.ts";
import { bytesOf, isNzkError, type NzkClient, type Stat, type WatchEvent } from "../sdk/index.ts";

export interface CachedNode {
  readonly path: string;
  readonly data: Uint8Array;
  readonly stat: Stat;
}

export type TreeListener = (event: WatchEvent) => void;

const zxidOf = (hex: string): number => parseId(hex) ?? 0;

export class TreeCache {
  readonly #client: NzkClient;
  readonly root: string;
  readonly #nodes = new Map<string, CachedNode>();
  readonly #stop = new AbortController();
  readonly #listeners = new Set<TreeListener>();
  #follow: Promise<void> | undefined;
  #seen = "0x0";

  constructor(client: NzkClient, root: string) {
    this.#client = client;
    this.root = root;
  }

  /** Loads the subtree and starts following it. */
  async start(): Promise<void> {
    const since = await this.#client.sync(this.root);
    this.#seen = since;
    await this.#load(this.root);
    const events = this.#client.events(this.root, { recursive: true, since, signal: this.#stop.signal });
    this.#follow = (async () => {
      for await (const event of events) {
        await this.#apply(event);
        this.#seen = event.zxid;
        for (const listener of [...this.#listeners]) listener(event);
      }
    })().catch(() => {});
  }

  /** the zxid of the last event applied (or of the starting sync) */
  get zxid(): string {
    return this.#seen;
  }

  get(path: string): CachedNode | undefined {
    return this.#nodes.get(path);
  }

  /** the cached children's names, sorted, or undefined when the node is not cached */
  children(path: string): string[] | undefined {
    if (!this.#nodes.has(path)) return undefined;
    const prefix = path === "/" ? "/" : `${path}/`;
    const names: string[] = [];
    for (const p of this.#nodes.keys())
      if (p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
        names.push(p.slice(prefix.length));
    return names.sort();
  }

  /** every cached path */
  paths(): string[] {
    return [...this.#nodes.keys()].sort();
  }

  onEvent(listener: TreeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#follow;
  }

  async #apply(event: WatchEvent): Promise<void> {
    if (event.type === "NodeDeleted") {
      const node = this.#nodes.get(event.path);
      if (node === undefined || zxidOf(node.stat.mzxid) <= zxidOf(event.zxid)) this.#drop(event.path);
      return;
    }
    if (event.type === "NodeDataChanged") await this.#refresh(event.path);
    else await this.#load(event.path);
  }

  /** Reads the node and every descendant the cache lacks or holds out of date. */
  async #load(path: string): Promise<void> {
    if (!(await this.#refresh(path))) return;
    let children: readonly string[];
    try {
      children = (await this.#client.children(path)).children;
    } catch (err) {
      if (isNzkError(err, "NoNode")) return this.#drop(path);
      throw err;
    }
    const base = path === "/" ? "" : path;
    for (const gone of this.children(path) ?? [])
      if (!children.includes(gone) && !(await this.#client.exists(`${base}/${gone}`)))
        this.#drop(`${base}/${gone}`);
    for (const name of children) {
      const child = `${base}/${name}`;
      if (!this.#nodes.has(child)) await this.#load(child);
    }
  }

  /** Re-reads one node; false when it no longer exists. */
  async #refresh(path: string): Promise<boolean> {
    try {
      const node = await this.#client.get(path);
      const held = this.#nodes.get(path);
      if (
        held === undefined ||
        zxidOf(held.stat.mzxid) <= zxidOf(node.stat.mzxid) ||
        held.stat.czxid !== node.stat.czxid
      )
        this.#nodes.set(path, { path, data: bytesOf(node), stat: node.stat });
      return true;
    } catch (err) {
      if (!isNzkError(err, "NoNode")) throw err;
      this.#drop(path);
      return false;
    }
  }

  #drop(path: string): void {
    const prefix = path === "/" ? "/" : `${path}/`;
    for (const p of [...this.#nodes.keys()]) if (p === path || p.startsWith(prefix)) this.#nodes.delete(p);
  }
}
