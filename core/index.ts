export { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.ts";
export { apply } from "./apply.ts";
export { binaryToBytes, bytesToBinary } from "./binary-string.ts";
export { DataTree, parentPath, type TreeError, type TreeParts } from "./data-tree.ts";
export { NodeStore, OwnerKind, packOwner } from "./node-store.ts";
