/**
 * The two short-lived cache layers of market data, in front of the providers:
 * - L1: an in-process LRU (a few seconds), so a burst of requests in one replica costs nothing;
 * - L2: Redis (about a minute, JSON, keys under config.REDIS_PREFIX), shared by every replica
 *   and by the price feed, which writes fresh ticks into both layers.
 * Misses are loaded once per key however many requests wait for them (single flight), and a
 * batch of keys misses into one load. "Not found" is cached too (as null), so an unknown symbol
 * does not reach the providers on every request. The permanent layer (L3, daily prices in
 * PostgreSQL) is the price store's business, not this cache's.
 * Redis trouble degrades to L1 and the providers; it never fails a request.
 */
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import { isRedisOutage, type Redis } from '../platform/redis.js';
import type { CacheKind, MarketMetrics } from './metrics.js';
import { SingleFlight } from '../platform/single-flight.js';

export interface TieredCacheOptions {
  redis: Redis;
  /** config.REDIS_PREFIX. */
  prefix: string;
  metrics: MarketMetrics;
  logger: FastifyBaseLogger;
  l1TtlMs?: number;
  l1MaxEntries?: number;
}

/** What a batch load found: `values` are cached; `volatile` ones (fallbacks) only returned. */
export interface LoadResult<T> {
  values: Map<string, T>;
  volatile?: Map<string, T>;
}

export interface CacheKindOptions<T> {
  kind: CacheKind;
  /** Lifetime in Redis. */
  l2TtlSeconds: number;
  /** Rebuilds a value from its JSON (Dates come back as strings). */
  revive: (json: unknown) => T;
}

export const DEFAULT_L1_TTL_MS = 5_000;

export class TieredCache {
  private readonly l1: LRUCache<string, { value: unknown }>;
  private readonly flights = new SingleFlight<{ value: unknown }>();
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly metrics: MarketMetrics;
  private readonly logger: FastifyBaseLogger;

  constructor(options: TieredCacheOptions) {
    this.redis = options.redis;
    this.prefix = `${options.prefix}market:`;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.l1 = new LRUCache({ max: options.l1MaxEntries ?? 20_000, ttl: options.l1TtlMs ?? DEFAULT_L1_TTL_MS });
  }

  /** One key: L1, then L2, then `load` (whose result is stored in both; null means "none"). */
  async get<T>(options: CacheKindOptions<T>, key: string, load: () => Promise<T>): Promise<T> {
    const values = await this.getMany(options, [key], async () => ({ values: new Map([[key, await load()]]) }), null as T);
    return values.get(key) as T;
  }

  /**
   * Many keys of one kind: L1 for each, one Redis MGET for the L1 misses, then one `load` call
   * for what Redis did not have either. Keys `load` leaves out are cached as `missing`.
   */
  async getMany<T>(
    options: CacheKindOptions<T>,
    keys: readonly string[],
    load: (keys: string[]) => Promise<LoadResult<T>>,
    missing: T,
  ): Promise<Map<string, T>> {
    const { kind } = options;
    const result = new Map<string, T>();
    const l1Misses: string[] = [];
    for (const key of new Set(keys)) {
      const entry = this.l1.get(this.l1Key(kind, key));
      if (entry) result.set(key, entry.value as T);
      else l1Misses.push(key);
    }
    this.metrics.lookups('l1', kind, result.size, l1Misses.length);
    if (l1Misses.length === 0) return result;

    const loaded = await this.flights.runBatch(
      l1Misses.map((key) => this.l1Key(kind, key)),
      async (l1Keys) => {
        const batch = l1Keys.map((l1Key) => l1Key.slice(kind.length + 1));
        const found = await this.loadBelowL1(options, batch, load, missing);
        return new Map([...found].map(([key, value]) => [this.l1Key(kind, key), { value }]));
      },
      { value: missing },
    );
    for (const key of l1Misses) result.set(key, loaded.get(this.l1Key(kind, key))!.value as T);
    return result;
  }

  /**
   * Writes values into L1 and, when `shared` (the default), into L2 for every replica.
   * The price feed stores its ticks this way, so queries and subscriptions agree.
   */
  async set<T>(options: CacheKindOptions<T>, values: ReadonlyMap<string, T>, shared = true): Promise<void> {
    for (const [key, value] of values) this.l1.set(this.l1Key(options.kind, key), { value });
    if (!shared || values.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, value] of values) {
      pipeline.set(this.l2Key(options.kind, key), JSON.stringify(value), 'EX', options.l2TtlSeconds);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      if (!isRedisOutage(error)) this.logger.warn({ err: error, kind: options.kind }, 'market cache: writing to Redis failed');
    }
  }

  private async loadBelowL1<T>(
    options: CacheKindOptions<T>,
    keys: string[],
    load: (keys: string[]) => Promise<LoadResult<T>>,
    missing: T,
  ): Promise<Map<string, T>> {
    const found = await this.readL2(options, keys);
    for (const [key, value] of found) this.l1.set(this.l1Key(options.kind, key), { value });
    const l2Misses = keys.filter((key) => !found.has(key));
    this.metrics.lookups('l2', options.kind, found.size, l2Misses.length);
    if (l2Misses.length === 0) return found;

    const { values, volatile } = await load(l2Misses);
    const fresh = new Map<string, T>();
    for (const key of l2Misses) {
      if (volatile?.has(key)) found.set(key, volatile.get(key) as T);
      else fresh.set(key, values.has(key) ? (values.get(key) as T) : missing);
    }
    await this.set(options, fresh);
    for (const [key, value] of fresh) found.set(key, value);
    return found;
  }

  private async readL2<T>(options: CacheKindOptions<T>, keys: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    let raw: Array<string | null>;
    try {
      raw = await this.redis.mget(keys.map((key) => this.l2Key(options.kind, key)));
    } catch (error) {
      if (!isRedisOutage(error)) this.logger.warn({ err: error, kind: options.kind }, 'market cache: reading from Redis failed');
      return found;
    }
    raw.forEach((text, i) => {
      if (text === null) return;
      try {
        found.set(keys[i]!, options.revive(JSON.parse(text)));
      } catch (error) {
        this.logger.warn({ err: error, key: keys[i] }, 'market cache: unreadable Redis entry ignored');
      }
    });
    return found;
  }

  private l1Key(kind: CacheKind, key: string): string {
    return `${kind}:${key}`;
  }

  private l2Key(kind: CacheKind, key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }
}
