/**
 * Performance and risk read the daily snapshots (PortfolioSnapshot) for past days where they are
 * stored and were taken of the same ledger up to their day, and compute the other days: the
 * figures are the same either way, and the statements per report stay constant. A transaction
 * recorded later with an earlier date (BUY, SELL, DIVIDEND, DEPOSIT) makes the days from its date
 * on computed again; a snapshot whose value rule is not the ledger's (after a SELL, with cash) is
 * not used.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordTransactionDocument, type TransactionInput } from '../../schema/sdk/graphql.js';
import { clearAnalyticsCache, statementCounter } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addDays } from '../market/index.js';

let owner: TestUser;
const t = useTestApp();
beforeAll(async () => {
  owner = await createTestUser(t);
});

const FROM = '2024-05-27';
const TO = '2024-06-14';
const FIGURES = `query($id: ID!, $from: Date, $to: Date) { portfolio(id: $id) {
  performance(from: $from, to: $to) { timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } }
  risk(from: $from, to: $to) { observations volatility sharpeRatio sortinoRatio maxDrawdown valueAtRisk conditionalValueAtRisk } } }`;
const PERFORMANCE = `query($id: ID!, $from: Date, $to: Date) { portfolio(id: $id) { performance(from: $from, to: $to) { timeWeightedReturn } } }`;

interface Figures {
  performance: { timeWeightedReturn: number; series: Array<{ date: string; value: string; cumulativeReturn: number }> };
  risk: Record<string, number>;
}

async function figures(portfolioId: string, range = { from: FROM, to: TO }): Promise<Figures> {
  await clearAnalyticsCache(t);
  return ok(await t.gql<{ portfolio: Figures }>(FIGURES, { id: portfolioId, ...range }, { token: owner.token })).portfolio;
}

/** Snapshots of every weekday of the range, as the daily job stores them. */
async function snapshotRange(from: string, to: string): Promise<void> {
  for (let day = from; day <= to; day = addDays(day, 1)) {
    if ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) continue;
    await t.app.services.reports.snapshotDay(day);
  }
}

async function portfolioWith(symbols: string[]) {
  const portfolio = await createPortfolio(t, owner);
  for (const [i, symbol] of symbols.entries()) {
    await addInvestment(t, owner, portfolio.id, { symbol, quantity: String(i + 2), purchasePrice: '101.37', purchaseDate: '2024-01-02' });
  }
  // A purchase inside the range: a cash flow on that day.
  await addInvestment(t, owner, portfolio.id, {
    symbol: symbols[0]!,
    quantity: '1.5',
    purchasePrice: '180.11',
    purchaseDate: '2024-06-05',
  });
  return portfolio;
}

async function record(portfolioId: string, input: TransactionInput) {
  ok(await t.gql(RecordTransactionDocument, { portfolioId, input }, { token: owner.token }));
}

/** Adds 1000 to the stored value of `day`; returns the stored value as it now reads. */
async function tamper(portfolioId: string, day: string): Promise<string> {
  const db = t.app.services.db;
  const where = { portfolioId_date: { portfolioId, date: new Date(`${day}T00:00:00Z`) } };
  const stored = await db.portfolioSnapshot.findUniqueOrThrow({ where });
  await db.portfolioSnapshot.update({ where, data: { value: stored.value.plus(1000) } });
  return stored.value.plus(1000).toFixed();
}

const valueOn = (figures: Figures, day: string) => figures.performance.series.find((p) => p.date === day)!.value;

/** The figures now, and the same once the portfolio's snapshots are gone (all computed): equal. */
async function expectAsComputed(portfolioId: string): Promise<Figures> {
  const withSnapshots = await figures(portfolioId);
  await t.app.services.db.portfolioSnapshot.deleteMany({ where: { portfolioId } });
  expectSameFigures(withSnapshots, await figures(portfolioId));
  return withSnapshots;
}

/** Deep equality with the floats compared to 12 significant digits (stored values are exact decimals, computed ones doubles). */
function expectSameFigures(actual: Figures, expected: Figures): void {
  expect(actual.performance.series.map((p) => [p.date, p.value])).toEqual(expected.performance.series.map((p) => [p.date, p.value]));
  const close = (a: number | null, b: number | null) =>
    a === null || b === null ? expect(a).toBe(b) : expect(a).toBeCloseTo(b, 12 - Math.max(0, Math.ceil(Math.log10(Math.abs(b) || 1))));
  actual.performance.series.forEach((p, i) => close(p.cumulativeReturn, expected.performance.series[i]!.cumulativeReturn));
  close(actual.performance.timeWeightedReturn, expected.performance.timeWeightedReturn);
  for (const key of Object.keys(expected.risk)) close(actual.risk[key]!, expected.risk[key]!);
}

describe('Performance and risk over stored snapshots', () => {
  it('give the same figures with and without the snapshots, and use them where they hold the same holdings', async () => {
    const portfolio = await portfolioWith(['AAPL', 'MSFT']);
    const computed = await figures(portfolio.id);
    expect(computed.performance.series.length).toBeGreaterThan(10);

    await snapshotRange(addDays(FROM, -3), TO);
    const fromSnapshots = await figures(portfolio.id);
    expectSameFigures(fromSnapshots, computed);

    // They are read: a day whose stored value differs shows the stored one.
    const day = '2024-06-10';
    const db = t.app.services.db;
    const stored = await db.portfolioSnapshot.findUniqueOrThrow({
      where: { portfolioId_date: { portfolioId: portfolio.id, date: new Date(`${day}T00:00:00Z`) } },
    });
    await db.portfolioSnapshot.update({
      where: { portfolioId_date: { portfolioId: portfolio.id, date: stored.date } },
      data: { value: stored.value.plus(1000) },
    });
    const tampered = await figures(portfolio.id);
    expect(tampered.performance.series.find((p) => p.date === day)!.value).toBe(stored.value.plus(1000).toFixed());

    // A purchase recorded later, dated before the snapshots: their ledger differs, so those days are computed again.
    await addInvestment(t, owner, portfolio.id, { symbol: 'MSFT', quantity: '4', purchasePrice: '250', purchaseDate: '2024-05-20' });
    await expectAsComputed(portfolio.id);
  }, 60_000);

  it('compute again the days from a back-dated SELL, DIVIDEND or DEPOSIT on, and keep using the days before it', async () => {
    const cases: Array<{ input: TransactionInput; before: string | null }> = [
      { input: { type: 'SELL', symbol: 'AAPL', date: '2024-06-06', quantity: '1', price: '190' }, before: '2024-06-04' },
      // A dividend leaves a holdings portfolio's value alone, but the ledger up to the day is not the snapshot's.
      { input: { type: 'DIVIDEND', symbol: 'AAPL', date: '2024-06-06', amount: '5' }, before: '2024-06-04' },
      // Cash: part of every day's value once the ledger has a deposit, whatever its date.
      { input: { type: 'DEPOSIT', date: '2024-06-06', amount: '1000' }, before: null },
    ];
    for (const { input, before } of cases) {
      const portfolio = await portfolioWith(['AAPL', 'MSFT']);
      await snapshotRange(addDays(FROM, -3), TO);
      const after = await tamper(portfolio.id, '2024-06-10');
      const kept = before && (await tamper(portfolio.id, before));
      expect(valueOn(await figures(portfolio.id), '2024-06-10')).toBe(after);
      await record(portfolio.id, input);
      const figuresNow = await figures(portfolio.id);
      expect(valueOn(figuresNow, '2024-06-10'), input.type).not.toBe(after);
      if (before) expect(valueOn(figuresNow, before), input.type).toBe(kept);
      else
        expect(figuresNow.performance.series.map((p) => p.value)).toEqual(
          (await expectAsComputed(portfolio.id)).performance.series.map((p) => p.value),
        );
    }
  }, 120_000);

  it('give the computed figures for a ledger with a SELL or cash before the snapshots were taken', async () => {
    // The snapshot job values the BUY lots; after a SELL, or with cash, the ledger's value is another.
    for (const input of [
      { type: 'SELL', symbol: 'AAPL', date: '2024-06-03', quantity: '1', price: '190' },
      { type: 'DEPOSIT', date: '2024-01-02', amount: '5000' },
    ] satisfies TransactionInput[]) {
      const portfolio = await portfolioWith(['AAPL', 'MSFT']);
      await record(portfolio.id, input);
      await snapshotRange(addDays(FROM, -3), TO);
      await expectAsComputed(portfolio.id);
    }
  }, 120_000);

  it('cost the same statements with snapshots as without, whatever the number of holdings or days', async () => {
    const count = statementCounter(t);
    const statements = async (portfolioId: string, to: string) => {
      await clearAnalyticsCache(t);
      // Warm: the price history is stored already.
      await t.gql(PERFORMANCE, { id: portfolioId, from: FROM, to }, { token: owner.token });
      await clearAnalyticsCache(t);
      return count(() => t.gql(PERFORMANCE, { id: portfolioId, from: FROM, to }, { token: owner.token }));
    };
    const small = await portfolioWith(['AAPL']);
    const large = await portfolioWith(['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA']);
    const before = [await statements(small.id, TO), await statements(large.id, TO)];
    await snapshotRange(FROM, TO);
    const after = [await statements(small.id, TO), await statements(large.id, TO), await statements(large.id, '2024-06-07')];
    expect(new Set(before).size).toBe(1);
    expect(new Set(after).size).toBe(1);
    // The stored values are one statement read whether or not there are any.
    expect(after[0]).toBe(before[0]);
  }, 60_000);
});
