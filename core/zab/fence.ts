/**
 * ZAB's rule that a new leader's epoch is above every epoch it recovered, so zxids keep rising in log
 * order. Epochs come from a compare-and-set counter, yet a leader that lost a race to the log tip may
 * hold an epoch that another leader already outran; it must then take a newer one rather than fence.
 */
import { epochOf } from "../zxid.ts";

export function mayFence(epoch: number, recoveredZxid: number, recoveredEpoch: number): boolean {
  return epoch > recoveredEpoch && epoch > epochOf(recoveredZxid);
}
