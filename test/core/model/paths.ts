/**
 * Path rules of the reference model, transcribed from ZooKeeper 3.9's PathUtils.validatePath and
 * DataTree.isSpecialPath. Kept apart from core/ on purpose: the model must not share code with what it checks.
 */

/** PathUtils.validatePath, character for character (Java chars are UTF-16 code units, as here). */
export function isValidPath(path: string): boolean {
  if (path.length === 0 || path[0] !== "/") return false;
  if (path.length === 1) return true;
  if (path.endsWith("/")) return false;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const prev = path[i - 1];
    const endsSegment = i + 1 === path.length || path[i + 1] === "/";
    if (c === 0) return false;
    if (path[i] === "/" && prev === "/") return false;
    if (path[i] === "." && prev === "." && path[i - 2] === "/" && endsSegment) return false;
    if (path[i] === "." && prev === "/" && endsSegment) return false;
    if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return false;
    }
  }
  return true;
}

/** The client's check before a create (ZooKeeper.create): a sequential path may end in "/". */
export function isValidCreatePath(path: string, sequential: boolean): boolean {
  return isValidPath(sequential ? `${path}1` : path);
}

/** DataTree.isSpecialPath: the nodes no client may delete. */
export const SPECIAL_PATHS: ReadonlySet<string> = new Set([
  "/",
  "/zookeeper",
  "/zookeeper/quota",
  "/zookeeper/config",
]);

export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === 0 ? "/" : path.slice(0, slash);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}
