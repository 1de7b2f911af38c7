/**
 * The price feed: every MARKET_FEED_INTERVAL_MS it takes fresh quotes from the provider chain
 * for the symbols someone holds (asked of portfolios through the market service every ~30 s) or watches (live subscribers on any API
 * instance, see ./quote-relay.ts), stores them in the market caches (so queries agree with the
 * stream) and publishes each on its Redis channel. Custom assets have no ticks and are left out.
 *
 * It runs in the worker (once per deployment, not per API replica), and a Redis lease makes sure
 * that even several workers never publish at the same time: `SET lock token NX PX ttl` takes
 * it, the holder renews it every ttl/3 (compare-and-expire) and releases it on shutdown
 * (compare-and-delete); if the holder dies, its lease lapses and another worker takes over
 * within one ttl. A holder that fails to renew (lost the lease) stops publishing at once.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { createDb, type Db } from '../platform/db.js';
import { createRedis, type Redis, isRedisOutage } from '../platform/redis.js';
import type { RunningWorker } from '../platform/queues.js';
import { publishQuotes, watchedSymbols, type LiveQuote } from './quote-relay.js';
import { MarketService, type SymbolHolder } from './service.js';

export interface PriceFeedOptions {
  /** Time between ticks (ms). */
  intervalMs: number;
  /** How often the held symbols are read again from the database (ms). */
  heldRefreshMs: number;
  /** Lease lifetime without renewal (ms): how long a dead holder blocks the others. */
  lockTtlMs: number;
}

export const DEFAULT_HELD_REFRESH_MS = 30_000;
export const MIN_LOCK_TTL_MS = 5_000;

export function feedLockKey(prefix: string): string {
  return `${prefix}price-feed:lock`;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** A lease in Redis held by at most one process at a time. */
export class RedisLease {
  readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Renews the lease if this process holds it, else tries to take it; true while held. */
  async hold(): Promise<boolean> {
    const renewed = (await this.redis.eval(RENEW, 1, this.key, this.token, this.ttlMs)) as number;
    if (renewed === 1) return true;
    return (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }
}

export interface PriceFeedDeps {
  market: Pick<MarketService, 'heldSymbols' | 'refreshQuotes'>;
  redis: Redis;
  prefix: string;
  log: FastifyBaseLogger;
}

export class PriceFeed {
  private readonly options: PriceFeedOptions;
  private readonly lease: RedisLease;
  private leader = false;
  private held: { symbols: string[]; readAt: number } | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly deps: PriceFeedDeps,
    options: Partial<PriceFeedOptions> & { intervalMs: number },
  ) {
    this.options = {
      heldRefreshMs: DEFAULT_HELD_REFRESH_MS,
      lockTtlMs: Math.max(MIN_LOCK_TTL_MS, 3 * options.intervalMs),
      ...options,
    };
    if (!(this.options.intervalMs > 0)) throw new RangeError('the feed interval must be positive');
    this.lease = new RedisLease(deps.redis, feedLockKey(deps.prefix), this.options.lockTtlMs);
  }

  /** True while this feed holds the lease (and so publishes). */
  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.holdLease();
    this.scheduleLease();
    this.scheduleTick(0);
  }

  /**
   * One round: the symbols held or watched, fresh quotes for them (stored in the caches by the
   * market service), published. Returns what was published (nothing unless leader).
   */
  async tick(): Promise<LiveQuote[]> {
    if (!this.leader) return [];
    const symbols = await this.symbols();
    if (symbols.length === 0) return [];
    const quotes = await this.deps.market.refreshQuotes(symbols);
    // The lease may have been lost while the providers answered.
    if (!this.leader) return [];
    await publishQuotes(this.deps.redis, this.deps.prefix, quotes);
    return quotes;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    await this.running;
    if (this.leader) {
      this.leader = false;
      await this.lease.release().catch((error: unknown) => this.deps.log.warn({ err: error }, 'price feed: could not release the lease'));
    }
  }

  private async symbols(): Promise<string[]> {
    const now = Date.now();
    if (!this.held || now - this.held.readAt >= this.options.heldRefreshMs) {
      this.held = { symbols: await this.deps.market.heldSymbols(), readAt: now };
    }
    const watched = await watchedSymbols(this.deps.redis, this.deps.prefix, now);
    return [...new Set([...this.held.symbols, ...watched])].sort();
  }

  private async holdLease(): Promise<void> {
    const was = this.leader;
    try {
      this.leader = await this.lease.hold();
    } catch (error) {
      // Without Redis nobody can publish anyway; a lease we cannot renew is not ours.
      this.leader = false;
      // A Redis outage is logged once by the connection, not on every check.
      if (!isRedisOutage(error)) this.deps.log.warn({ err: error }, 'price feed: lease check failed');
    }
    if (this.leader !== was)
      this.deps.log.info({ leader: this.leader }, this.leader ? 'price feed: publishing' : 'price feed: standing by');
  }

  private scheduleLease(): void {
    if (this.stopped) return;
    this.leaseTimer = setTimeout(
      () => {
        void this.holdLease().then(() => this.scheduleLease());
      },
      Math.floor(this.options.lockTtlMs / 3),
    );
  }

  /** Ticks never overlap: the next one is scheduled when this one ends. */
  private scheduleTick(delayMs: number): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      const startedAt = Date.now();
      this.running = this.tick()
        .then(
          () => {},
          (error: unknown) => {
            if (!isRedisOutage(error)) this.deps.log.warn({ err: error }, 'price feed: tick failed');
          },
        )
        .finally(() => {
          this.running = null;
          this.scheduleTick(Math.max(0, this.options.intervalMs - (Date.now() - startedAt)));
        });
    }, delayMs);
  }
}

/**
 * The worker part: the feed with its own connections; nothing when MARKET_FEED_INTERVAL_MS is 0.
 * `heldSymbols` reads the held symbols over the feed's connection (the composition root passes
 * the ledger's `heldSymbolsExcept`: market does not read the ledger's tables).
 */
export async function startPriceFeed(
  config: Config,
  log: FastifyBaseLogger,
  heldSymbols: (db: Db, except: readonly SymbolHolder[]) => Promise<string[]>,
): Promise<RunningWorker> {
  if (config.MARKET_FEED_INTERVAL_MS === 0) {
    log.info('price feed off (MARKET_FEED_INTERVAL_MS=0)');
    return { close: async () => {} };
  }
  const db = createDb({ url: config.DATABASE_URL, poolSize: 2 });
  const redis = createRedis(config.REDIS_URL, 'foliograph:price-feed', { log, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS });
  const market = new MarketService({
    config,
    db,
    redis,
    registry: new Registry(),
    logger: log,
    heldSymbols: (except) => heldSymbols(db, except),
  });
  const feed = new PriceFeed({ market, redis, prefix: config.REDIS_PREFIX, log }, { intervalMs: config.MARKET_FEED_INTERVAL_MS });
  await feed.start();
  return {
    async close() {
      await feed.close();
      market.close();
      await db.$disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
