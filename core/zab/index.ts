export { Contact } from "./contact.ts";
export { ExpiryQueue } from "./expiry-queue.ts";
export { type DetectorConfig, FailureDetector } from "./failure-detector.ts";
export { mayFence } from "./fence.ts";
export { GroupCommit, type GroupCommitConfig } from "./group-commit.ts";
export {
  mayStand,
  nonLeaderState,
  type Role,
  type StatusMode,
  statusMode,
  type ZabState,
  ZabStates,
} from "./state.ts";
export { type Allocation, ZxidAllocator } from "./zxid-allocator.ts";
