/**
 * Curator's ServiceDiscovery over the API's /v1/services routes (Curator's ServiceInstance JSON,
 * ephemeral under the registering session), a ServiceCache kept current from the events stream, and
 * ServiceProvider's random and round-robin strategies. The cache takes the zxid of a sync, then reads
 * the instances, then follows every event after that zxid, re-reading on each: a change made at any
 * moment after the sync is seen, and a reconnecting stream resumes where it stopped.
 */
import type { InstanceInput, NzkClient, ServiceInstance } from "../sdk/index.ts";

export class ServiceDiscovery {
  readonly #client: NzkClient;

  constructor(client: NzkClient) {
    this.#client = client;
  }

  register(name: string, id: string, instance: InstanceInput): Promise<ServiceInstance> {
    return this.#client.registerService(name, id, instance);
  }

  unregister(name: string, id: string): Promise<void> {
    return this.#client.deregisterService(name, id);
  }

  names(): Promise<readonly string[]> {
    return this.#client.serviceNames();
  }

  instances(name: string): Promise<readonly ServiceInstance[]> {
    return this.#client.serviceInstances(name);
  }

  /** A started cache of the service's instances. */
  async cache(name: string): Promise<ServiceCache> {
    const cache = new ServiceCache(this.#client, name);
    await cache.start();
    return cache;
  }

  /** A provider over a started cache: getInstance() picks among the enabled instances. */
  async provider(name: string, strategy: Strategy = "round-robin"): Promise<ServiceProvider> {
    return new ServiceProvider(await this.cache(name), strategy);
  }
}

export class ServiceCache {
  readonly #client: NzkClient;
  readonly name: string;
  readonly #stop = new AbortController();
  readonly #listeners = new Set<(instances: readonly ServiceInstance[]) => void>();
  #instances: readonly ServiceInstance[] = [];
  #follow: Promise<void> | undefined;

  constructor(client: NzkClient, name: string) {
    this.#client = client;
    this.name = name;
  }

  get instances(): readonly ServiceInstance[] {
    return this.#instances;
  }

  onChange(listener: (instances: readonly ServiceInstance[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    const path = `/services/${this.name}`;
    const since = await this.#client.sync(path);
    await this.#reload();
    const events = this.#client.events(path, { recursive: true, since, signal: this.#stop.signal });
    this.#follow = (async () => {
      for await (const _ of events) await this.#reload();
    })().catch(() => {});
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#follow;
  }

  async #reload(): Promise<void> {
    this.#instances = await this.#client.serviceInstances(this.name);
    for (const listener of [...this.#listeners]) listener(this.#instances);
  }
}

export type Strategy = "random" | "round-robin";

export class ServiceProvider {
  readonly cache: ServiceCache;
  readonly strategy: Strategy;
  #next = 0;

  constructor(cache: ServiceCache, strategy: Strategy) {
    this.cache = cache;
    this.strategy = strategy;
  }

  /** An enabled instance, or undefined when there is none. */
  getInstance(): ServiceInstance | undefined {
    const live = this.cache.instances.filter((i) => i.enabled !== false);
    if (live.length === 0) return undefined;
    if (this.strategy === "random") return live[Math.floor(Math.random() * live.length)];
    return live[this.#next++ % live.length];
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}
