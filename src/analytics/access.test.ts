/**
 * Who may read a portfolio's analytics (everyone who can read the portfolio, nobody else), and
 * the input rules: BAD_USER_INPUT with extensions.details, before any price is read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PortfolioFactorExposureDocument,
  PortfolioPerformanceDocument,
  PortfolioRebalanceDocument,
  PortfolioRiskDocument,
  PortfolioSimulationDocument,
  SharePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { customAsset, storedMarketAsset } from '../../test/analytics.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { isoDateFromEpochDay, epochDayOf } from '../platform/dates.js';

const t = useTestApp();
let owner: TestUser;
let viewer: TestUser;
let reader: TestUser;
let stranger: TestUser;
let privateId: string;
let publicId: string;

const CLOSES = { '2024-03-01': '10', '2024-03-04': '11', '2024-03-05': '10.5', '2024-03-06': '12' };
const RANGE = { from: '2024-03-01', to: '2024-03-06' };

beforeAll(async () => {
  owner = await createTestUser(t, { name: 'Owner' });
  viewer = await createTestUser(t, { name: 'Viewer' });
  reader = await createTestUser(t, { name: 'Reader' });
  stranger = await createTestUser(t, { name: 'Stranger' });
  await customAsset(t, owner, 'OWNED', CLOSES);
  // The owner's other custom asset: private, so not usable as a benchmark of a shared portfolio.
  await customAsset(t, owner, 'SECRET', CLOSES);
  await storedMarketAsset(t, 'MKT', CLOSES, { from: '2024-01-01', to: '2024-04-30' });
  privateId = (await createPortfolio(t, owner, { name: 'Private' })).id;
  publicId = (await createPortfolio(t, owner, { name: 'Public', isPublic: true })).id;
  for (const id of [privateId, publicId]) {
    await addInvestment(t, owner, id, { symbol: 'OWNED', quantity: '2', purchasePrice: '10', purchaseDate: '2024-03-01' });
  }
  ok(await t.gql(SharePortfolioDocument, { portfolioId: privateId, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
});

function details(result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) {
  return result.errors?.[0]?.extensions?.details as Array<{ field: string; message: string }> | undefined;
}

/** Every analytics field of one portfolio as `user` sees it. */
async function everyField(id: string, user: TestUser | null) {
  const token = user?.token;
  return Promise.all([
    t.gql(PortfolioPerformanceDocument, { id, ...RANGE }, { token }),
    t.gql(PortfolioRiskDocument, { id, ...RANGE, benchmark: 'MKT' }, { token }),
    t.gql(PortfolioRebalanceDocument, { id, targets: [{ key: 'OWNED', weight: 1 }] }, { token }),
    t.gql(PortfolioSimulationDocument, { id, horizonDays: 2, paths: 10, ...RANGE }, { token }),
    t.gql(PortfolioFactorExposureDocument, { id, factors: ['MKT'], ...RANGE }, { token }),
  ]);
}

describe('authorization', () => {
  it('lets the owner, a VIEW share and a public reader read the analytics, priced as the owner sees it', async () => {
    for (const [id, user] of [
      [privateId, owner],
      [privateId, viewer],
      [publicId, reader],
    ] as const) {
      const [performance, risk, rebalance, simulation, factors] = await everyField(id, user);
      for (const result of [performance, risk, rebalance, simulation, factors]) expect(result.errors).toBeUndefined();
      expect(performance.data?.portfolio?.performance.series.map((p) => p.value)).toEqual(['20', '22', '21', '24']);
      // The purchase day's own return (bought at its close: 0) and three more.
      expect(risk.data?.portfolio?.risk.observations).toBe(4);
      expect(rebalance.data?.portfolio?.rebalance.trades).toEqual([]);
      expect(simulation.data?.portfolio?.simulation.startValue).toBe('24');
      expect(factors.data?.portfolio?.factorExposure.observations).toBe(3);
    }
  });

  it('tells a stranger nothing: the portfolio is null', async () => {
    for (const result of await everyField(privateId, stranger)) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ portfolio: null });
    }
  });

  it('refuses anonymous callers', async () => {
    for (const result of await everyField(publicId, null)) expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  it("does not let a reader benchmark against the owner's other custom assets", async () => {
    const result = await t.gql(PortfolioRiskDocument, { id: privateId, ...RANGE, benchmark: 'SECRET' }, { token: viewer.token });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(details(result)).toEqual([{ field: 'benchmark', message: 'unknown symbol SECRET' }]);
    // A held custom asset is part of the portfolio: fine as a benchmark.
    const held = await t.gql(PortfolioRiskDocument, { id: privateId, ...RANGE, benchmark: 'OWNED' }, { token: viewer.token });
    expect(held.data?.portfolio?.risk.beta).toBeCloseTo(1, 12);
  });
});

describe('input validation', () => {
  const today = isoDateFromEpochDay(epochDayOf(new Date()));
  const farFuture = isoDateFromEpochDay(epochDayOf(new Date()) + 3);

  it('checks ranges', async () => {
    const backwards = await t.gql(
      PortfolioPerformanceDocument,
      { id: privateId, from: '2024-03-06', to: '2024-03-01' },
      { token: owner.token },
    );
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    expect(details(backwards)).toEqual([{ field: 'from', message: 'must be on or before to (2024-03-01)' }]);
    const future = await t.gql(PortfolioRiskDocument, { id: privateId, from: today, to: farFuture }, { token: owner.token });
    expect(details(future)).toEqual([{ field: 'to', message: 'must not be in the future' }]);
    const both = await t.gql(PortfolioPerformanceDocument, { id: privateId, from: farFuture }, { token: owner.token });
    expect(details(both)).toEqual([{ field: 'from', message: 'must not be in the future' }]);
    const notADate = await t.gql(PortfolioPerformanceDocument, { id: privateId, from: '2024-02-30' }, { token: owner.token });
    expect(errorCode(notADate)).toBe('BAD_USER_INPUT');
  });

  it('checks the confidence and the benchmark', async () => {
    for (const confidence of [0, 1, 1.5, -0.1]) {
      const result = await t.gql(PortfolioRiskDocument, { id: privateId, confidence }, { token: owner.token });
      expect(details(result)).toEqual([{ field: 'confidence', message: 'must be between 0 and 1 (exclusive), e.g. 0.95' }]);
    }
    const unknown = await t.gql(PortfolioRiskDocument, { id: privateId, benchmark: 'NOPE42' }, { token: owner.token });
    expect(details(unknown)).toEqual([{ field: 'benchmark', message: 'unknown symbol NOPE42' }]);
    const malformed = await t.gql(PortfolioRiskDocument, { id: privateId, benchmark: 'A B', confidence: 2 }, { token: owner.token });
    expect(details(malformed)?.map((d) => d.field)).toEqual(['confidence', 'benchmark']);
  });

  it('checks rebalancing targets', async () => {
    const rebalance = (targets: Array<{ key: string; weight: number }>, extra: { driftTolerance?: number; by?: 'TYPE' | 'SECTOR' } = {}) =>
      t.gql(PortfolioRebalanceDocument, { id: privateId, targets, ...extra }, { token: owner.token });
    expect(
      details(
        await rebalance([
          { key: 'OWNED', weight: 0.5 },
          { key: 'MKT', weight: 0.4 },
        ]),
      ),
    ).toEqual([{ field: 'targets', message: 'the weights must sum to 1 (they sum to 0.9)' }]);
    expect(
      details(
        await rebalance([
          { key: 'OWNED', weight: 1.5 },
          { key: 'MKT', weight: -0.5 },
        ]),
      ),
    ).toEqual([
      { field: 'targets[0].weight', message: 'must be between 0 and 1' },
      { field: 'targets[1].weight', message: 'must be between 0 and 1' },
    ]);
    expect(
      details(
        await rebalance([
          { key: 'owned', weight: 0.5 },
          { key: ' OWNED ', weight: 0.5 },
        ]),
      ),
    ).toEqual([{ field: 'targets[1].key', message: 'OWNED appears more than once (also targets[0])' }]);
    expect(details(await rebalance([]))).toEqual([{ field: 'targets', message: 'give 1 to 1000 target weights (got 0)' }]);
    expect(details(await rebalance([{ key: 'OWNED', weight: 1 }], { driftTolerance: 1 }))).toEqual([
      { field: 'driftTolerance', message: 'must be at least 0 and below 1, e.g. 0.05' },
    ]);
    const badType = details(await rebalance([{ key: 'SHARES', weight: 1 }], { by: 'TYPE' }));
    expect(badType?.[0]?.field).toBe('targets[0].key');
    expect(badType?.[0]?.message).toMatch(/^"SHARES" is not an asset type/);
  });

  it('refuses over-large simulations before doing any work', async () => {
    const simulate = (variables: { horizonDays?: number; paths?: number; confidence?: number }) =>
      t.gql(PortfolioSimulationDocument, { id: privateId, ...variables }, { token: owner.token });
    expect(details(await simulate({ paths: 0 }))).toEqual([{ field: 'paths', message: 'must be a whole number from 1 to 100,000' }]);
    expect(details(await simulate({ paths: 100_001, horizonDays: 2_521 }))).toEqual([
      { field: 'horizonDays', message: 'must be a whole number from 1 to 2,520' },
      { field: 'paths', message: 'must be a whole number from 1 to 100,000' },
    ]);
    // Within each bound, over the core's bound on paths × days × holdings.
    const tooLarge = await simulate({ paths: 100_000, horizonDays: 2_520 });
    expect(errorCode(tooLarge)).toBe('BAD_USER_INPUT');
    expect(details(tooLarge)).toEqual([
      {
        field: 'paths',
        message:
          'paths × horizonDays × holdings (100000 × 2520 × 1 = 252,000,000) must be at most 60,000,000; ask for fewer paths or a shorter horizon',
      },
    ]);
    expect(details(await simulate({ confidence: 1 }))?.[0]?.field).toBe('confidence');
  });

  it('allows one simulation per query', async () => {
    // Each simulation costs over half the query budget (not an SDK operation: it is refused).
    const twoSimulations = `query ($id: ID!) {
      portfolio(id: $id) {
        short: simulation(horizonDays: 5, paths: 10) { expectedValue }
        long: simulation(horizonDays: 10, paths: 10) { expectedValue }
      }
    }`;
    const result = await t.gql(twoSimulations, { id: privateId }, { token: owner.token });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
  });

  it('checks factors', async () => {
    const exposure = (factors: string[]) => t.gql(PortfolioFactorExposureDocument, { id: privateId, factors }, { token: owner.token });
    expect(details(await exposure([]))).toEqual([{ field: 'factors', message: 'give 1 to 10 factor symbols (got 0)' }]);
    expect(details(await exposure(['MKT', 'mkt']))).toEqual([{ field: 'factors[1]', message: 'MKT appears more than once' }]);
    expect(details(await exposure(['MKT', 'NOPE43']))).toEqual([{ field: 'factors[1]', message: 'unknown symbol NOPE43' }]);
  });
});
