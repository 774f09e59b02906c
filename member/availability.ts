/**
 * Whether a member serves (ZooKeeper's isRunning): once recovered, until closed, and while in contact
 * with its leadership or JetStream's quorum (core/zab/contact.ts). The member reports what it hears;
 * check() runs on every tick of its leader watch and logs and announces each change, which is how the
 * ZooKeeper port learns to close its connections.
 */
import { Contact } from "../core/zab/index.ts";
import type { Logger } from "./member.ts";

export class Availability {
  readonly #contact: Contact;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #listeners = new Set<(serving: boolean) => void>();
  #ready = false;
  #closed = false;
  /** whether the member served at the latest check */
  #served = false;

  /** now: the clock (performance.now; a test's own) */
  constructor(contactLimitMs: number, log: Logger, now: () => number = () => performance.now()) {
    this.#now = now;
    this.#contact = new Contact(contactLimitMs, now());
    this.#log = log;
  }

  get ready(): boolean {
    return this.#ready;
  }

  recovered(): void {
    this.#ready = true;
    this.#served = true;
    this.heard();
  }

  /** An answer from the leadership or the quorum. */
  heard(now = this.#now()): void {
    this.#contact.heard(now);
  }

  close(): void {
    this.#closed = true;
  }

  /** Why the member does not serve now (for ConnectionLoss and ruok), or undefined when it does. */
  unavailable(): string | undefined {
    if (this.#closed) return "this member is closed";
    if (!this.#ready) return "this member is still recovering";
    const now = this.#now();
    if (this.#contact.inContact(now)) return undefined;
    const silent = Math.round(this.#contact.silentMs(now));
    return `this member has heard neither its leader nor JetStream for ${silent} ms; use another member`;
  }

  /** Calls listener whenever the member starts or stops serving; returns the unsubscribe. */
  onChange(listener: (serving: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Notices, logs and announces a change since the last check. */
  check(): void {
    const why = this.unavailable();
    if ((why === undefined) === this.#served) return;
    this.#served = why === undefined;
    if (why === undefined) this.#log("serving again");
    else this.#log("stopped serving", { level: "warn", reason: why });
    for (const listener of this.#listeners) listener(this.#served);
  }
}
