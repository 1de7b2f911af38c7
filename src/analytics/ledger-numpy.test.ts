/**
 * Performance on the ledger over GraphQL (twr, mwr, annualized, series) against an independent
 * numpy implementation of the contract's rules: bench/ledger_performance_reference.py, given the
 * same transactions, closes and FX rates (the rates read with Query.fxRate, the one input taken
 * from the server). A ledger with two buys, a EUR stock in a USD portfolio bought at its date's
 * rate and sold at a rate of its own, a dividend with tax withheld, fees on trades and a FEE, a
 * 3-for-1 split and a partial sell; once as a holdings portfolio (trades and dividends are the
 * flows), once with deposits and a withdrawal (a cash portfolio: only those are flows), and over a
 * range that starts with positions already held.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FxRateDocument,
  PortfolioPerformanceDocument,
  RecordTransactionDocument,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { customAsset, JANUARY_2024_WEEKDAYS } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let alice: TestUser;

const DATES = JANUARY_2024_WEEKDAYS;
/** As traded: a third from the 3-for-1 split of 01-09 on. */
const AAA = [100, 102, 101, 104, 103, 35.4, 35.2, 35.8, 36.1];
/** In EUR. */
const EEE = [50, 51, 50, 52, 53, 52.5, 54, 55, 54];
const closes = (values: number[]) => Object.fromEntries(DATES.map((date, i) => [date, String(values[i])]));

const TRADES: TransactionInput[] = [
  { type: 'BUY', symbol: 'AAA', date: '2024-01-02', quantity: '10', price: '100', fee: '1' },
  // No fxRate: the EUR→USD rate of its date.
  { type: 'BUY', symbol: 'EEE', date: '2024-01-03', quantity: '4', price: '50', currency: 'EUR' },
  { type: 'BUY', symbol: 'AAA', date: '2024-01-04', quantity: '5', price: '101.5', fee: '0.5' },
  // 15 % withheld.
  { type: 'DIVIDEND', symbol: 'AAA', date: '2024-01-05', amount: '22.5', fee: '3.375' },
  { type: 'FEE', date: '2024-01-08', amount: '2.5', notes: 'custody' },
  { type: 'SPLIT', symbol: 'AAA', date: '2024-01-09', splitFrom: '1', splitTo: '3' },
  // 20 of the 45 shares after the split.
  { type: 'SELL', symbol: 'AAA', date: '2024-01-10', quantity: '20', price: '35.5', fee: '2' },
  // At a rate of its own, not the one it was bought at.
  { type: 'SELL', symbol: 'EEE', date: '2024-01-11', quantity: '2', price: '55', currency: 'EUR', fxRate: '1.12' },
];
const CASH: TransactionInput[] = [
  { type: 'DEPOSIT', date: '2024-01-02', amount: '3000' },
  { type: 'DEPOSIT', date: '2024-01-03', amount: '300', currency: 'EUR' },
  { type: 'WITHDRAWAL', date: '2024-01-11', amount: '400' },
];

interface Reference {
  dates: string[];
  values: number[];
  inflows: number[];
  outflows: number[];
  cumulativeReturns: number[];
  timeWeightedReturn: number;
  moneyWeightedReturn: number;
  annualizedReturn: number;
}

let eurUsd: Record<string, string>;

/** The figures bench/ledger_performance_reference.py computes for this ledger over the range. */
function reference(transactions: TransactionInput[], range: { from: string; to: string }): Reference {
  const order = (tx: TransactionInput) => tx.date;
  const sorted = [...transactions].sort((a, b) => order(a).localeCompare(order(b))); // stable: same-day as recorded
  const input = {
    range,
    transactions: sorted.map((tx) => ({ ...tx, currency: tx.currency ?? 'USD', fxRate: tx.fxRate ?? null })),
    closes: { AAA: closes(AAA), EEE: closes(EEE) },
    priceCurrency: { EEE: 'EUR' },
    fx: { EUR: eurUsd },
  };
  const output = execFileSync('python3', ['bench/ledger_performance_reference.py'], { input: JSON.stringify(input), encoding: 'utf8' });
  return JSON.parse(output) as Reference;
}

async function ledger(transactions: TransactionInput[]): Promise<string> {
  const { id } = await createPortfolio(t, alice, { baseCurrency: 'USD' });
  for (const input of transactions) ok(await t.gql(RecordTransactionDocument, { portfolioId: id, input }, { token: alice.token }));
  return id;
}

async function performance(id: string, range: { from: string; to: string }) {
  return ok(await t.gql(PortfolioPerformanceDocument, { id, ...range }, { token: alice.token })).portfolio!.performance;
}

const relative = (a: number, b: number) => Math.abs(a / b - 1);

async function expectSameFigures(id: string, transactions: TransactionInput[], range: { from: string; to: string }) {
  const [api, numpy] = [await performance(id, range), reference(transactions, range)];
  expect(api.series.map((p) => p.date)).toEqual(numpy.dates);
  api.series.forEach((point, i) => {
    expect(Number(point.value)).toBeCloseTo(numpy.values[i]!, 8);
    expect(point.cumulativeReturn).toBeCloseTo(numpy.cumulativeReturns[i]!, 12);
  });
  expect(api.timeWeightedReturn).toBeCloseTo(numpy.timeWeightedReturn, 12);
  expect(relative(api.annualizedReturn!, numpy.annualizedReturn)).toBeLessThan(1e-9);
  expect(relative(api.moneyWeightedReturn!, numpy.moneyWeightedReturn)).toBeLessThan(1e-9);
  return numpy;
}

beforeAll(async () => {
  alice = await createTestUser(t, { name: 'Alice' });
  await customAsset(t, alice, 'AAA', closes(AAA));
  await customAsset(t, alice, 'EEE', closes(EEE), { currency: 'EUR' });
  eurUsd = {};
  for (const date of DATES)
    eurUsd[date] = ok(await t.gql(FxRateDocument, { from: 'EUR', to: 'USD', date }, { token: alice.token })).fxRate!;
});

const RANGE = { from: '2024-01-02', to: '2024-01-12' };

describe('the ledger performance against numpy (bench/ledger_performance_reference.py)', () => {
  it('a holdings portfolio: buys, sells, the dividend and the fees are the flows', async () => {
    const id = await ledger(TRADES);
    const numpy = await expectSameFigures(id, TRADES, RANGE);
    // The reference's flows, worked by hand: BUY 10 × 100 + 1; 4 × 50 EUR at 01-03's rate;
    // 5 × 101.5 + 0.5; dividend 22.5 − 3.375 out; FEE 2.5 in; the split's fee 0; SELL
    // 20 × 35.5 − 2 out; SELL 2 × 55 EUR at its own 1.12 out; nothing on 01-12.
    const eurBuy = 200 * Number(eurUsd['2024-01-03']);
    [1001, eurBuy, 508, 0, 2.5, 0, 0, 0, 0].forEach((flow, i) => expect(numpy.inflows[i]).toBeCloseTo(flow, 9));
    [0, 0, 0, 19.125, 0, 0, 708, 123.2, 0].forEach((flow, i) => expect(numpy.outflows[i]).toBeCloseTo(flow, 9));
    // 45 AAA after the split (15 × 3), 25 after the sale, at 36.1; 2 EEE at 54 EUR.
    expect(numpy.values[8]).toBeCloseTo(25 * 36.1 + 2 * 54 * Number(eurUsd['2024-01-12']), 9);
  });

  it('a cash portfolio: only the deposits and the withdrawal are flows; cash in both currencies is valued', async () => {
    const transactions = [...CASH.slice(0, 2), ...TRADES, CASH[2]!];
    const id = await ledger(transactions);
    const numpy = await expectSameFigures(id, transactions, RANGE);
    expect(numpy.inflows.map((f) => Number(f.toFixed(9)))).toEqual([
      3000,
      Number((300 * Number(eurUsd['2024-01-03'])).toFixed(9)),
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(numpy.outflows).toEqual([0, 0, 0, 0, 0, 0, 0, 400, 0]);
  });

  it('weekend transactions are flows of their own dates, valued days of their own; a EUR dividend without a rate takes its date’s', async () => {
    const transactions: TransactionInput[] = [
      ...TRADES.slice(0, 4),
      { type: 'DIVIDEND', symbol: 'EEE', date: '2024-01-06', amount: '4', fee: '0.6', currency: 'EUR' },
      { type: 'BUY', symbol: 'AAA', date: '2024-01-07', quantity: '2', price: '103.5' },
      ...TRADES.slice(4),
    ];
    const id = await ledger(transactions);
    const numpy = await expectSameFigures(id, transactions, RANGE);
    // Saturday 01-06: the dividend (3.4 EUR at the last rate known, Friday's) out; Sunday 01-07: the BUY in.
    expect(numpy.dates.slice(3, 7)).toEqual(['2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08']);
    expect(numpy.outflows[4]).toBeCloseTo(3.4 * Number(eurUsd['2024-01-05']), 9);
    expect(numpy.inflows[5]).toBeCloseTo(207, 9);
  });

  it('over a range that starts with positions held: the start value is what they were worth the evening before', async () => {
    const id = await ledger(TRADES);
    await expectSameFigures(id, TRADES, { from: '2024-01-05', to: '2024-01-12' });
  });
});
