/**
 * Subscription.quotes and Subscription.portfolioValuation end to end: the real graphql-ws client
 * on instance B of a deployment, ticks published on instance A (by a test or by the price feed),
 * both instances sharing PostgreSQL and Redis.
 */
import { Decimal } from 'decimal.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateCustomAssetDocument,
  LivePortfolioValuationDocument,
  LiveQuotesDocument,
  MarketQuoteDocument,
  SharePortfolioDocument,
  UnsharePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { disposeClients, eventually, listen, subscribe, wsClient } from '../../test/ws.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { PriceFeed } from './feed.js';
import { quoteChannel, watchedSymbols, type LiveQuote } from './quote-relay.js';

let urlB: string;
const RESYNC_MS = 300;

const a = useTestApp();
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX, live: { resyncMs: RESYNC_MS } }));
beforeAll(async () => {
  urlB = await listen(b);
});
afterEach(async () => {
  // A test that failed midway must not leave subscriptions for the next one to trip over.
  await disposeClients();
  await eventually(
    () => b.app.services.live.relay.localSymbols(),
    (symbols) => symbols.length === 0,
  );
});

const prefix = () => a.config.REDIS_PREFIX;

async function quoteChannels(): Promise<string[]> {
  return ((await a.app.services.redis.pubsub('CHANNELS', `${prefix()}quote:*`)) as string[]).sort();
}

/** Resolves once instance B's Redis subscriptions for `symbols` are confirmed. */
async function subscribedOnB(symbols: string[]): Promise<void> {
  for (const symbol of symbols) {
    await eventually(
      async () => (await a.app.services.redis.pubsub('NUMSUB', quoteChannel(prefix(), symbol))) as [string, number],
      ([, count]) => count >= 1,
    );
  }
}

let sequence = 0;
function tick(symbol: string, price: string): LiveQuote {
  return {
    symbol,
    price,
    change: '0.50',
    changePercent: 0.4,
    previousClose: new Decimal(price).minus('0.5').toFixed(),
    currency: 'USD',
    timestamp: new Date(Date.UTC(2026, 10, 24, 15, 0, 0, ++sequence)),
    source: 'test',
  };
}

function publishOnA(quotes: LiveQuote[]): Promise<void> {
  return a.app.services.live.relay.publish(quotes);
}

describe('Subscription.quotes', () => {
  it('delivers every tick published on instance A to a client on instance B, in order', async () => {
    const user = await createTestUser(a);
    const client = wsClient(urlB, user.token);
    const live = subscribe(client, LiveQuotesDocument, { symbols: ['aapl', 'MSFT'] });
    await subscribedOnB(['AAPL', 'MSFT']);

    const published = Array.from({ length: 20 }, (_, i) => tick(i % 2 ? 'MSFT' : 'AAPL', `${200 + i}.125`));
    await publishOnA(published);
    const received = [];
    for (let i = 0; i < published.length; i++) received.push((await live.data()).quotes);
    expect(received).toEqual(
      published.map((q) => ({
        symbol: q.symbol,
        price: q.price,
        change: '0.5',
        changePercent: 0.4,
        currency: 'USD',
        timestamp: q.timestamp.toISOString(),
        source: 'test',
      })),
    );

    // Queries on B agree with the stream: the tick is in B's cache too.
    const quote = await b.gql(MarketQuoteDocument, { symbol: 'AAPL' }, { token: user.token });
    expect(ok(quote).quote?.price).toBe(published[18]!.price);

    live.unsubscribe();
    await client.dispose();
    // The last local subscriber left: B unsubscribes in Redis and stops advertising the symbols.
    expect(await eventually(quoteChannels, (channels) => channels.length === 0)).toEqual([]);
    expect(
      await eventually(
        () => watchedSymbols(a.app.services.redis, prefix()),
        (s) => s.length === 0,
      ),
    ).toEqual([]);
  });

  it('shares one Redis subscription among the subscribers of an instance', async () => {
    const user = await createTestUser(a);
    const client = wsClient(urlB, user.token);
    const first = subscribe(client, LiveQuotesDocument, { symbols: ['VTI'] });
    const second = subscribe(client, LiveQuotesDocument, { symbols: ['VTI'] });
    // Both subscriptions registered on B (not just the first), and B's channel confirmed.
    await eventually(
      () => b.app.services.live.relay.listenerCount('VTI'),
      (count) => count === 2,
    );
    await subscribedOnB(['VTI']);
    await publishOnA([tick('VTI', '250.5')]);
    expect((await first.data()).quotes.price).toBe('250.5');
    expect((await second.data()).quotes.price).toBe('250.5');
    expect(await a.app.services.redis.pubsub('NUMSUB', quoteChannel(prefix(), 'VTI'))).toEqual([quoteChannel(prefix(), 'VTI'), 1]);

    first.unsubscribe();
    // One subscriber is left: the channel stays.
    await publishOnA([tick('VTI', '251')]);
    expect((await second.data()).quotes.price).toBe('251');
    expect(await quoteChannels()).toEqual([quoteChannel(prefix(), 'VTI')]);
    second.unsubscribe();
    await eventually(quoteChannels, (channels) => channels.length === 0);
    await client.dispose();
  });

  it('refuses unknown symbols by name, and never listens for custom assets', async () => {
    const user = await createTestUser(a);
    ok(
      await a.gql(
        CreateCustomAssetDocument,
        { input: { symbol: 'MYFLAT', name: 'My flat', type: 'REAL_ESTATE', currency: 'EUR' } },
        { token: user.token },
      ),
    );
    const client = wsClient(urlB, user.token);

    const tooMany = subscribe(client, LiveQuotesDocument, { symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) });
    const refused = await tooMany.next();
    expect(refused).toMatchObject({ type: 'next', result: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });

    const unknown = subscribe(client, LiveQuotesDocument, { symbols: ['AAPL', 'NOSUCHSYMBOL'] });
    expect(await unknown.next()).toMatchObject({
      type: 'next',
      result: {
        errors: [{ extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'symbols', message: 'unknown symbol NOSUCHSYMBOL' }] } }],
      },
    });

    const mixed = subscribe(client, LiveQuotesDocument, { symbols: ['MYFLAT', 'AAPL'] });
    await subscribedOnB(['AAPL']);
    expect(b.app.services.live.relay.localSymbols()).toEqual(['AAPL']);
    await publishOnA([tick('MYFLAT', '2'), tick('AAPL', '3')]);
    expect((await mixed.data()).quotes.symbol).toBe('AAPL');
    mixed.unsubscribe();
    await client.dispose();
  });
});

describe('the price feed', () => {
  it('publishes the held and the watched symbols; subscribers get its ticks and queries agree', async () => {
    const owner = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner);
    await addInvestment(a, owner, portfolio.id, { symbol: 'NVDA' });
    ok(
      await a.gql(
        CreateCustomAssetDocument,
        { input: { symbol: 'BOAT', name: 'Boat', type: 'OTHER', currency: 'USD' } },
        { token: owner.token },
      ),
    );
    await addInvestment(a, owner, portfolio.id, { symbol: 'BOAT' });

    const watcher = await createTestUser(a);
    const client = wsClient(urlB, watcher.token);
    const live = subscribe(client, LiveQuotesDocument, { symbols: ['MSFT'] });
    await subscribedOnB(['MSFT']);

    const feed = new PriceFeed(
      { market: a.app.services.market, redis: a.app.services.redis, prefix: prefix(), log: a.app.log },
      { intervalMs: 100 },
    );
    await feed.start();
    const ticks: Array<{ symbol: string; price: string; timestamp: string; source: string }> = [];
    try {
      // Held (NVDA) and watched (MSFT); the custom asset BOAT has no ticks.
      const published = await feed.tick();
      expect(published.map((q) => q.symbol).sort()).toEqual(['MSFT', 'NVDA']);
      ticks.push((await live.data()).quotes, (await live.data()).quotes, (await live.data()).quotes);
      expect(ticks.every((q) => q.symbol === 'MSFT' && q.source === 'simulated')).toBe(true);
      expect(new Set(ticks.map((q) => q.timestamp)).size).toBe(3);
    } finally {
      await feed.close();
    }
    // The last tick the client saw is what a query answers, on either instance.
    await new Promise((r) => setTimeout(r, 200));
    let last = ticks.at(-1)!;
    for (const event of live.pending()) if (event.type === 'next' && event.result.data) last = event.result.data.quotes;
    for (const instance of [a, b]) {
      expect(ok(await instance.gql(MarketQuoteDocument, { symbol: 'MSFT' }, { token: watcher.token })).quote).toMatchObject({
        price: last.price,
        timestamp: last.timestamp,
      });
    }
    live.unsubscribe();
    await client.dispose();
  });
});

describe('Subscription.portfolioValuation', () => {
  let owner: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let portfolioId: string;

  beforeAll(async () => {
    [owner, viewer, stranger] = await Promise.all([createTestUser(a), createTestUser(a), createTestUser(a)]);
    portfolioId = (await createPortfolio(a, owner, { name: 'Live' })).id;
    await addInvestment(a, owner, portfolioId, { symbol: 'AAPL', quantity: '10', purchasePrice: '100' });
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
  });

  it('is NOT_FOUND for someone who cannot see the portfolio', async () => {
    const client = wsClient(urlB, stranger.token);
    for (const id of [portfolioId, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const live = subscribe(client, LivePortfolioValuationDocument, { id });
      expect(await live.next()).toMatchObject({ type: 'next', result: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
      expect((await live.next()).type).toBe('complete');
    }
    await client.dispose();
  });

  it('gives a viewer the valuation at once and again after each tick of its symbols', async () => {
    const client = wsClient(urlB, viewer.token);
    const live = subscribe(client, LivePortfolioValuationDocument, { id: portfolioId });
    const first = (await live.data()).portfolioValuation;
    expect(first).toMatchObject({ portfolioId, totalCost: '1000' });
    await subscribedOnB(['AAPL']);

    await publishOnA([tick('AAPL', '123.45')]);
    const moved = (await live.data()).portfolioValuation;
    expect(moved).toMatchObject({
      portfolioId,
      totalValue: '1234.5',
      totalCost: '1000',
      unrealizedGain: '234.5',
      unrealizedGainPercent: 23.45,
      dayChange: '5',
    });

    // A tick of a symbol the portfolio does not hold changes nothing.
    await publishOnA([tick('MSFT', '999')]);
    await expect(live.next(400)).rejects.toThrow(/no subscription event/);
    live.unsubscribe();
    await client.dispose();
  });

  it('sends at most one valuation per 250 ms, always ending on the latest tick', async () => {
    const client = wsClient(urlB, owner.token);
    const live = subscribe(client, LivePortfolioValuationDocument, { id: portfolioId });
    await live.data();
    await subscribedOnB(['AAPL']);
    await new Promise((r) => setTimeout(r, 300));

    // A tick every ~20 ms for about a second: unthrottled, that would be ~50 valuations.
    const prices = Array.from({ length: 50 }, (_, i) => `${110 + i}.5`);
    const startedAt = Date.now();
    for (const price of prices) {
      await publishOnA([tick('AAPL', price)]);
      await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = Date.now() - startedAt;
    await new Promise((r) => setTimeout(r, 600));
    const valuations = live.pending().map((event) => {
      if (event.type !== 'next' || !event.result.data) throw new Error(JSON.stringify(event));
      return event.result.data.portfolioValuation.totalValue;
    });
    // One at the first tick, then at most one per 250 ms, the trailing one after the last tick.
    expect(valuations.length).toBeGreaterThanOrEqual(2);
    expect(valuations.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(valuations.length).toBeLessThan(prices.length / 4);
    expect(valuations.at(-1)).toBe(new Decimal(prices.at(-1)!).times(10).toFixed());
    live.unsubscribe();
    await client.dispose();
  });

  it('follows new holdings and ends with NOT_FOUND when access is withdrawn', async () => {
    const ownerClient = wsClient(urlB, owner.token);
    const viewerClient = wsClient(urlB, viewer.token);
    const forOwner = subscribe(ownerClient, LivePortfolioValuationDocument, { id: portfolioId });
    const forViewer = subscribe(viewerClient, LivePortfolioValuationDocument, { id: portfolioId });
    expect((await forOwner.data()).portfolioValuation.totalCost).toBe('1000');
    await forViewer.data();

    await addInvestment(a, owner, portfolioId, { symbol: 'MSFT', quantity: '2', purchasePrice: '300' });
    expect((await forOwner.data(RESYNC_MS * 5)).portfolioValuation.totalCost).toBe('1600');
    // Now MSFT ticks move it too.
    await eventually(
      () => b.app.services.live.relay.localSymbols(),
      (s) => s.includes('MSFT'),
    );
    await subscribedOnB(['MSFT']);
    await publishOnA([tick('AAPL', '100'), tick('MSFT', '310')]);
    // 10 × 100 + 2 × 310
    await eventually(
      () => forOwner.data(),
      (data) => data.portfolioValuation.totalValue === '1620',
    );

    ok(await a.gql(UnsharePortfolioDocument, { portfolioId, userId: viewer.id }, { token: owner.token }));
    const ended = await eventually(
      () => forViewer.next(RESYNC_MS * 5),
      (event) => event.type === 'error',
    );
    expect(ended).toMatchObject({ type: 'error', error: [{ extensions: { code: 'NOT_FOUND' } }] });
    forOwner.unsubscribe();
    await ownerClient.dispose();
    await viewerClient.dispose();
  });
});
