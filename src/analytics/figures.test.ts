/**
 * Portfolio.performance, risk and factorExposure over GraphQL against figures computed
 * independently: a portfolio of custom assets whose prices the test sets exactly, and a stored
 * market benchmark with missing days. Expected figures: bench/analytics_service_reference.py
 * (numpy/pandas, the contract's conventions), run with /usr/bin/python3 and pasted here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PortfolioFactorExposureDocument,
  PortfolioPerformanceDocument,
  PortfolioRiskDocument,
  PortfolioSimulationDocument,
} from '../../schema/sdk/graphql.js';
import { customAsset, JANUARY_2024_WEEKDAYS, storedMarketAsset } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { isoDateOf } from '../platform/dates.js';

const t = useTestApp({ env: { RISK_FREE_RATE: '0.02' } });
let alice: TestUser;
let portfolioId: string;

const AAA = {
  '2023-12-29': '99',
  '2024-01-02': '100',
  '2024-01-03': '102',
  '2024-01-04': '101',
  '2024-01-05': '104',
  '2024-01-08': '103',
  '2024-01-09': '106',
  '2024-01-10': '105.5',
  '2024-01-11': '107',
  '2024-01-12': '108',
};
/** No close on 2024-01-09: the 01-08 close is carried forward. */
const BBB = {
  '2024-01-02': '50',
  '2024-01-03': '49',
  '2024-01-04': '50.5',
  '2024-01-05': '51',
  '2024-01-08': '52',
  '2024-01-10': '51.5',
  '2024-01-11': '53',
  '2024-01-12': '52.5',
};
/** A market benchmark without closes on 01-04 and 01-11. */
const BENCH = {
  '2023-12-29': '398',
  '2024-01-02': '400',
  '2024-01-03': '404',
  '2024-01-05': '402',
  '2024-01-08': '406',
  '2024-01-09': '405',
  '2024-01-10': '410',
  '2024-01-12': '412',
};

beforeAll(async () => {
  alice = await createTestUser(t, { name: 'Alice' });
  await customAsset(t, alice, 'AAA', AAA);
  await customAsset(t, alice, 'BBB', BBB);
  await storedMarketAsset(t, 'BENCH', BENCH, { from: '2023-12-01', to: '2024-02-29' });
  portfolioId = (await createPortfolio(t, alice)).id;
  await addInvestment(t, alice, portfolioId, { symbol: 'AAA', quantity: '10', purchasePrice: '100', purchaseDate: '2024-01-02' });
  // A purchase in the middle of the range: a cash flow, not a return.
  await addInvestment(t, alice, portfolioId, { symbol: 'BBB', quantity: '20', purchasePrice: '51', purchaseDate: '2024-01-05' });
  // Bought on a Saturday: a valued day of its own.
  await addInvestment(t, alice, portfolioId, { symbol: 'AAA', quantity: '5', purchasePrice: '103', purchaseDate: '2024-01-06' });
});

const RANGE = { from: '2024-01-02', to: '2024-01-12' };
/** The weekdays with a close, and Saturday 01-06 (a purchase). */
const WITH_SATURDAY = [...JANUARY_2024_WEEKDAYS.slice(0, 4), '2024-01-06', ...JANUARY_2024_WEEKDAYS.slice(4)];

async function performance(id: string, range: { from?: string; to?: string }) {
  return ok(await t.gql(PortfolioPerformanceDocument, { id, ...range }, { token: alice.token })).portfolio!.performance;
}

async function risk(id: string, variables: { from?: string; to?: string; confidence?: number; benchmark?: string | null }) {
  return ok(await t.gql(PortfolioRiskDocument, { id, ...variables }, { token: alice.token })).portfolio!.risk;
}

describe('performance', () => {
  it('values each close day and purchase day, carries a missing close forward and leaves purchases out of the returns', async () => {
    const result = await performance(portfolioId, RANGE);
    expect(result.from).toBe('2024-01-02');
    expect(result.to).toBe('2024-01-12');
    expect(result.series.map((p) => p.date)).toEqual(WITH_SATURDAY);
    // values: exact sums of quantity × close (BBB's 01-08 close on 01-09; Saturday at Friday's closes)
    expect(result.series.map((p) => p.value)).toEqual(['1000', '1020', '1010', '2060', '2580', '2585', '2630', '2612.5', '2665', '2670']);
    const cumulative = [
      0.0, 0.020000000000000018, 0.010000000000000009, 0.02492610837438436, 0.02691625615763571, 0.028906403940886838, 0.04681773399014788,
      0.03985221674876849, 0.060748768472906445, 0.0627389162561578,
    ];
    result.series.forEach((point, i) => expect(point.cumulativeReturn).toBeCloseTo(cumulative[i]!, 12));
    expect(result.timeWeightedReturn).toBeCloseTo(0.0627389162561578, 12);
    expect(result.annualizedReturn).toBeCloseTo(8.216591186675043, 9);
    expect(result.moneyWeightedReturn).toBeCloseTo(9.701676474996791, 8);
  });

  it('starts the range from what was held the evening before', async () => {
    const result = await performance(portfolioId, { from: '2024-01-04', to: '2024-01-12' });
    expect(result.series.map((p) => p.value)).toEqual(['1010', '2060', '2580', '2585', '2630', '2612.5', '2665', '2670']);
    const cumulative = [
      -0.009803921568627416, 0.004829518014102252, 0.006780643291799615, 0.008731768569496978, 0.02629189606877258, 0.019462957596832142,
      0.03994977301265368, 0.04190089829035104,
    ];
    result.series.forEach((point, i) => expect(point.cumulativeReturn).toBeCloseTo(cumulative[i]!, 12));
    expect(result.timeWeightedReturn).toBeCloseTo(0.04190089829035104, 12);
    expect(result.annualizedReturn).toBeCloseTo(5.506239840013766, 9);
    expect(result.moneyWeightedReturn).toBeCloseTo(8.319249095592419, 8);
  });

  it('defaults to the first purchase until today', async () => {
    const result = await performance(portfolioId, {});
    expect(result.from).toBe('2024-01-02');
    expect(result.to).toBe(isoDateOf(new Date()));
    // No price after 01-12: the same days and figures as the explicit range.
    expect(result.series.map((p) => p.date)).toEqual(WITH_SATURDAY);
    expect(result.timeWeightedReturn).toBeCloseTo(0.0627389162561578, 12);
  });

  it('gives one day its own return (bought at the close: 0) and null figures, never NaN, for what needs more', async () => {
    const result = await performance(portfolioId, { from: '2024-01-02', to: '2024-01-02' });
    expect(result).toEqual({
      from: '2024-01-02',
      to: '2024-01-02',
      timeWeightedReturn: 0,
      moneyWeightedReturn: null,
      moneyWeightedReturnPeriod: null,
      moneyWeightedReturnDays: null,
      annualizedReturn: null,
      series: [{ date: '2024-01-02', value: '1000', cumulativeReturn: 0 }],
    });
  });

  it('is empty before the first purchase', async () => {
    const result = await performance(portfolioId, { from: '2023-12-01', to: '2023-12-31' });
    expect(result).toMatchObject({ timeWeightedReturn: null, moneyWeightedReturn: null, annualizedReturn: null, series: [] });
  });
});

describe('risk', () => {
  it('matches numpy, with beta on the days the benchmark has and pairwise correlations', async () => {
    const result = await risk(portfolioId, { ...RANGE, benchmark: 'bench' });
    expect(result).toMatchObject({
      from: '2024-01-02',
      to: '2024-01-12',
      observations: 10,
      confidence: 0.95,
      benchmark: 'BENCH',
      riskFreeRate: 0.02,
    });
    expect(result.volatility).toBeCloseTo(0.17530022063452955, 12);
    expect(result.sharpeRatio).toBeCloseTo(8.738262600637723, 10);
    expect(result.sortinoRatio).toBeCloseTo(25.515447742721648, 10);
    expect(result.maxDrawdown).toBeCloseTo(0.009803921568627416, 12);
    expect(result.valueAtRisk).toBeCloseTo(0.008386453440691858, 12);
    expect(result.conditionalValueAtRisk).toBeCloseTo(0.009803921568627416, 12);
    expect(result.parametricValueAtRisk).toBeCloseTo(0.012005901165699806, 9);
    // 6 common days: the benchmark has no close on 01-04 and 01-11, and none on 01-02 (its first in the range) or Saturday
    expect(result.beta).toBeCloseTo(-0.8308678387268947, 10);
    expect(result.correlations).toHaveLength(1);
    expect(result.correlations[0]).toMatchObject({ a: 'AAA', b: 'BBB' });
    expect(result.correlations[0]!.coefficient).toBeCloseTo(-0.30424100924130887, 12);
  });

  it('correlates each pair on the days both symbols have (pandas DataFrame.corr)', async () => {
    // CCC has a close every day, BBB misses 01-09: AAA–CCC use all 8 days, BBB's pairs 7.
    await customAsset(t, alice, 'CCC', {
      '2024-01-02': '20',
      '2024-01-03': '20.6',
      '2024-01-04': '20.2',
      '2024-01-05': '20.9',
      '2024-01-08': '21.3',
      '2024-01-09': '21.0',
      '2024-01-10': '21.4',
      '2024-01-11': '21.1',
      '2024-01-12': '21.8',
    });
    const threeId = (await createPortfolio(t, alice, { name: 'Three' })).id;
    for (const symbol of ['CCC', 'BBB', 'AAA']) {
      await addInvestment(t, alice, threeId, { symbol, quantity: '1', purchasePrice: '10', purchaseDate: '2024-01-02' });
    }
    const { correlations } = await risk(threeId, { ...RANGE, benchmark: null });
    expect(correlations.map(({ a, b }) => [a, b])).toEqual([
      ['AAA', 'BBB'],
      ['AAA', 'CCC'],
      ['BBB', 'CCC'],
    ]);
    const expected = [-0.30424100924130887, 0.14442903303872184, -0.7742051890382017];
    correlations.forEach((pair, i) => expect(pair.coefficient).toBeCloseTo(expected[i]!, 12));
  });

  it('takes the VaR confidence asked for', async () => {
    const result = await risk(portfolioId, { ...RANGE, confidence: 0.9, benchmark: null });
    expect(result.confidence).toBe(0.9);
    expect(result.valueAtRisk).toBeCloseTo(0.006968985312756305, 12);
    expect(result.conditionalValueAtRisk).toBeCloseTo(0.009803921568627416, 12);
    expect(result.parametricValueAtRisk).toBeCloseTo(0.00799400158067685, 9);
    expect(result.benchmark).toBeNull();
    expect(result.beta).toBeNull();
  });

  it('gives null figures, never NaN, for a single day', async () => {
    const result = await risk(portfolioId, { from: '2024-01-02', to: '2024-01-02', benchmark: 'BENCH' });
    expect(result).toMatchObject({
      observations: 1,
      volatility: null,
      sharpeRatio: null,
      sortinoRatio: null,
      beta: null,
      maxDrawdown: 0,
      valueAtRisk: null,
      conditionalValueAtRisk: null,
      parametricValueAtRisk: null,
      correlations: [],
    });
  });
});

describe('factorExposure', () => {
  it('regresses the returns on the factors on their common days (numpy lstsq)', async () => {
    const result = ok(
      await t.gql(PortfolioFactorExposureDocument, { id: portfolioId, factors: ['BENCH'], ...RANGE }, { token: alice.token }),
    ).portfolio!.factorExposure;
    expect(result.observations).toBe(6);
    expect(result.alpha).toBeCloseTo(0.01234559925723793, 12);
    expect(result.annualizedAlpha).toBeCloseTo(3.1110910128239584, 10);
    expect(result.rSquared).toBeCloseTo(0.31426088684425757, 10);
    expect(result.betas).toHaveLength(1);
    expect(result.betas[0]!.factor).toBe('BENCH');
    // With one factor, the OLS slope is the risk report's beta.
    expect(result.betas[0]!.beta).toBeCloseTo(-0.8308678387268943, 10);
  });

  it('has no fit with fewer observations than coefficients', async () => {
    const result = ok(
      await t.gql(
        PortfolioFactorExposureDocument,
        { id: portfolioId, factors: ['BENCH'], from: '2024-01-02', to: '2024-01-03' },
        { token: alice.token },
      ),
    ).portfolio!.factorExposure;
    expect(result).toMatchObject({ observations: 1, alpha: null, annualizedAlpha: null, rSquared: null, betas: [] });
  });
});

describe('flat prices', () => {
  let flatId: string;
  beforeAll(async () => {
    const days = ['2024-02-01', '2024-02-02', '2024-02-05', '2024-02-06', '2024-02-07'];
    await customAsset(t, alice, 'FLAT', Object.fromEntries(days.map((d) => [d, '10'])));
    await customAsset(t, alice, 'FLAT2', Object.fromEntries(days.map((d) => [d, '4.25'])));
    flatId = (await createPortfolio(t, alice, { name: 'Flat' })).id;
    // Bought at the day's close: the first day's return is 0 too.
    await addInvestment(t, alice, flatId, { symbol: 'FLAT', quantity: '3', purchasePrice: '10', purchaseDate: '2024-02-01' });
    await addInvestment(t, alice, flatId, { symbol: 'FLAT2', quantity: '2', purchasePrice: '4.25', purchaseDate: '2024-02-01' });
  });

  it('has no dispersion: volatility 0, no Sharpe, no drawdown, no loss, no correlation', async () => {
    const result = await risk(flatId, { from: '2024-02-01', to: '2024-02-07', benchmark: 'FLAT' });
    expect(result).toMatchObject({
      observations: 5,
      volatility: 0,
      sharpeRatio: null,
      maxDrawdown: 0,
      valueAtRisk: 0,
      conditionalValueAtRisk: 0,
      parametricValueAtRisk: 0,
      beta: null, // the benchmark does not move either
      correlations: [],
    });
    // Every excess return is −rf/252 < 0: the downside deviation is rf/252.
    expect(result.sortinoRatio).toBeCloseTo(-Math.sqrt(252), 12);
    const perf = await performance(flatId, { from: '2024-02-01', to: '2024-02-07' });
    expect(perf.timeWeightedReturn).toBe(0);
    expect(perf.series.every((p) => p.value === '38.5' && p.cumulativeReturn === 0)).toBe(true);
  });

  it('simulates a value that cannot move', async () => {
    const result = ok(
      await t.gql(
        PortfolioSimulationDocument,
        { id: flatId, horizonDays: 3, paths: 50, from: '2024-02-01', to: '2024-02-07' },
        { token: alice.token },
      ),
    ).portfolio!.simulation;
    expect(result).toMatchObject({
      symbols: ['FLAT', 'FLAT2'],
      observations: 4,
      startValue: '38.5',
      expectedValue: '38.5',
      valueAtRisk: 0,
    });
    expect(result.bands).toEqual([1, 2, 3].map((day) => ({ day, p5: '38.5', p25: '38.5', p50: '38.5', p75: '38.5', p95: '38.5' })));
  });
});
