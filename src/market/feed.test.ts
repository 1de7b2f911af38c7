/**
 * The price feed's lease: of two feeds of one deployment only one publishes; when it stops (or
 * dies without releasing), the other takes over. Each feed has its own MarketService here, as
 * each worker process would, so the provider calls show which one is publishing.
 */
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { eventually } from '../../test/ws.js';
import { PriceFeed, feedLockKey, startPriceFeed } from './feed.js';
import type { LiveQuote } from './quote-relay.js';
import { MarketService } from './service.js';
import { heldSymbolsExcept } from '../ledger/index.js';

const running: Array<{ feed: PriceFeed; market: MarketService }> = [];

const t = useTestApp();
afterAll(async () => {
  for (const { feed, market } of running) {
    await feed.close();
    market.close();
  }
});

const LOCK_TTL_MS = 600;

function worker(): { feed: PriceFeed; market: MarketService; providerCalls: () => Promise<number> } {
  const { config, db, redis } = t.app.services;
  const market = new MarketService({ config, db, redis, registry: new Registry(), logger: t.app.log });
  const feed = new PriceFeed({ market, redis, prefix: config.REDIS_PREFIX, log: t.app.log }, { intervalMs: 50, lockTtlMs: LOCK_TTL_MS });
  running.push({ feed, market });
  const providerCalls = async () =>
    (await market.metrics.providerCalls.get()).values.filter((v) => v.labels.operation === 'quotes').reduce((sum, v) => sum + v.value, 0);
  return { feed, market, providerCalls };
}

/** Collects the ticks of `symbol` that reach this instance. */
async function collect(symbol: string): Promise<{ ticks: LiveQuote[]; stop: () => void }> {
  const ticks: LiveQuote[] = [];
  const stop = await t.app.services.live.relay.watch([symbol], (quote) => ticks.push(quote));
  return { ticks, stop };
}

describe('the price feed lease', () => {
  it('lets one of two feeds publish, and the other take over when it stops', async () => {
    const watched = await collect('AAPL');
    const first = worker();
    const second = worker();
    await first.feed.start();
    await second.feed.start();
    expect([first.feed.isLeader, second.feed.isLeader]).toEqual([true, false]);

    await eventually(
      () => watched.ticks.length,
      (n) => n >= 5,
    );
    expect(await first.providerCalls()).toBeGreaterThan(0);
    expect(await second.providerCalls()).toBe(0);
    expect(await second.feed.tick()).toEqual([]);
    // One publisher: ticks come at most once per interval, never doubled.
    const counted = watched.ticks.length;
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    expect(watched.ticks.length - counted).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 50) + 1);

    await first.feed.close();
    expect(await t.app.services.redis.get(feedLockKey(t.config.REDIS_PREFIX))).toBeNull();
    await eventually(
      () => second.feed.isLeader,
      (leader) => leader,
      LOCK_TTL_MS * 2,
    );
    const before = watched.ticks.length;
    await eventually(
      () => watched.ticks.length,
      (n) => n >= before + 3,
    );
    expect(await second.providerCalls()).toBeGreaterThan(0);
    await second.feed.close();
    watched.stop();
  });

  it('takes over from a holder that died without releasing, once its lease lapses', async () => {
    const key = feedLockKey(t.config.REDIS_PREFIX);
    await t.app.services.redis.set(key, 'a-worker-that-crashed', 'PX', LOCK_TTL_MS);
    const standby = worker();
    const startedAt = Date.now();
    await standby.feed.start();
    expect(standby.feed.isLeader).toBe(false);
    await eventually(
      () => standby.feed.isLeader,
      (leader) => leader,
      LOCK_TTL_MS * 3,
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(LOCK_TTL_MS - 100);
    expect(await t.app.services.redis.get(key)).not.toBe('a-worker-that-crashed');
    await standby.feed.close();
  });

  it('runs as a worker part: ticking with an interval, not at all with MARKET_FEED_INTERVAL_MS=0', async () => {
    const key = feedLockKey(t.config.REDIS_PREFIX);
    const watched = await collect('MSFT');
    const off = await startPriceFeed({ ...t.config, MARKET_FEED_INTERVAL_MS: 0 }, t.app.log, heldSymbolsExcept);
    await new Promise((r) => setTimeout(r, 200));
    expect(watched.ticks).toEqual([]);
    expect(await t.app.services.redis.get(key)).toBeNull();
    await off.close();

    const on = await startPriceFeed({ ...t.config, MARKET_FEED_INTERVAL_MS: 50 }, t.app.log, heldSymbolsExcept);
    await eventually(
      () => watched.ticks.length,
      (n) => n >= 3,
    );
    expect(watched.ticks[0]).toMatchObject({ symbol: 'MSFT', source: 'simulated' });
    expect(await t.app.services.redis.get(key)).not.toBeNull();
    await on.close();
    // Shutdown hands the lease back at once.
    expect(await t.app.services.redis.get(key)).toBeNull();
    watched.stop();
  });
});
