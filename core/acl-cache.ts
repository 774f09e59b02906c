/**
 * ZooKeeper's ReferenceCountedACLCache: every distinct ACL list is stored once under a numeric id and
 * znodes hold the id, so a million znodes with the same ACL share one list. An id is dropped when its
 * last user goes; ids are never reused, and the counter is part of the snapshot so that a restored tree
 * hands out the same ids as one that never stopped.
 */
import { type ACL, OPEN_ACL_UNSAFE } from "./records.ts";

/** ZooKeeper's OPEN_UNSAFE_ACL_ID: the nodes its DataTree constructor makes carry it, uncounted */
export const OPEN_UNSAFE_ACL_ID = -1;

interface Entry {
  readonly id: number;
  readonly acl: readonly ACL[];
  /** users; 0 once dropped */
  refs: number;
}

/** List equality as ZooKeeper's List<ACL>.equals: same order, same perms, scheme and id. */
function aclKey(acl: readonly ACL[]): string {
  let key = "";
  for (const a of acl) key += `${a.perms}:${a.id.scheme.length}:${a.id.scheme}${a.id.id.length}:${a.id.id};`;
  return key;
}

function sameList(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

const NONE: Entry = { id: 0, acl: [], refs: 0 };

export class AclCache {
  readonly #byId = new Map<number, Entry>();
  readonly #byKey = new Map<string, Entry>();
  #lastId = 0;
  /** the entry last interned: most creates in a row carry equal ACLs, so this skips building a key */
  #recent: Entry = NONE;

  /** the highest id ever handed out (ZooKeeper's aclIndex) */
  get lastId(): number {
    return this.#lastId;
  }

  /** number of distinct lists held */
  get size(): number {
    return this.#byId.size;
  }

  /** convertAcls: the id for this list, interned if new, with one more usage counted */
  intern(acl: readonly ACL[]): number {
    let entry = this.#recent;
    if (entry.refs === 0 || !sameList(acl, entry.acl)) {
      const key = aclKey(acl);
      entry = this.#byKey.get(key) ?? this.#add(++this.#lastId, acl, key);
      this.#recent = entry;
    }
    entry.refs++;
    return entry.id;
  }

  /** convertLong; every id a node holds is in the cache (snapshot.ts checks ids as it loads) */
  lookup(id: number): readonly ACL[] {
    if (id === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE;
    const entry = this.#byId.get(id);
    if (entry === undefined) throw new Error(`ACL cache holds no list ${id}: the tree is inconsistent`);
    return entry.acl;
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  addUsage(id: number): void {
    const entry = this.#byId.get(id);
    if (entry !== undefined) entry.refs++;
  }

  removeUsage(id: number): void {
    const entry = this.#byId.get(id);
    if (entry !== undefined && --entry.refs <= 0) this.#drop(entry);
  }

  references(id: number): number {
    return this.#byId.get(id)?.refs ?? 0;
  }

  /** (id, list) pairs in id order, for the snapshot */
  entries(): [number, readonly ACL[]][] {
    return [...this.#byId.values()].sort((a, b) => a.id - b.id).map((e) => [e.id, e.acl]);
  }

  /** Restores one snapshot entry with no usages; the loader counts them from the nodes, then purges. */
  restore(id: number, acl: readonly ACL[]): void {
    this.#add(id, acl, aclKey(acl));
    if (id > this.#lastId) this.#lastId = id;
  }

  restoreLastId(lastId: number): void {
    if (lastId > this.#lastId) this.#lastId = lastId;
  }

  /** purgeUnused: drops lists that no node uses */
  purgeUnused(): void {
    for (const entry of this.#byId.values()) if (entry.refs <= 0) this.#drop(entry);
  }

  #add(id: number, acl: readonly ACL[], key: string): Entry {
    const copy = acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } }));
    const entry: Entry = { id, acl: copy, refs: 0 };
    this.#byId.set(id, entry);
    this.#byKey.set(key, entry);
    return entry;
  }

  #drop(entry: Entry): void {
    entry.refs = 0;
    this.#byId.delete(entry.id);
    this.#byKey.delete(aclKey(entry.acl));
  }
}
