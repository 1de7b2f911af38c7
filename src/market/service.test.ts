/**
 * The market service's cache layers against real PostgreSQL and Redis, with a call-counting
 * provider first in the chain: single flight, L1, L2 across app instances, L3 history with
 * partial fetches, the universe sync, and the stale fallback when every provider fails.
 */
import { Decimal } from 'decimal.js';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buyOfInvestment } from '../ledger/buys.js';
import { CountingProvider } from '../../test/counting-provider.js';
import { startTestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { SimulatedProvider } from './providers/simulated.js';
import { UNIVERSE } from './providers/universe.js';
import type { MarketService } from './service.js';

let provider: CountingProvider;
let market: MarketService;

beforeAll(async () => {
  provider = new CountingProvider();
});
const t = useTestApp(() => ({ marketProviders: [provider] }));
beforeAll(async () => {
  market = t.app.services.market;
});
beforeEach(() => provider.reset());

async function counter(layer: string, kind: string, result: 'hit' | 'miss', service = market): Promise<number> {
  const metric = await service.metrics.cacheLookups.get();
  return metric.values.find((v) => v.labels.layer === layer && v.labels.kind === kind && v.labels.result === result)?.value ?? 0;
}

describe('the symbol master', () => {
  it('holds the simulated universe as market assets after start, and syncing again adds nothing', async () => {
    const count = await t.app.services.db.asset.count({ where: { ownerId: null } });
    expect(count).toBe(UNIVERSE.length);
    expect(await market.syncMarketAssets()).toBe(0);
    const apple = await t.app.services.db.asset.findFirstOrThrow({ where: { symbol: 'AAPL', ownerId: null } });
    expect(apple).toMatchObject({ name: 'Apple Inc.', type: 'STOCK', currency: 'USD', exchange: 'NASDAQ' });
  });
});

describe('quotes', () => {
  it('loads a symbol once for ten concurrent requests (single flight)', async () => {
    const l2MissesBefore = await counter('l2', 'quote', 'miss');
    const quotes = await Promise.all(Array.from({ length: 10 }, () => market.quote('msft', null)));
    expect(provider.of('quotes')).toEqual([{ operation: 'quotes', args: [['MSFT']] }]);
    expect(new Set(quotes.map((q) => q?.price)).size).toBe(1);
    expect(quotes[0]).toMatchObject({ symbol: 'MSFT', currency: 'USD', source: 'simulated' });
    expect((await counter('l2', 'quote', 'miss')) - l2MissesBefore).toBe(1);
  });

  it('answers again within 5 s from L1 without a provider call', async () => {
    const first = await market.quote('NVDA', null);
    provider.reset();
    const hitsBefore = await counter('l1', 'quote', 'hit');
    const second = await market.quote('NVDA', null);
    expect(provider.calls).toEqual([]);
    expect(second).toEqual(first);
    expect((await counter('l1', 'quote', 'hit')) - hitsBefore).toBe(1);
  });

  it('shares quotes with another app instance through Redis (L2)', async () => {
    const first = await market.quote('GOOGL', null);
    const otherProvider = new CountingProvider();
    const other = await startTestApp({ database: t.database, redisPrefix: t.config.REDIS_PREFIX, marketProviders: [otherProvider] });
    try {
      const second = await other.app.services.market.quote('GOOGL', null);
      expect(otherProvider.calls).toEqual([]);
      expect(second).toEqual(first);
      expect(second!.timestamp).toBeInstanceOf(Date);
      expect(await counter('l2', 'quote', 'hit', other.app.services.market)).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('batches the misses of many symbols into one provider call and keeps the order asked', async () => {
    await market.quote('AMZN', null); // cached already: not asked again
    provider.reset();
    // A symbol no asset has is refused by name, after the one batched provider call asked for it.
    await expect(market.quotes(['META', 'amzn', 'NOPE-X', 'TSLA', 'META'], null)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'symbols', message: 'unknown symbol NOPE-X' }] },
    });
    expect(provider.of('quotes')).toEqual([{ operation: 'quotes', args: [['META', 'NOPE-X', 'TSLA']] }]);
    const quotes = await market.quotes(['META', 'amzn', 'TSLA', 'META'], null);
    expect(quotes.map((q) => q.symbol)).toEqual(['META', 'AMZN', 'TSLA']);
  });

  it('remembers unknown symbols for a while (negative cache)', async () => {
    expect(await market.quote('UNKNOWN1', null)).toBeNull();
    expect(await market.quote('UNKNOWN1', null)).toBeNull();
    expect(provider.of('quotes')).toHaveLength(1);
  });

  it('stores ticks from the price feed where queries read them', async () => {
    const [fresh] = await market.refreshQuotes(['AVGO']);
    provider.reset();
    expect(await market.quote('AVGO', null)).toEqual(fresh);
    expect(provider.calls).toEqual([]);
    const tick = { ...fresh!, price: '1.23', timestamp: new Date('2026-01-01T00:00:00.000Z') };
    await market.storeTicks([tick]);
    expect(await market.quote('AVGO', null)).toEqual(tick);
  });

  it('lists the market symbols held in portfolios, not custom ones', async () => {
    const db = t.app.services.db;
    const user = await db.user.create({ data: { email: 'held@example.com', name: 'Held', passwordHash: 'x' } });
    await db.asset.create({ data: { symbol: 'MYBOAT', name: 'Boat', type: 'OTHER', currency: 'USD', ownerId: user.id } });
    await db.portfolio.create({
      data: {
        ownerId: user.id,
        name: 'p',
        transactions: {
          create: ['KO', 'MYBOAT', 'KO', 'PEP'].map((symbol) =>
            buyOfInvestment({ symbol, quantity: '1', purchasePrice: '1', purchaseDate: '2024-01-02' }),
          ),
        },
      },
    });
    expect(await market.heldSymbols()).toEqual(['KO', 'PEP']);
  });
});

describe('daily history (L3: PostgreSQL)', () => {
  const simulated = new SimulatedProvider();
  /** What the simulated source says, as the service returns it: canonical decimals, labelled. */
  const simulatedHistory = async (symbol: string, from: string, to: string) =>
    (await simulated.history(symbol, from, to)).map((c) => ({
      ...c,
      open: new Decimal(c.open).toFixed(),
      high: new Decimal(c.high).toFixed(),
      low: new Decimal(c.low).toFixed(),
      close: new Decimal(c.close).toFixed(),
      source: 'simulated',
    }));

  it('fetches a range once, stores it, and serves it from PostgreSQL the second time', async () => {
    const range = { from: '2024-01-01', to: '2024-03-31' };
    const first = await market.dailyHistory('JPM', range, null);
    expect(provider.of('history')).toEqual([{ operation: 'history', args: ['JPM', '2024-01-01', '2024-03-31'] }]);
    const expected = await simulatedHistory('JPM', range.from, range.to);
    expect(first).toEqual(expected);

    provider.reset();
    const hitsBefore = await counter('l3', 'history', 'hit');
    const second = await market.dailyHistory('JPM', range, null);
    expect(provider.calls).toEqual([]);
    expect(second).toEqual(expected);
    expect((await counter('l3', 'history', 'hit')) - hitsBefore).toBe(1);
    const stored = await t.app.services.db.dailyPrice.count({ where: { asset: { symbol: 'JPM', ownerId: null } } });
    expect(stored).toBe(expected.length);
  });

  it('fetches only the missing days of a wider range', async () => {
    await market.dailyHistory('BAC', { from: '2024-01-01', to: '2024-03-31' }, null);
    provider.reset();
    const wider = await market.dailyHistory('BAC', { from: '2023-12-01', to: '2024-04-30' }, null);
    expect(provider.of('history').map((c) => c.args)).toEqual([
      ['BAC', '2023-12-01', '2023-12-31'],
      ['BAC', '2024-04-01', '2024-04-30'],
    ]);
    expect(wider).toEqual(await simulatedHistory('BAC', '2023-12-01', '2024-04-30'));
    provider.reset();
    await market.dailyHistory('BAC', { from: '2023-12-15', to: '2024-04-15' }, null);
    expect(provider.calls).toEqual([]);
  });

  it('remembers days without trading: a weekend is not asked again', async () => {
    const weekend = { from: '2024-06-08', to: '2024-06-09' };
    expect(await market.dailyHistory('WFC', weekend, null)).toEqual([]);
    provider.reset();
    expect(await market.dailyHistory('WFC', weekend, null)).toEqual([]);
    expect(provider.calls).toEqual([]);
  });

  it('loads a range once for concurrent requests', async () => {
    const range = { from: '2023-01-01', to: '2023-01-31' };
    const results = await Promise.all(Array.from({ length: 5 }, () => market.dailyHistory('GS', range, null)));
    expect(provider.of('history')).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it('creates the market asset of a symbol the providers know but the symbol master lacks', async () => {
    const db = t.app.services.db;
    await db.asset.deleteMany({ where: { symbol: 'IBM', ownerId: null } });
    const candles = await market.dailyHistory('IBM', { from: '2024-02-01', to: '2024-02-29' }, null);
    expect(candles.length).toBeGreaterThan(15);
    const ibm = await db.asset.findFirstOrThrow({ where: { symbol: 'IBM', ownerId: null }, include: { historyCoverage: true } });
    expect(ibm).toMatchObject({ name: 'International Business Machines Corporation', type: 'STOCK', currency: 'USD' });
    expect(ibm.historyCoverage?.fromDate.toISOString().slice(0, 10)).toBe('2024-02-01');
  });

  it('returns nothing and stores nothing for an unknown symbol', async () => {
    expect(await market.dailyHistory('NOSUCH', { from: '2024-01-01', to: '2024-01-31' }, null)).toEqual([]);
    expect(await t.app.services.db.asset.count({ where: { symbol: 'NOSUCH' } })).toBe(0);
    expect(provider.of('history')).toEqual([]);
  });

  it("serves today's candle from the short-lived caches, never from the permanent store", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const candles = await market.dailyHistory('BTC-USD', { from: today, to: today }, null);
    expect(candles.map((c) => c.date)).toEqual([today]);
    provider.reset();
    expect(await market.dailyHistory('BTC-USD', { from: today, to: today }, null)).toEqual(candles);
    expect(provider.calls).toEqual([]);
    expect(
      await t.app.services.db.dailyPrice.count({ where: { asset: { symbol: 'BTC-USD' }, date: new Date(`${today}T00:00:00Z`) } }),
    ).toBe(0);
  });
});

describe('when every provider fails', () => {
  it('quotes fall back to the latest stored close, uncached, and history serves what is stored', async () => {
    const failing = new CountingProvider();
    const outage = await startTestApp({ marketProviders: [failing], env: { MARKET_PROVIDERS: '' } });
    try {
      const service = outage.app.services.market;
      await service.dailyHistory('XOM', { from: '2024-01-02', to: '2024-01-05' }, null);
      failing.failWith = new Error('upstream down');
      failing.reset();
      const quote = await service.quote('XOM', null);
      const stored = (await new SimulatedProvider().history('XOM', '2024-01-04', '2024-01-05')).map((c) => new Decimal(c.close).toFixed());
      expect(quote).toMatchObject({
        symbol: 'XOM',
        price: stored[1],
        source: 'simulated',
        timestamp: new Date('2024-01-05T00:00:00.000Z'),
      });
      expect(quote!.change).not.toBeNull();
      expect(await service.quote('XOM', null)).toEqual(quote);
      expect(failing.of('quotes')).toHaveLength(2); // a stale answer is not cached
      expect(await service.dailyHistory('XOM', { from: '2024-01-01', to: '2024-01-10' }, null)).toHaveLength(4);
    } finally {
      await outage.close();
    }
  });
});
