/**
 * Loading and caching: a report costs a constant number of SQL statements whatever the number of
 * holdings (one more than the portfolio itself when cached, two when computed from stored
 * prices), asks the providers only for days never fetched, is served from Redis while nothing it
 * depends on changes, and is recomputed as soon as something does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PortfolioExistsDocument,
  PortfolioFactorExposureDocument,
  PortfolioPerformanceDocument,
  PortfolioRiskDocument,
  PortfolioSimulationDocument,
  RemoveInvestmentDocument,
  UpdateInvestmentDocument,
} from '../../schema/sdk/graphql.js';
import { analyticsCacheLookups, clearAnalyticsCache, customAsset, setCustomPrices, statementCounter } from '../../test/analytics.js';
import { CountingProvider } from '../../test/counting-provider.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

let provider: CountingProvider;
let alice: TestUser;
let countStatements: (run: () => Promise<unknown>) => Promise<number>;

const STOCKS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'JPM', 'KO', 'PG', 'XOM', 'JNJ'];
const RANGE = { from: '2024-01-02', to: '2024-03-28' };

beforeAll(async () => {
  provider = new CountingProvider();
});
const t = useTestApp(() => ({ marketProviders: [provider], logQueries: true }));
beforeAll(async () => {
  countStatements = statementCounter(t);
  alice = await createTestUser(t);
});

async function portfolioOf(symbols: readonly string[]): Promise<string> {
  const id = (await createPortfolio(t, alice, { name: `${symbols.length} holdings` })).id;
  for (const symbol of symbols)
    await addInvestment(t, alice, id, { symbol, quantity: '10', purchasePrice: '100', purchaseDate: '2024-01-02' });
  return id;
}

function riskOf(id: string, range: { from?: string; to?: string } = RANGE) {
  return t.gql(PortfolioRiskDocument, { id, ...range, benchmark: 'SPY' }, { token: alice.token });
}

/** Statements of the risk query beyond those of reading the portfolio itself. */
async function riskStatements(id: string): Promise<number> {
  const base = await countStatements(() => t.gql(PortfolioExistsDocument, { id }, { token: alice.token }));
  let result: Awaited<ReturnType<typeof riskOf>> | undefined;
  const total = await countStatements(async () => (result = await riskOf(id)));
  expect(result?.errors).toBeUndefined();
  return total - base;
}

describe('data loading', () => {
  it('fetches missing history once, then costs the same few statements for 2 and for 10 holdings', async () => {
    const small = await portfolioOf(STOCKS.slice(0, 2));
    const large = await portfolioOf(STOCKS);
    const statements: Record<string, { computed: number; cached: number }> = {};
    // Cold database: the market service fetches the history of each symbol not fetched before
    // (the small portfolio's two and the benchmark, then the large one's eight others) once.
    for (const [name, id, fetched] of [
      ['small', small, ['AAPL', 'MSFT', 'SPY']],
      ['large', large, STOCKS.slice(2)],
    ] as const) {
      provider.reset();
      ok(await riskOf(id));
      expect(
        provider
          .of('history')
          .map((call) => call.args[0])
          .sort(),
      ).toEqual([...fetched].sort());

      // Prices stored, report not cached: the snapshot, one read of every close and one of the stored daily values.
      await clearAnalyticsCache(t);
      provider.reset();
      const computed = await riskStatements(id);
      expect(provider.of('history')).toEqual([]);
      // Cached: the snapshot only.
      const cached = await riskStatements(id);
      expect(provider.calls).toEqual([]);
      statements[name] = { computed, cached };
    }
    expect(statements).toEqual({ small: { computed: 3, cached: 1 }, large: { computed: 3, cached: 1 } });
  });

  it('asks the providers only for the days not fetched before', async () => {
    const id = await portfolioOf(['KO']);
    ok(await riskOf(id));
    provider.reset();
    ok(await riskOf(id, { from: RANGE.from, to: '2024-04-30' }));
    const fetched = provider.of('history').map((call) => call.args);
    expect(fetched).toEqual(
      expect.arrayContaining([
        ['KO', '2024-03-29', '2024-04-30'],
        ['SPY', '2024-03-29', '2024-04-30'],
      ]),
    );
    expect(fetched).toHaveLength(2);
  });
});

describe('the report cache', () => {
  let portfolioId: string;
  let investmentId: string;
  beforeAll(async () => {
    await customAsset(t, alice, 'CUST', { '2024-05-01': '10', '2024-05-02': '11', '2024-05-03': '10.5' });
    portfolioId = (await createPortfolio(t, alice, { name: 'Cached' })).id;
    investmentId = (
      await addInvestment(t, alice, portfolioId, { symbol: 'CUST', quantity: '4', purchasePrice: '10', purchaseDate: '2024-05-01' })
    ).id;
  });

  const performance = async () =>
    ok(await t.gql(PortfolioPerformanceDocument, { id: portfolioId, from: '2024-05-01', to: '2024-05-31' }, { token: alice.token }))
      .portfolio!.performance;

  /** Runs `query` and tells whether it was served from the cache or computed. */
  async function served<T>(query: () => Promise<T>): Promise<{ value: T; from: 'cache' | 'computed' }> {
    const before = await analyticsCacheLookups(t, 'performance');
    const value = await query();
    const after = await analyticsCacheLookups(t, 'performance');
    expect(after.hit + after.miss - before.hit - before.miss).toBe(1);
    return { value, from: after.hit > before.hit ? 'cache' : 'computed' };
  }

  it('serves an identical query from the cache without recomputing', async () => {
    const first = await served(performance);
    const second = await served(performance);
    expect(second).toEqual({ value: first.value, from: 'cache' });
    expect(first.value.series.map((p) => p.value)).toEqual(['40', '44', '42']);
  });

  it('recomputes when an investment is added, changed or removed', async () => {
    await served(performance);
    const added = await addInvestment(t, alice, portfolioId, {
      symbol: 'CUST',
      quantity: '1',
      purchasePrice: '11',
      purchaseDate: '2024-05-02',
    });
    const afterAdd = await served(performance);
    expect(afterAdd.from).toBe('computed');
    expect(afterAdd.value.series.map((p) => p.value)).toEqual(['40', '55', '52.5']);
    expect((await served(performance)).from).toBe('cache');

    ok(await t.gql(UpdateInvestmentDocument, { id: investmentId, input: { quantity: '2' } }, { token: alice.token }));
    const afterUpdate = await served(performance);
    expect(afterUpdate).toMatchObject({ from: 'computed', value: { series: [{ value: '20' }, { value: '33' }, { value: '31.5' }] } });

    ok(await t.gql(RemoveInvestmentDocument, { id: added.id }, { token: alice.token }));
    const afterRemove = await served(performance);
    expect(afterRemove).toMatchObject({ from: 'computed', value: { series: [{ value: '20' }, { value: '22' }, { value: '21' }] } });
  });

  it('recomputes when prices are added or a stored price is replaced', async () => {
    await served(performance);
    await setCustomPrices(t, alice, 'CUST', { '2024-05-06': '12' });
    const added = await served(performance);
    expect(added.from).toBe('computed');
    expect(added.value.series.map((p) => p.value)).toEqual(['20', '22', '21', '24']);
    expect((await served(performance)).from).toBe('cache');

    await setCustomPrices(t, alice, 'CUST', { '2024-05-02': '10.75' });
    const replaced = await served(performance);
    expect(replaced.from).toBe('computed');
    expect(replaced.value.series.map((p) => p.value)).toEqual(['20', '21.5', '21', '24']);
  });

  it('keeps reports of different arguments apart', async () => {
    const may = await served(performance);
    const firstDays = await served(
      async () =>
        ok(await t.gql(PortfolioPerformanceDocument, { id: portfolioId, from: '2024-05-01', to: '2024-05-02' }, { token: alice.token }))
          .portfolio!.performance,
    );
    expect(firstDays.from).toBe('computed');
    expect(firstDays.value.series).toHaveLength(2);
    expect((await served(performance)).value).toEqual(may.value);
  });

  it('caches risk, simulations and factor exposures too', async () => {
    const queries: Record<string, () => Promise<unknown>> = {
      risk: async () => ok(await t.gql(PortfolioRiskDocument, { id: portfolioId, benchmark: null }, { token: alice.token })),
      simulation: async () =>
        ok(await t.gql(PortfolioSimulationDocument, { id: portfolioId, paths: 200, horizonDays: 20, seed: 7 }, { token: alice.token })),
      factorExposure: async () =>
        ok(await t.gql(PortfolioFactorExposureDocument, { id: portfolioId, factors: ['CUST'] }, { token: alice.token })),
    };
    for (const [report, query] of Object.entries(queries)) {
      const first = await query();
      const before = await analyticsCacheLookups(t, report);
      expect(await query()).toEqual(first);
      const after = await analyticsCacheLookups(t, report);
      expect({ hits: after.hit - before.hit, misses: after.miss - before.miss }).toEqual({ hits: 1, misses: 0 });
    }
  });
});

describe('simulation', () => {
  it('gives the same result for the same seed and another for another seed', async () => {
    const id = await portfolioOf(['AAPL', 'KO']);
    const simulate = async (seed: number) =>
      ok(await t.gql(PortfolioSimulationDocument, { id, seed, paths: 500, horizonDays: 30, ...RANGE }, { token: alice.token })).portfolio!
        .simulation;
    const first = await simulate(11);
    await clearAnalyticsCache(t);
    expect(await simulate(11)).toEqual(first);
    const other = await simulate(12);
    expect(other.bands).not.toEqual(first.bands);
    expect(first).toMatchObject({ symbols: ['AAPL', 'KO'], horizonDays: 30, paths: 500, seed: 11 });
    expect(first.bands).toHaveLength(30);
    for (const band of first.bands) {
      const values = [band.p5, band.p25, band.p50, band.p75, band.p95].map(Number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(first.valueAtRisk).toBeGreaterThan(0);
  });
});
