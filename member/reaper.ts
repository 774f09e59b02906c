/**
 * The leader's container and TTL reaper (ZooKeeper's ContainerManager): every interval it asks core
 * which containers and TTL nodes are due and submits a reap request for each, which prep checks again,
 * so a node that gained a child meanwhile survives. Deletions are ordinary txns, seen by every member.
 */
import { reapCandidates } from "../core/index.ts";
import type { Replica } from "./replica.ts";

export class Reaper {
  readonly #timer: NodeJS.Timeout;

  constructor(
    replica: Replica,
    submit: (path: string) => Promise<unknown>,
    intervalMs: number,
    maxPerRun: number,
  ) {
    this.#timer = setInterval(() => {
      for (const path of reapCandidates(replica.tree, Date.now(), maxPerRun)) void submit(path);
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
