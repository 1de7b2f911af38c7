/**
 * Conformance of the return figures with outside references, through the public GraphQL API,
 * prices pinned by custom assets (shared/contract/README.md, "Analytics conventions": Portfolio
 * Performance's true time-weighted rate of return, XIRR on the flows' own dates).
 *
 * Each case cites its source. Only facts carry over (dates, prices, amounts, published results);
 * the expected figures are re-derived here in a line or two, never taken from the references'
 * code (Portfolio Performance is EPL, Ghostfolio AGPL). Tolerances: ratios to 1e-6 unless the
 * reference states its own, money to the cent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PortfolioPerformanceDocument,
  PortfolioRiskDocument,
  RecordTransactionDocument,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { customAsset, type Closes } from '../analytics.js';
import { createPortfolio, ok } from '../portfolios.js';
import { useTestApp } from '../use-test-app.js';
import { createTestUser, type TestUser } from '../users.js';

const t = useTestApp();
let user: TestUser;

beforeAll(async () => {
  user = await createTestUser(t, { name: 'Conformance' });
});

/** A portfolio (USD) with these transactions, recorded in order. */
async function ledger(transactions: TransactionInput[]): Promise<string> {
  const { id } = await createPortfolio(t, user, { baseCurrency: 'USD' });
  for (const input of transactions) ok(await t.gql(RecordTransactionDocument, { portfolioId: id, input }, { token: user.token }));
  return id;
}

async function performance(id: string, range: { from?: string; to?: string }) {
  return ok(await t.gql(PortfolioPerformanceDocument, { id, ...range }, { token: user.token })).portfolio!.performance;
}

async function risk(id: string, range: { from?: string; to?: string }) {
  return ok(await t.gql(PortfolioRiskDocument, { id, ...range, benchmark: null }, { token: user.token })).portfolio!.risk;
}

/** |actual − expected| ≤ tolerance. */
function expectWithin(actual: number | null | undefined, expected: number, tolerance = 1e-6): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance);
}

/** Every weekday from `from` to `to` (inclusive), each with `close(date)`. */
function weekdayCloses(from: string, to: string, close: (date: string) => string): Closes {
  const closes: Closes = {};
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 86_400_000) {
    const date = new Date(day);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    const iso = date.toISOString().slice(0, 10);
    closes[iso] = close(iso);
  }
  return closes;
}

/**
 * Closes whose daily returns are `returns` (fractions), from `first` on consecutive days from
 * `from`, to the 8 decimals a close may have (a first close of a million keeps the returns exact
 * to about 1e-14).
 */
function closesOfReturns(from: string, first: number, returns: readonly number[]): Closes {
  const closes: Closes = {};
  let close = first;
  const start = Date.parse(`${from}T00:00:00Z`);
  closes[from] = String(first);
  returns.forEach((r, i) => {
    close *= 1 + r;
    closes[new Date(start + (i + 1) * 86_400_000).toISOString().slice(0, 10)] = close.toFixed(8);
  });
  return closes;
}

/** Annual rate with Σ a_i (1 + r)^(−days_i/365) = 0, by bisection: the re-derivation of an XIRR. */
function xirr(flows: { date: string; amount: number }[]): number {
  const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const npv = (r: number) => flows.reduce((s, f) => s + f.amount * Math.pow(1 + r, -(day(f.date) - day(flows[0]!.date)) / 365), 0);
  let [low, high] = [-0.99, 100];
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (npv(mid) > 0 === npv(low) > 0) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

describe("Portfolio Performance's IRRTest (name.abuchen.portfolio.tests, math/IRRTest.java)", () => {
  it('testSimpleExcelTestCase: −200 on 2010-01-01, +210 on 2010-12-31 → 0.050140747', async () => {
    await customAsset(t, user, 'PPIRR', { '2010-01-01': '200', '2010-12-31': '210' });
    // Bought for 200 and still held at 210 at the end of the range: the end value is the +210.
    const id = await ledger([{ type: 'BUY', symbol: 'PPIRR', date: '2010-01-01', quantity: '1', price: '200' }]);
    const result = await performance(id, { from: '2010-01-01', to: '2010-12-31' });
    // 364 days: 1.05^(365/364) − 1.
    expectWithin(result.moneyWeightedReturn, 0.050140747);
    expectWithin(result.moneyWeightedReturn, Math.pow(1.05, 365 / 364) - 1, 1e-12);
    expectWithin(result.timeWeightedReturn, 0.05, 1e-12);
  });

  it('testComplexExcelTestCaseWithSlowCurve: eight yearly flows → 0.1444629967 (their tolerance 1e-4)', async () => {
    // −4398 in, six payouts, +14508 out: a purchase, six dividends and the sale.
    await customAsset(t, user, 'PPSLOW', { '2002-11-29': '4398', '2012-12-06': '14508' });
    const payouts: [string, string][] = [
      ['2007-06-11', '200'],
      ['2008-05-11', '270'],
      ['2009-05-01', '280'],
      ['2010-06-01', '280'],
      ['2011-05-02', '300'],
      ['2012-04-30', '330'],
    ];
    const id = await ledger([
      { type: 'BUY', symbol: 'PPSLOW', date: '2002-11-30', quantity: '1', price: '4398' },
      ...payouts.map(([date, amount]): TransactionInput => ({ type: 'DIVIDEND', symbol: 'PPSLOW', date, amount })),
      { type: 'SELL', symbol: 'PPSLOW', date: '2012-12-06', quantity: '1', price: '14508' },
    ]);
    const result = await performance(id, { from: '2002-11-30', to: '2012-12-06' });
    expectWithin(result.moneyWeightedReturn, 0.1444629967, 1e-4);
    // 2002-11-30 is a Saturday without a close: the purchase still counts on its own date.
    expect(result.series[0]).toMatchObject({ date: '2002-11-30', value: '4398' });
  });
});

describe("Excel's XIRR documentation example (support.microsoft.com, XIRR function) → 0.373362535", () => {
  // −10,000 on 2008-01-01; 2,750 on 2008-03-01 (a Saturday); 4,250 on 2008-10-30; 3,250 on
  // 2009-02-15 (a Sunday); 2,750 on 2009-04-01. Entered as a purchase, three dividends and the sale.
  const flows: TransactionInput[] = [
    { type: 'BUY', symbol: '', date: '2008-01-01', quantity: '1', price: '10000' },
    { type: 'DIVIDEND', symbol: '', date: '2008-03-01', amount: '2750' },
    { type: 'DIVIDEND', symbol: '', date: '2008-10-30', amount: '4250' },
    { type: 'DIVIDEND', symbol: '', date: '2009-02-15', amount: '3250' },
    { type: 'SELL', symbol: '', date: '2009-04-01', quantity: '1', price: '2750' },
  ];
  const trades = (symbol: string) => flows.map((flow) => ({ ...flow, symbol }));
  const RANGE = { from: '2008-01-01', to: '2009-04-01' };

  it('with a close every weekday: flows on weekends stay on their own dates', async () => {
    await customAsset(
      t,
      user,
      'XIRRW',
      weekdayCloses('2008-01-01', '2009-04-01', (date) => (date < '2009-04-01' ? '10000' : '2750')),
    );
    const id = await ledger(trades('XIRRW'));
    const result = await performance(id, RANGE);
    expectWithin(result.moneyWeightedReturn, 0.373362535);
    expect(result.series.map((p) => p.date)).toContain('2008-03-01');
    expect(result.series.map((p) => p.date)).toContain('2009-02-15');
  });

  it('with closes only on the flow days, the same rate; TWR chains the flow days', async () => {
    const closes = { '2008-01-01': '10000', '2008-03-01': '7500', '2008-10-30': '3500', '2009-02-15': '2800', '2009-04-01': '2750' };
    await customAsset(t, user, 'XIRRF', closes);
    const id = await ledger(trades('XIRRF'));
    const result = await performance(id, RANGE);
    expectWithin(result.moneyWeightedReturn, 0.373362535);
    // r_t = (V_t + O_t) / (V_{t−1} + I_t) − 1 on each flow day (the first: bought at the close, 0).
    const twr = ((7500 + 2750) / 10000) * ((3500 + 4250) / 7500) * ((2800 + 3250) / 3500) * (2750 / 2800) - 1;
    expectWithin(result.timeWeightedReturn, twr, 1e-12);
    expect(result.series.map((p) => p.value)).toEqual(['10000', '7500', '3500', '2800', '0']);
  });
});

describe("Ghostfolio's calculator specs (apps/api/src/app/portfolio/calculator/roai/*.spec.ts, current-rate.service.mock.ts prices)", () => {
  // portfolio-calculator-btcusd.spec.ts: 1 BTCUSD bought on 2021-12-12 at 44,558.42 with a fee of
  // 4.46; the mock's closes: 50,098.3 on 2021-12-12, 43,099.7 on 2022-01-14 (no price between).
  // Ghostfolio's own figures: value 50,098.3 then 43,099.7; net performance −1,463.18, i.e. the
  // investment lost 3.28 %. Portfolio Performance's convention measures the fee as money put in:
  // 43,099.7 / (44,558.42 + 4.46) − 1.
  beforeAll(async () => {
    await customAsset(t, user, 'BTCUSD', { '2021-12-12': '50098.3', '2022-01-14': '43099.7' });
  });
  const BUY: TransactionInput = { type: 'BUY', symbol: 'BTCUSD', date: '2021-12-12', quantity: '1', price: '44558.42', fee: '4.46' };

  it('BTCUSD buy: the purchase day counts from the price paid plus fee; TWR is the investment’s own −3.28 %', async () => {
    const id = await ledger([BUY]);
    const result = await performance(id, { from: '2021-12-12', to: '2022-01-14' });
    expect(result.series.map((p) => [p.date, p.value])).toEqual([
      ['2021-12-12', '50098.3'],
      ['2022-01-14', '43099.7'],
    ]);
    expectWithin(result.series[0]!.cumulativeReturn, 50098.3 / 44562.88 - 1, 1e-12);
    expectWithin(result.timeWeightedReturn, 43099.7 / 44562.88 - 1, 1e-12);
    expectWithin(result.timeWeightedReturn, -0.032834, 1e-6);
    // Ghostfolio's money figure: −1,463.18 = end value − cost − fee.
    expect((43099.7 - 44558.42 - 4.46).toFixed(2)).toBe('-1463.18');
    // One purchase, held: MWR is TWR annualized over the 33 days, and over the range itself TWR.
    expectWithin(result.moneyWeightedReturn, Math.pow(43099.7 / 44562.88, 365 / 33) - 1, 1e-9);
    expect(result.moneyWeightedReturnDays).toBe(33);
    expectWithin(result.moneyWeightedReturnPeriod, 43099.7 / 44562.88 - 1, 1e-9);
  });

  it('BTCUSD over a range that starts after the purchase: from the value the evening before', async () => {
    const id = await ledger([BUY]);
    const result = await performance(id, { from: '2021-12-13', to: '2022-01-14' });
    expectWithin(result.timeWeightedReturn, 43099.7 / 50098.3 - 1, 1e-12);
  });

  it('BALN.SW buy and sell (portfolio-calculator-baln-buy-and-sell.spec.ts facts): 2 @ 142.9, sold 2 @ 136.6', async () => {
    await customAsset(t, user, 'BALN.SW', { '2021-11-22': '142.9', '2021-11-30': '136.6' });
    const id = await ledger([
      { type: 'BUY', symbol: 'BALN.SW', date: '2021-11-22', quantity: '2', price: '142.9', fee: '1.55' },
      { type: 'SELL', symbol: 'BALN.SW', date: '2021-11-30', quantity: '2', price: '136.6', fee: '1.65' },
    ]);
    const result = await performance(id, { from: '2021-11-22', to: '2021-11-30' });
    // Money in 285.8 + 1.55, out 273.2 − 1.65: the round trip's own return.
    expectWithin(result.timeWeightedReturn, (273.2 - 1.65) / (285.8 + 1.55) - 1, 1e-12);
    expect(result.series.map((p) => p.value)).toEqual(['285.8', '0']);
    // Ghostfolio's net performance of the same trades: −15.8 (proceeds − cost − both fees).
    expect((273.2 - 1.65 - (285.8 + 1.55)).toFixed(2)).toBe('-15.80');
  });
});

describe("empyrical's test arrays (quantopian/empyrical, empyrical/tests/test_stats.py)", () => {
  // The arrays are daily returns; the API sees prices, so each is a custom asset whose closes
  // compound them, held by one purchase.
  const MIXED = [1, 10, -4, 2, 3, 2, 1, -10].map((x) => x / 100); // mixed_returns without its leading nan
  const NEGATIVE = [0, -6, -7, -1, -9, -2, -6, -8, -5].map((x) => x / 100);
  const POSITIVE = [1, 2, 1, 1, 1, 1, 1, 1, 1].map((x) => x / 100);

  it('mixed_returns (range from the day after the purchase): Sharpe 1.7238613961706866, max drawdown 0.1, volatility ×√252', async () => {
    // Bought on 2000-01-30 (empyrical's nan day); the range starts the next day, so its first
    // return is from the evening-before value: exactly the eight returns.
    await customAsset(t, user, 'EMPMIX', closesOfReturns('2000-01-30', 1_000_000, MIXED));
    const id = await ledger([{ type: 'BUY', symbol: 'EMPMIX', date: '2000-01-30', quantity: '1', price: '1000000' }]);
    const result = await risk(id, { from: '2000-01-31', to: '2000-02-07' });
    expect(result.observations).toBe(8);
    expectWithin(result.sharpeRatio, 1.7238613961706866, 1e-9);
    expectWithin(result.sortinoRatio, 2.605531251673693, 1e-9);
    expectWithin(result.maxDrawdown, 0.1, 1e-9);
    // numpy: std(mixed, ddof=1) × √252.
    expectWithin(result.volatility, 0.9136465399704637, 1e-9);
  });

  it('negative_returns (bought at the first close: its own 0 return counts): max drawdown = −cum_returns_final', async () => {
    await customAsset(t, user, 'EMPNEG', closesOfReturns('2000-01-30', 1_000_000, NEGATIVE.slice(1)));
    const id = await ledger([{ type: 'BUY', symbol: 'EMPNEG', date: '2000-01-30', quantity: '1', price: '1000000' }]);
    const result = await risk(id, { from: '2000-01-30', to: '2000-02-07' });
    expect(result.observations).toBe(9);
    expectWithin(result.maxDrawdown, 0.365907303498736, 1e-9);
    expectWithin(result.sharpeRatio, -24.406808633910085, 1e-9);
    expectWithin(result.sortinoRatio, -13.532743075043401, 1e-9);
  });

  it('positive_returns (bought 1 % below the first close: that is the first return): Sharpe 52.915026221291804', async () => {
    await customAsset(t, user, 'EMPPOS', closesOfReturns('2000-01-30', 1_010_000, POSITIVE.slice(1)));
    const id = await ledger([{ type: 'BUY', symbol: 'EMPPOS', date: '2000-01-30', quantity: '1', price: '1000000' }]);
    const result = await risk(id, { from: '2000-01-30', to: '2000-02-07' });
    expect(result.observations).toBe(9);
    expectWithin(result.sharpeRatio, 52.915026221291804, 1e-8);
    expectWithin(result.maxDrawdown, 0, 1e-12);
    expectWithin(result.volatility, 0.052915026221291815, 1e-9);
  });
});

describe('textbook TWR and MWR (e.g. CFA Institute, "Time-weighted and money-weighted rates of return")', () => {
  it('100 in, grows 20 %, 120 more in, falls to 220: TWR 10 %, MWR 0 % (the second sum was invested at the top)', async () => {
    // One share bought at 100; a year later (365 days) a second at 120; a year after that 2 × 110.
    // The close of the evening before the second purchase is what the year earned: the inflow
    // counts from it (without it, the last close known, 100, would be the day's start).
    await customAsset(t, user, 'TXTBK', { '2021-01-04': '100', '2022-01-03': '120', '2022-01-04': '120', '2023-01-04': '110' });
    const id = await ledger([
      { type: 'BUY', symbol: 'TXTBK', date: '2021-01-04', quantity: '1', price: '100' },
      { type: 'BUY', symbol: 'TXTBK', date: '2022-01-04', quantity: '1', price: '120' },
    ]);
    const result = await performance(id, { from: '2021-01-04', to: '2023-01-04' });
    // TWR = 1.2 × 220 / 240 − 1; MWR: 100 x² + 120 x − 220 = 0 at x = 1 + r = 1.
    expectWithin(result.timeWeightedReturn, 0.1, 1e-12);
    expectWithin(result.moneyWeightedReturn, 0, 1e-9);
    // Annualized over the 730 days: 1.1^(1/2) − 1.
    expectWithin(result.annualizedReturn, Math.sqrt(1.1) - 1, 1e-12);
  });

  it('a fee counts as money put in on its own day, first purchase or later', async () => {
    await customAsset(t, user, 'FEES', { '2021-03-01': '50', '2021-03-02': '50', '2021-03-03': '50' });
    const id = await ledger([
      { type: 'BUY', symbol: 'FEES', date: '2021-03-01', quantity: '10', price: '50', fee: '5' },
      { type: 'BUY', symbol: 'FEES', date: '2021-03-02', quantity: '10', price: '50', fee: '5' },
    ]);
    const result = await performance(id, { from: '2021-03-01', to: '2021-03-03' });
    // 500 / 505, then 1000 / (500 + 505): each fee a loss of its day only.
    expectWithin(result.timeWeightedReturn, (500 / 505) * (1000 / 1005) - 1, 1e-12);
  });
});

describe('a cash portfolio: deposits, interest, fees and withdrawals (the contract\'s "Ledger": only deposits and withdrawals cross its boundary)', () => {
  it('has a series without any holding; a Saturday deposit at the end of the range is included', async () => {
    const id = await ledger([
      { type: 'DEPOSIT', date: '2024-03-01', amount: '1000' },
      { type: 'INTEREST', date: '2024-03-04', amount: '5' },
      { type: 'FEE', date: '2024-03-05', amount: '2' },
      { type: 'WITHDRAWAL', date: '2024-03-06', amount: '300' },
      { type: 'DEPOSIT', date: '2024-03-09', amount: '500' }, // a Saturday, the range's last day
    ]);
    const result = await performance(id, { from: '2024-03-01', to: '2024-03-09' });
    expect(result.series.map((p) => [p.date, p.value])).toEqual([
      ['2024-03-01', '1000'],
      ['2024-03-04', '1005'],
      ['2024-03-05', '1003'],
      ['2024-03-06', '703'],
      ['2024-03-09', '1203'],
    ]);
    // The interest and the fee are the only returns: 1003 / 1000 − 1.
    expectWithin(result.timeWeightedReturn, 0.003, 1e-12);
    const mwr = xirr([
      { date: '2024-03-01', amount: -1000 },
      { date: '2024-03-06', amount: 300 },
      { date: '2024-03-09', amount: -500 },
      { date: '2024-03-09', amount: 1203 },
    ]);
    expectWithin(result.moneyWeightedReturn, mwr, 1e-6 * Math.abs(mwr));
  });
});

describe('custom assets priced monthly (a house, a fund): a mid-month purchase on its own date', () => {
  it('gives the investment’s own return from the price paid, and the MWR on the purchase date', async () => {
    await customAsset(
      t,
      user,
      'HOUSE',
      { '2024-01-01': '290000', '2024-02-01': '303000', '2024-03-01': '306030' },
      { type: 'REAL_ESTATE' },
    );
    const id = await ledger([{ type: 'BUY', symbol: 'HOUSE', date: '2024-01-15', quantity: '1', price: '300000' }]);
    const result = await performance(id, { from: '2024-01-15', to: '2024-03-01' });
    expectWithin(result.timeWeightedReturn, 306030 / 300000 - 1, 1e-12);
    // −300,000 on 01-15, +306,030 on 03-01: 46 days.
    expectWithin(result.moneyWeightedReturn, Math.pow(306030 / 300000, 365 / 46) - 1, 1e-9);
  });
});

describe('a money-weighted return over a few days (the contract: an annual XIRR, actual/365)', () => {
  it('is annual, and says over how many days it ran and what it was over those days', async () => {
    await customAsset(t, user, 'SIXDAYS', { '2024-06-03': '100', '2024-06-09': '150' });
    const id = await ledger([{ type: 'BUY', symbol: 'SIXDAYS', date: '2024-06-03', quantity: '1', price: '100' }]);
    const result = await performance(id, { from: '2024-06-03', to: '2024-06-09' });
    // +50 % in 6 days is 1.5^(365/6) − 1 a year (about 5e10): annual, as the contract defines it.
    expectWithin(result.moneyWeightedReturn! / (Math.pow(1.5, 365 / 6) - 1), 1, 1e-9);
    expect(result.moneyWeightedReturnDays).toBe(6);
    expectWithin(result.moneyWeightedReturnPeriod, 0.5, 1e-9);
  });
});

describe('a close of 0 is no price (docs/analytics.md)', () => {
  it('does not pin TWR at −100 % for ever: the holding keeps its last positive close', async () => {
    await customAsset(t, user, 'ZERO', { '2024-04-01': '10', '2024-04-02': '0', '2024-04-03': '11', '2024-04-04': '12' });
    const id = await ledger([{ type: 'BUY', symbol: 'ZERO', date: '2024-04-01', quantity: '5', price: '10' }]);
    const result = await performance(id, { from: '2024-04-01', to: '2024-04-04' });
    expectWithin(result.timeWeightedReturn, 0.2, 1e-12);
    expect(result.series.map((p) => p.value)).toEqual(['50', '55', '60']);
  });
});
