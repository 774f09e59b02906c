/**
 * ZooKeeper's ReferenceCountedACLCache: every distinct ACL list is stored once under a numeric id and
 * znodes hold the id, so a million znodes with the same ACL share one list. An id is dropped when its
 * last user goes; ids are never reused, and the counter is part of the snapshot so that a restored tree
 * hands out the same ids as one that never stopped.
 */
import { type ACL, OPEN_ACL_UNSAFE } from "./records.ts";

/** ZooKeeper's OPEN_UNSAFE_ACL_ID: the nodes its DataTree constructor makes carry it, uncounted */
export const OPEN_UNSAFE_ACL_ID = -1;

/** List equality as ZooKeeper's List<ACL>.equals: same order, same perms, scheme and id. */
function aclKey(acl: readonly ACL[]): string {
  let key = "";
  for (const a of acl) key += `${a.perms}:${a.id.scheme.length}:${a.id.scheme}${a.id.id.length}:${a.id.id};`;
  return key;
}

function sameList(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

export class AclCache {
  readonly #lists = new Map<number, readonly ACL[]>();
  readonly #ids = new Map<string, number>();
  readonly #refs = new Map<number, number>();
  #lastId = 0;
  /** the list last interned and its id: most creates in a row carry equal ACLs */
  #recent: readonly ACL[] = [];
  #recentId = 0;

  /** the highest id ever handed out (ZooKeeper's aclIndex) */
  get lastId(): number {
    return this.#lastId;
  }

  /** number of distinct lists held */
  get size(): number {
    return this.#lists.size;
  }

  /** convertAcls: the id for this list, interned if new, with one more usage counted */
  intern(acl: readonly ACL[]): number {
    if (sameList(acl, this.#recent) && this.#lists.get(this.#recentId) === this.#recent) {
      this.addUsage(this.#recentId);
      return this.#recentId;
    }
    const key = aclKey(acl);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = ++this.#lastId;
      this.#lists.set(
        id,
        acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })),
      );
      this.#ids.set(key, id);
    }
    this.addUsage(id);
    this.#recent = this.#lists.get(id)!;
    this.#recentId = id;
    return id;
  }

  /** convertLong */
  lookup(id: number): readonly ACL[] {
    if (id === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE;
    const acl = this.#lists.get(id);
    if (acl === undefined) throw new Error(`ACL cache holds no list ${id}: the tree is inconsistent`);
    return acl;
  }

  has(id: number): boolean {
    return this.#lists.has(id);
  }

  addUsage(id: number): void {
    if (!this.#lists.has(id)) return;
    this.#refs.set(id, (this.#refs.get(id) ?? 0) + 1);
  }

  removeUsage(id: number): void {
    if (!this.#lists.has(id)) return;
    const left = (this.#refs.get(id) ?? 0) - 1;
    if (left > 0) {
      this.#refs.set(id, left);
      return;
    }
    this.#drop(id);
  }

  references(id: number): number {
    return this.#refs.get(id) ?? 0;
  }

  /** (id, list) pairs in id order, for the snapshot */
  entries(): [number, readonly ACL[]][] {
    return [...this.#lists].sort((a, b) => a[0] - b[0]);
  }

  /** Restores one snapshot entry with no usages; the loader counts them from the nodes, then purges. */
  restore(id: number, acl: readonly ACL[]): void {
    this.#lists.set(id, acl);
    this.#ids.set(aclKey(acl), id);
    if (id > this.#lastId) this.#lastId = id;
  }

  restoreLastId(lastId: number): void {
    if (lastId > this.#lastId) this.#lastId = lastId;
  }

  /** purgeUnused: drops lists that no node uses */
  purgeUnused(): void {
    for (const id of this.#lists.keys()) if (!this.#refs.has(id)) this.#drop(id);
  }

  #drop(id: number): void {
    const acl = this.#lists.get(id);
    if (acl !== undefined) this.#ids.delete(aclKey(acl));
    this.#lists.delete(id);
    this.#refs.delete(id);
  }
}
