export { checkACL, fixupACL, parsePerms, permsToString, sameACL } from "./acl.ts";
export { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.ts";
export { adler32 } from "./adler32.ts";
export { apply } from "./apply.ts";
export { type AuthConfig, authenticate, generateDigest, ipIdentity, SUPER_ID } from "./auth.ts";
export { binaryToBytes, bytesToBinary } from "./binary-string.ts";
export { DataTree, parentPath, type TreeError, type TreeParts } from "./data-tree.ts";
export {
  CONTAINER_OWNER,
  type EphemeralKind,
  ephemeralKind,
  isValidTtl,
  MAX_TTL,
  ttlOf,
  ttlOwner,
} from "./ephemeral-type.ts";
export { hostAddress, ipMatches, isValidIpAcl } from "./ip.ts";
export { JuteReader, JuteWriter } from "./jute.ts";
export { keeperError } from "./keeper-error.ts";
export { NodeStore, OwnerKind, packOwner } from "./node-store.ts";
export {
  CONFIG_PATH,
  isSpecialPath,
  joinPath,
  nameOf,
  parentOf,
  QUOTA_PATH,
  ROOT,
  validatePath,
  ZOOKEEPER_PATH,
} from "./paths.ts";
export { type Prepared, Preparer, sequenceSuffix, txnError } from "./prep.ts";
export { exists, getACL, getAllChildrenNumber, getChildren, getData, getEphemerals } from "./read.ts";
export { type ReapView, reapCandidates } from "./reap.ts";
export {
  deserializeSnapshot,
  SNAPSHOT_FORMAT,
  serializeSnapshot,
  snapshotReader,
  snapshotWriter,
} from "./snapshot.ts";
export { decodeTxns, encodeTxns, TXN_FORMAT } from "./txn-codec.ts";
