/**
 * The market queries and valuation fields over GraphQL (typed SDK documents), against real
 * PostgreSQL and Redis with a call-counting provider first in the chain.
 */
import { Decimal } from 'decimal.js';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buyOfInvestment } from '../ledger/buys.js';
import {
  CreateCustomAssetDocument,
  MarketFundamentalsDocument,
  MarketHistoryDocument,
  MarketNewsDocument,
  MarketQuoteDocument,
  MarketQuotesDocument,
  PortfolioValuationDocument,
  SearchSymbolsDocument,
  SetCustomAssetPricesDocument,
  type PortfolioValuationQuery,
} from '../../schema/sdk/graphql.js';
import { CountingProvider } from '../../test/counting-provider.js';
import { errorCode, type GraphQLResult } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { isoDateFromEpochDay, epochDayOf } from '../platform/dates.js';
import { statementCounter } from '../platform/db.js';
import { UNIVERSE } from './providers/universe.js';

let provider: CountingProvider;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  provider = new CountingProvider();
});
const t = useTestApp(() => ({ marketProviders: [provider], logQueries: true }));
beforeAll(async () => {
  countStatements = statementCounter(t.app.services.db);
  alice = await createTestUser(t, { name: 'Alice' });
  bob = await createTestUser(t, { name: 'Bob' });
});
beforeEach(() => provider.reset());

const daysFromToday = (days: number) => isoDateFromEpochDay(epochDayOf(new Date()) + days);

function details(result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) {
  return result.errors?.[0]?.extensions?.details as Array<{ field: string; message: string }> | undefined;
}

/** A portfolio of `ownerId` holding one unit of each symbol bought at `price`, straight in the database. */
async function portfolioWith(
  ownerId: string,
  holdings: Array<{ symbol: string; quantity?: string; price?: string; currency?: string }>,
  isPublic = false,
) {
  return t.app.services.db.portfolio.create({
    data: {
      ownerId,
      name: 'Valued',
      isPublic,
      transactions: {
        create: holdings.map((h) =>
          buyOfInvestment({
            symbol: h.symbol,
            quantity: h.quantity ?? '1',
            purchasePrice: h.price ?? '100',
            purchaseDate: '2024-01-02',
            currency: h.currency,
          }),
        ),
      },
    },
  });
}

/** Counts SQL statements run while `run` runs (Prisma query events; the app logs queries in this file). */
let countStatements: (run: () => Promise<unknown>) => Promise<number>;

describe('access', () => {
  it('refuses anonymous callers', async () => {
    expect(errorCode(await t.gql(MarketQuoteDocument, { symbol: 'AAPL' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(SearchSymbolsDocument, { query: 'apple' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(MarketHistoryDocument, { symbol: 'AAPL', from: '2024-01-01', to: '2024-01-31' }))).toBe('UNAUTHENTICATED');
  });
});

describe('quote, quotes, fundamentals', () => {
  it('labels simulated data and normalises symbols', async () => {
    const result = await t.gql(MarketQuoteDocument, { symbol: '  aapl ' }, { token: alice.token });
    expect(result.errors).toBeUndefined();
    expect(result.data?.quote).toMatchObject({ symbol: 'AAPL', currency: 'USD', source: 'simulated' });
    expect(result.data?.quote?.price).toMatch(/^\d+(\.\d+)?$/);
    expect(result.data?.quote?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const many = await t.gql(MarketQuotesDocument, { symbols: ['msft', 'AAPL', 'MSFT'] }, { token: alice.token });
    expect(many.data?.quotes.map((q) => q.symbol)).toEqual(['MSFT', 'AAPL']);
    const unknown = await t.gql(MarketQuotesDocument, { symbols: ['msft', 'NOPE1'] }, { token: alice.token });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: [{ field: 'symbols', message: 'unknown symbol NOPE1' }],
    });
  });

  it('answers null or [] for unknown symbols', async () => {
    const quote = await t.gql(MarketQuoteDocument, { symbol: 'NOPE2' }, { token: alice.token });
    expect(quote.data).toEqual({ quote: null });
    const fundamentals = await t.gql(MarketFundamentalsDocument, { symbol: 'NOPE2' }, { token: alice.token });
    expect(fundamentals.data).toEqual({ fundamentals: null });
    const history = await t.gql(MarketHistoryDocument, { symbol: 'NOPE2', from: '2024-01-01', to: '2024-01-31' }, { token: alice.token });
    expect(history.data).toEqual({ history: [] });
  });

  it('gives fundamentals with exact market capitalisation', async () => {
    const result = await t.gql(MarketFundamentalsDocument, { symbol: 'ko' }, { token: alice.token });
    expect(result.data?.fundamentals).toMatchObject({
      symbol: 'KO',
      name: 'The Coca-Cola Company',
      type: 'STOCK',
      currency: 'USD',
      sector: 'Consumer Staples',
    });
    expect(result.data?.fundamentals?.marketCap).toMatch(/^\d+$/);
  });
});

describe('input validation', () => {
  it('reports malformed symbols and too many of them as BAD_USER_INPUT with details', async () => {
    const blank = await t.gql(MarketQuoteDocument, { symbol: '  ' }, { token: alice.token });
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    expect(details(blank)).toEqual([{ field: 'symbol', message: 'must not be empty' }]);
    const odd = await t.gql(MarketQuoteDocument, { symbol: 'A B' }, { token: alice.token });
    expect(details(odd)?.[0]?.field).toBe('symbol');
    const tooMany = await t.gql(MarketQuotesDocument, { symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }, { token: alice.token });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(details(tooMany)).toEqual([{ field: 'symbols', message: 'at most 100 symbols at a time (got 101)' }]);
    const badOne = await t.gql(MarketQuotesDocument, { symbols: ['AAPL', 'bad symbol'] }, { token: alice.token });
    expect(details(badOne)?.[0]?.field).toBe('symbols[1]');
    expect(provider.calls).toEqual([]);
  });

  it('checks history ranges', async () => {
    const backwards = await t.gql(MarketHistoryDocument, { symbol: 'AAPL', from: '2024-02-01', to: '2024-01-01' }, { token: alice.token });
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    expect(details(backwards)?.[0]?.field).toBe('from');
    const tooLong = await t.gql(MarketHistoryDocument, { symbol: 'AAPL', from: '2000-01-01', to: '2024-01-01' }, { token: alice.token });
    expect(details(tooLong)?.[0]).toMatchObject({ field: 'to' });
    const notADate = await t.gql(MarketHistoryDocument, { symbol: 'AAPL', from: '2024-02-30', to: '2024-03-01' }, { token: alice.token });
    expect(errorCode(notADate)).toBe('BAD_USER_INPUT');
    expect(provider.calls).toEqual([]);
  });

  it('checks result counts', async () => {
    const search = await t.gql(SearchSymbolsDocument, { query: 'a', first: 51 }, { token: alice.token });
    expect(details(search)).toEqual([{ field: 'first', message: 'must be between 1 and 50' }]);
    const news = await t.gql(MarketNewsDocument, { first: 0 }, { token: alice.token });
    expect(details(news)?.[0]?.field).toBe('first');
  });
});

describe('history', () => {
  it('aggregates daily candles into weeks and months', async () => {
    const range = { symbol: 'CAT', from: '2024-01-01', to: '2024-06-30' };
    const daily = (await t.gql(MarketHistoryDocument, range, { token: alice.token })).data!.history;
    expect(daily.length).toBeGreaterThan(120);
    expect(provider.of('history')).toHaveLength(1);

    // The expected candles, grouped independently: ISO weeks by Monday, months by YYYY-MM.
    const mondayOf = (date: string) => {
      const d = new Date(`${date}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      return d.toISOString().slice(0, 10);
    };
    const expected = (key: (date: string) => string) => {
      const groups = new Map<string, typeof daily>();
      for (const c of daily) groups.set(key(c.date), [...(groups.get(key(c.date)) ?? []), c]);
      return [...groups.values()].map((days) => ({
        date: days[0]!.date,
        open: days[0]!.open,
        high: Decimal.max(...days.map((d) => d.high)).toFixed(),
        low: Decimal.min(...days.map((d) => d.low)).toFixed(),
        close: days[days.length - 1]!.close,
        volume: days.reduce((sum, d) => sum + (d.volume ?? 0), 0),
      }));
    };

    provider.reset();
    const weekly = (await t.gql(MarketHistoryDocument, { ...range, interval: 'WEEK' }, { token: alice.token })).data!.history;
    expect(weekly).toEqual(expected(mondayOf));
    expect(weekly.length).toBe(26);
    const monthly = (await t.gql(MarketHistoryDocument, { ...range, interval: 'MONTH' }, { token: alice.token })).data!.history;
    expect(monthly).toEqual(expected((date) => date.slice(0, 7)));
    expect(monthly.map((m) => m.date)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01', '2024-06-03']);
    expect(provider.calls).toEqual([]); // served from PostgreSQL
  });
});

describe('searchSymbols', () => {
  beforeAll(async () => {
    const create = (user: TestUser, symbol: string, name: string) =>
      t.gql(CreateCustomAssetDocument, { input: { symbol, name, type: 'OTHER', currency: 'USD' } }, { token: user.token });
    for (const [symbol, name] of [
      ['QXAB', 'Gamma Trust'],
      ['QX', 'Alpha Fund'],
      ['ZZQ', 'The Qx Partners'],
      ['QXA', 'Beta Holding'],
    ]) {
      expect((await create(alice, symbol!, name!)).errors).toBeUndefined();
    }
    expect((await create(bob, 'QXZ', 'Bob Qx Estate')).errors).toBeUndefined();
  });

  it('ranks exact ticker, then ticker prefix, then names; case-insensitive; only the caller’s custom assets', async () => {
    const forAlice = await t.gql(SearchSymbolsDocument, { query: 'qX' }, { token: alice.token });
    expect(forAlice.data?.searchSymbols.map((m) => m.symbol)).toEqual(['QX', 'QXA', 'QXAB', 'ZZQ']);
    const forBob = await t.gql(SearchSymbolsDocument, { query: 'QX' }, { token: bob.token });
    expect(forBob.data?.searchSymbols.map((m) => m.symbol)).toEqual(['QXZ']);
  });

  it('finds market assets by ticker and by name, and honours first', async () => {
    const ticker = await t.gql(SearchSymbolsDocument, { query: 'aapl' }, { token: alice.token });
    expect(ticker.data?.searchSymbols[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      type: 'STOCK',
      currency: 'USD',
      exchange: 'NASDAQ',
    });
    const name = await t.gql(SearchSymbolsDocument, { query: 'micro' }, { token: alice.token });
    expect(name.data?.searchSymbols.map((m) => m.symbol)).toContain('MSFT');
    const prefix = await t.gql(SearchSymbolsDocument, { query: 'V', first: 3 }, { token: alice.token });
    const symbols = prefix.data!.searchSymbols.map((m) => m.symbol);
    expect(symbols).toEqual(['V', 'VT', 'VZ']);
    const none = await t.gql(SearchSymbolsDocument, { query: '   ' }, { token: alice.token });
    expect(none.data?.searchSymbols).toEqual([]);
    const wildcard = await t.gql(SearchSymbolsDocument, { query: '%' }, { token: alice.token });
    expect(wildcard.data?.searchSymbols).toEqual([]);
  });
});

describe('custom assets', () => {
  const older = daysFromToday(-10);
  const newer = daysFromToday(-3);

  beforeAll(async () => {
    const created = await t.gql(
      CreateCustomAssetDocument,
      { input: { symbol: 'MYFLAT', name: 'My flat', type: 'REAL_ESTATE', currency: 'EUR' } },
      { token: alice.token },
    );
    expect(created.errors).toBeUndefined();
    const prices = await t.gql(
      SetCustomAssetPricesDocument,
      {
        symbol: 'MYFLAT',
        prices: [
          { date: older, close: '100000' },
          { date: newer, close: '105000.5' },
        ],
      },
      { token: alice.token },
    );
    expect(prices.data?.setCustomAssetPrices).toBe(2);
    // A price dated after today (written around the API) does not count yet.
    const asset = await t.app.services.db.asset.findFirstOrThrow({ where: { symbol: 'MYFLAT', ownerId: alice.id } });
    await t.app.services.db.dailyPrice.create({
      data: {
        assetId: asset.id,
        date: new Date(`${daysFromToday(3)}T00:00:00Z`),
        open: '1',
        high: '1',
        low: '1',
        close: '1',
        source: 'custom',
      },
    });
  });

  it('are priced from their latest stored close, with the change against the one before', async () => {
    const result = await t.gql(MarketQuoteDocument, { symbol: 'myflat' }, { token: alice.token });
    expect(result.data?.quote).toEqual({
      symbol: 'MYFLAT',
      price: '105000.5',
      change: '5000.5',
      changePercent: 5.0005,
      currency: 'EUR',
      timestamp: `${newer}T00:00:00.000Z`,
      source: 'custom',
    });
    expect(provider.calls).toEqual([]); // never asked of a market-data provider
    const history = await t.gql(
      MarketHistoryDocument,
      { symbol: 'MYFLAT', from: daysFromToday(-30), to: daysFromToday(30) },
      { token: alice.token },
    );
    expect(history.data?.history.map((c) => [c.date, c.close])).toEqual([
      [older, '100000'],
      [newer, '105000.5'],
    ]);
    const fundamentals = await t.gql(MarketFundamentalsDocument, { symbol: 'MYFLAT' }, { token: alice.token });
    expect(fundamentals.data?.fundamentals).toEqual({
      symbol: 'MYFLAT',
      name: 'My flat',
      type: 'REAL_ESTATE',
      sector: null,
      currency: 'EUR',
      marketCap: null,
      peRatio: null,
      dividendYield: null,
    });
  });

  it('are invisible to everyone else', async () => {
    expect((await t.gql(MarketQuoteDocument, { symbol: 'MYFLAT' }, { token: bob.token })).data).toEqual({ quote: null });
    // To anyone else it is as unknown as a symbol nobody has.
    const quotes = await t.gql(MarketQuotesDocument, { symbols: ['MYFLAT'] }, { token: bob.token });
    expect(quotes.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ message: 'unknown symbol MYFLAT' }] });
    expect((await t.gql(MarketFundamentalsDocument, { symbol: 'MYFLAT' }, { token: bob.token })).data).toEqual({ fundamentals: null });
    const history = await t.gql(MarketHistoryDocument, { symbol: 'MYFLAT', from: older, to: newer }, { token: bob.token });
    expect(history.data).toEqual({ history: [] });
    const search = await t.gql(SearchSymbolsDocument, { query: 'my flat' }, { token: bob.token });
    expect(search.data?.searchSymbols.map((m) => m.symbol)).not.toContain('MYFLAT');
  });

  it('are priced as their owner’s in the owner’s portfolio, whoever reads it', async () => {
    // Bought in the flat's own currency, as addInvestment records it.
    const portfolio = await portfolioWith(alice.id, [{ symbol: 'MYFLAT', price: '90000', currency: 'EUR' }, { symbol: 'PG' }], true);
    const result = await t.gql(PortfolioValuationDocument, { id: portfolio.id, by: 'SYMBOL' }, { token: bob.token });
    expect(result.errors).toBeUndefined();
    const flat = result.data!.portfolio!.investments.edges.find((e) => e.node.symbol === 'MYFLAT')!.node;
    expect(flat).toMatchObject({ marketValue: '105000.5', unrealizedGain: '15000.5', quote: { source: 'custom', price: '105000.5' } });
  });

  it('never go to a news provider', async () => {
    const result = await t.gql(MarketNewsDocument, { symbols: ['AAPL', 'myflat'] }, { token: alice.token });
    expect(result.data).toEqual({ news: [] });
    expect(provider.of('news').map((c) => c.args)).toEqual([[['AAPL'], 10]]);
    await t.gql(MarketNewsDocument, { symbols: ['AAPL', 'myflat'] }, { token: alice.token });
    expect(provider.of('news')).toHaveLength(1); // cached
  });
});

describe('valuation fields', () => {
  const symbolsOf = (count: number, skip: number) =>
    UNIVERSE.map((i) => i.symbol)
      .filter((s) => !['AAPL', 'MSFT', 'KO', 'PG', 'CAT'].includes(s))
      .slice(skip, skip + count);

  it('values a portfolio of 50 holdings with one provider call and as many statements as one of 5', async () => {
    const large = await portfolioWith(
      alice.id,
      symbolsOf(50, 0).map((symbol, i) => ({ symbol, quantity: `0.${i + 1}`, price: '10.1' })),
    );
    const small = await portfolioWith(
      alice.id,
      symbolsOf(5, 60).map((symbol) => ({ symbol })),
    );

    let result: GraphQLResult<PortfolioValuationQuery> | undefined;
    const largeStatements = await countStatements(async () => {
      result = await t.gql(PortfolioValuationDocument, { id: large.id, by: 'SECTOR', investmentsFirst: 50 }, { token: alice.token });
    });
    expect(provider.of('quotes')).toHaveLength(1);
    expect((provider.of('quotes')[0]!.args[0] as string[]).sort()).toEqual(symbolsOf(50, 0).sort());
    provider.reset();
    const smallStatements = await countStatements(() =>
      t.gql(PortfolioValuationDocument, { id: small.id, by: 'SECTOR', investmentsFirst: 50 }, { token: alice.token }),
    );
    expect(provider.of('quotes')).toHaveLength(1);
    expect(largeStatements).toBe(smallStatements);

    const portfolio = result!.data!.portfolio!;
    const nodes = portfolio.investments.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    const sum = nodes.reduce((acc, n) => acc.plus(n.marketValue!), new Decimal(0));
    const cost = nodes.reduce((acc, n) => acc.plus(n.costBasis), new Decimal(0));
    expect(portfolio.valuation.totalValue).toBe(sum.toFixed());
    expect(portfolio.valuation.totalCost).toBe(cost.toFixed());
    expect(portfolio.valuation.unrealizedGain).toBe(sum.minus(cost).toFixed());
    for (const n of nodes) {
      expect(n.marketValue).toBe(new Decimal(n.quantity).times(n.quote!.price).toFixed());
      expect(n.unrealizedGain).toBe(new Decimal(n.marketValue!).minus(n.costBasis).toFixed());
    }
    // Sectors are the assets' (an investment stores none of its own).
    const sectors = await t.app.services.db.asset.findMany({
      where: { symbol: { in: symbolsOf(50, 0) }, ownerId: null },
      select: { sector: true },
    });
    expect(portfolio.allocation.map((s) => s.key).sort()).toEqual([...new Set(sectors.map((a) => a.sector ?? 'Unclassified'))].sort());
    expect(Math.abs(portfolio.allocation.reduce((a, s) => a + s.weight, 0) - 1)).toBeLessThan(1e-12);
    expect(portfolio.valuation.asOf).toMatch(/^\d{4}-/);
  });

  it('counts a holding without a quote at its purchase price', async () => {
    const portfolio = await portfolioWith(alice.id, [{ symbol: 'DELISTED1', quantity: '2', price: '12.5' }]);
    const result = await t.gql(PortfolioValuationDocument, { id: portfolio.id, by: 'TYPE' }, { token: alice.token });
    expect(result.data?.portfolio?.valuation).toMatchObject({
      totalValue: '25',
      totalCost: '25',
      unrealizedGain: '0',
      unrealizedGainPercent: 0,
      dayChange: null,
    });
    expect(result.data?.portfolio?.investments.edges[0]?.node).toMatchObject({ quote: null, marketValue: null, unrealizedGain: null });
    // No asset row names it: type OTHER (an investment stores no type of its own).
    expect(result.data?.portfolio?.allocation).toEqual([{ key: 'OTHER', value: '25', weight: 1 }]);
  });

  it('is hidden with the portfolio from those without access', async () => {
    const portfolio = await portfolioWith(alice.id, [{ symbol: 'PG' }]);
    const result = await t.gql(PortfolioValuationDocument, { id: portfolio.id, by: 'TYPE' }, { token: bob.token });
    expect(result.data?.portfolio ?? null).toBeNull();
  });

  it('counts its work in /metrics', async () => {
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/foliograph_market_cache_lookups_total\{layer="l1",kind="quote",result="miss"\} \d+/);
    expect(metrics).toMatch(/foliograph_market_cache_lookups_total\{layer="l3",kind="history",result="hit"\} \d+/);
    expect(metrics).toMatch(/foliograph_market_provider_calls_total\{provider="simulated",operation="quotes",outcome="ok"\} \d+/);
  });
});
