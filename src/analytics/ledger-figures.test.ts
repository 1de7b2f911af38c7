/**
 * Performance and risk on the ledger, over GraphQL, against figures worked out by hand here from
 * the contract's rules ("Ledger" and "Analytics conventions"): sells and dividends are flows, not
 * returns; a holdings portfolio and a cash portfolio (one with DEPOSITs) count different flows;
 * a EUR stock in a USD portfolio is valued at each day's EUR→USD rate (read with Query.fxRate,
 * the one input taken from the server), its cost at its own rate. Also: custom assets as
 * benchmarks, as the caller can quote them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FxRateDocument,
  PortfolioPerformanceDocument,
  PortfolioRiskDocument,
  RecordTransactionDocument,
  SharePortfolioDocument,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { customAsset, JANUARY_2024_WEEKDAYS } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

let alice: TestUser;
let viewer: TestUser;

const DATES = JANUARY_2024_WEEKDAYS;
const AAA = [100, 102, 101, 104, 103, 106, 105.5, 107, 108];
/** In EUR. */
const EEE = [50, 51, 50, 52, 53, 52.5, 54, 55, 54];
const RANGE = { from: '2024-01-02', to: '2024-01-12' };
/** EUR→USD of each date, from Query.fxRate. */
let eurUsd: number[];

const closes = (values: number[]) => Object.fromEntries(DATES.map((date, i) => [date, String(values[i])]));

async function record(portfolioId: string, input: TransactionInput) {
  ok(await t.gql(RecordTransactionDocument, { portfolioId, input }, { token: alice.token }));
}

/** The trades both portfolios make: a buy with a fee, a EUR buy at its own rate, a taxed dividend, a partial sell. */
async function trade(portfolioId: string) {
  await record(portfolioId, { type: 'BUY', symbol: 'AAA', date: '2024-01-02', quantity: '10', price: '100', fee: '1' });
  await record(portfolioId, { type: 'BUY', symbol: 'EEE', date: '2024-01-03', quantity: '4', price: '50', currency: 'EUR', fxRate: '1.1' });
  await record(portfolioId, { type: 'DIVIDEND', symbol: 'AAA', date: '2024-01-05', amount: '20', fee: '3' });
  await record(portfolioId, { type: 'SELL', symbol: 'AAA', date: '2024-01-09', quantity: '4', price: '106', fee: '2' });
}

/** What is held each day: 10 AAA, 6 from the sale on; 4 EEE from 01-03. */
const heldAAA = DATES.map((date) => (date >= '2024-01-09' ? 6 : 10));
const heldEEE = DATES.map((date) => (date >= '2024-01-03' ? 4 : 0));
const holdingsValue = (i: number) => heldAAA[i]! * AAA[i]! + heldEEE[i]! * EEE[i]! * eurUsd[i]!;

/** r_t = (V_t + O_t) / (V_{t−1} + I_t) − 1 (nothing held before the first day; flows signed: in > 0, out < 0), and their TWR. */
function returnsOf(values: number[], flows: number[]) {
  const returns = values.map((v, i) => (v + Math.max(-flows[i]!, 0)) / ((i === 0 ? 0 : values[i - 1]!) + Math.max(flows[i]!, 0)) - 1);
  return { returns, twr: returns.reduce((g, r) => g * (1 + r), 1) - 1 };
}

/** Σ a_i (1 + rate)^(−days_i/365): zero at the money-weighted return. */
function npv(flows: { date: string; amount: number }[], rate: number) {
  const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  return flows.reduce((sum, f) => sum + f.amount * Math.pow(1 + rate, -(day(f.date) - day(flows[0]!.date)) / 365), 0);
}

const std = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

async function performance(id: string, range: { from?: string; to?: string } = RANGE) {
  return ok(await t.gql(PortfolioPerformanceDocument, { id, ...range }, { token: alice.token })).portfolio!.performance;
}

const t = useTestApp();
beforeAll(async () => {
  [alice, viewer] = await Promise.all([createTestUser(t, { name: 'Alice' }), createTestUser(t, { name: 'Viewer' })]);
  await customAsset(t, alice, 'AAA', closes(AAA));
  await customAsset(t, alice, 'EEE', closes(EEE), { currency: 'EUR' });
  eurUsd = [];
  for (const date of DATES)
    eurUsd.push(Number(ok(await t.gql(FxRateDocument, { from: 'EUR', to: 'USD', date }, { token: alice.token })).fxRate));
});

describe('a holdings portfolio (no deposits): trades and dividends are the flows', () => {
  it('takes a sale and a dividend out as money, not as a loss (USD only, worked by hand)', async () => {
    const { id } = await createPortfolio(t, alice);
    await record(id, { type: 'BUY', symbol: 'AAA', date: '2024-01-02', quantity: '10', price: '100' });
    await record(id, { type: 'DIVIDEND', symbol: 'AAA', date: '2024-01-03', amount: '20' });
    await record(id, { type: 'SELL', symbol: 'AAA', date: '2024-01-04', quantity: '5', price: '101' });
    const result = await performance(id, { from: '2024-01-02', to: '2024-01-04' });
    // V: 10 × 100, 10 × 102, 5 × 101. F: +1000, −20 (dividend), −505 (proceeds).
    expect(result.series.map((p) => p.value)).toEqual(['1000', '1020', '505']);
    // r: (1020 + 20) / 1000 − 1 = 4 %; (505 + 505) / 1020 − 1. TWR = 1.04 × 1010 / 1020 − 1.
    expect(result.series.map((p) => p.cumulativeReturn)).toEqual([0, expect.closeTo(0.04, 14), expect.closeTo(0.0298039215686275, 14)]);
    expect(result.timeWeightedReturn).toBeCloseTo((1.04 * 1010) / 1020 - 1, 14);
  });

  it('values the EUR stock at each day’s rate and counts its cost at its own, fees as money in', async () => {
    const { id } = await createPortfolio(t, alice);
    await trade(id);
    const result = await performance(id);
    const values = DATES.map((_, i) => holdingsValue(i));
    // BUY 10 × 100 + 1 fee; BUY 4 × 50 EUR at 1.1; dividend 20 − 3 tax out; sale 4 × 106 − 2 out.
    const flows = DATES.map((date) => ({ '2024-01-02': 1001, '2024-01-03': 220, '2024-01-05': -17, '2024-01-09': -422 })[date] ?? 0);
    expect(result.series.map((p) => p.date)).toEqual(DATES);
    result.series.forEach((point, i) => expect(Number(point.value)).toBeCloseTo(values[i]!, 9));
    const { returns, twr } = returnsOf(values, flows);
    expect(result.timeWeightedReturn).toBeCloseTo(twr, 12);
    // The old figure, with the sale as a loss and the dividend ignored, would be far below.
    expect(returns[6]).toBeGreaterThan(0);
    const days = (Date.parse('2024-01-12') - Date.parse('2024-01-02')) / 86_400_000;
    expect(result.annualizedReturn).toBeCloseTo(Math.pow(1 + twr, 365 / days) - 1, 9);
    // MWR: the flows as the investor sees them (in negative, out positive), the end value out.
    const mwr = result.moneyWeightedReturn!;
    const investor = [
      { date: '2024-01-02', amount: -1001 },
      { date: '2024-01-03', amount: -220 },
      { date: '2024-01-05', amount: 17 },
      { date: '2024-01-09', amount: 422 },
      { date: '2024-01-12', amount: values[8]! },
    ];
    expect(Math.abs(npv(investor, mwr))).toBeLessThan(1e-6);

    const risk = ok(await t.gql(PortfolioRiskDocument, { id, ...RANGE, benchmark: null }, { token: alice.token })).portfolio!.risk;
    expect(risk.observations).toBe(9);
    expect(risk.volatility).toBeCloseTo(std(returns) * Math.sqrt(252), 10);
    // Correlations of what is still held at the end: AAA and EEE (in their own currencies).
    expect(risk.correlations.map((c) => [c.a, c.b])).toEqual([['AAA', 'EEE']]);
  });
});

describe('a cash portfolio (with deposits): only deposits, withdrawals and transfers are flows', () => {
  it('is worth its holdings and its cash in both currencies; trades and dividends move cash inside', async () => {
    const { id } = await createPortfolio(t, alice);
    await record(id, { type: 'DEPOSIT', date: '2024-01-02', amount: '1500' });
    await record(id, { type: 'DEPOSIT', date: '2024-01-03', amount: '300', currency: 'EUR', fxRate: '1.1' });
    await trade(id);
    const result = await performance(id);
    // USD cash: 1500 − 1001 = 499; + 17 dividend from 01-05; + 422 proceeds from 01-09. EUR: 300 − 200 from 01-03.
    const usd = DATES.map((date) => (date >= '2024-01-09' ? 938 : date >= '2024-01-05' ? 516 : 499));
    const eur = DATES.map((date) => (date >= '2024-01-03' ? 100 : 0));
    const values = DATES.map((_, i) => holdingsValue(i) + usd[i]! + eur[i]! * eurUsd[i]!);
    const flows = DATES.map((date) => ({ '2024-01-02': 1500, '2024-01-03': 330 })[date] ?? 0);
    result.series.forEach((point, i) => expect(Number(point.value)).toBeCloseTo(values[i]!, 9));
    const { returns, twr } = returnsOf(values, flows);
    expect(result.timeWeightedReturn).toBeCloseTo(twr, 12);
    // The dividend and the sale are not returns of their day: only the prices move the value.
    expect(returns[3]).toBeCloseTo((values[3]! - values[2]!) / values[2]!, 12);
    const investor = [
      { date: '2024-01-02', amount: -1500 },
      { date: '2024-01-03', amount: -330 },
      { date: '2024-01-12', amount: values[8]! },
    ];
    expect(Math.abs(npv(investor, result.moneyWeightedReturn!))).toBeLessThan(1e-6);
  });
});

describe('benchmarks: any symbol the caller can quote', () => {
  const BENCH = [10, 10.1, 10.05, 10.3, 10.2, 10.4, 10.35, 10.5, 10.6];

  it("takes the caller's own custom asset, and not someone else's", async () => {
    const { id } = await createPortfolio(t, alice);
    await record(id, { type: 'BUY', symbol: 'AAA', date: '2024-01-02', quantity: '10', price: '100' });
    await customAsset(t, alice, 'MINE', closes(BENCH));
    await customAsset(t, viewer, 'VIEWS', closes(BENCH));
    ok(await t.gql(SharePortfolioDocument, { portfolioId: id, email: viewer.email, permission: 'VIEW' }, { token: alice.token }));

    const returns = AAA.slice(1).map((close, i) => close / AAA[i]! - 1);
    const bench = BENCH.slice(1).map((close, i) => close / BENCH[i]! - 1);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cov = returns.reduce((s, r, i) => s + (r - mean(returns)) * (bench[i]! - mean(bench)), 0) / (returns.length - 1);
    const beta = cov / std(bench) ** 2;

    const mine = await t.gql(PortfolioRiskDocument, { id, ...RANGE, benchmark: 'mine' }, { token: alice.token });
    expect(ok(mine).portfolio!.risk.beta).toBeCloseTo(beta, 10);
    const views = await t.gql(PortfolioRiskDocument, { id, ...RANGE, benchmark: 'VIEWS' }, { token: viewer.token });
    expect(ok(views).portfolio!.risk.beta).toBeCloseTo(beta, 10);
    // The viewer's asset is not the owner's to quote, nor the owner's the viewer's.
    for (const [symbol, user] of [
      ['VIEWS', alice],
      ['MINE', viewer],
    ] as const) {
      const refused = await t.gql(PortfolioRiskDocument, { id, ...RANGE, benchmark: symbol }, { token: user.token });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.extensions?.details).toEqual([{ field: 'benchmark', message: `unknown symbol ${symbol}` }]);
    }
  });
});
