/**
 * The ledger's figures as a user reads them, and the replay cache behind them: exact lot costs
 * (no 4396.7349999… for a lot that cost 4396.735), cash in valuations and allocation, and two app
 * instances sharing PostgreSQL and Redis, where a write through one is seen by the other's next
 * read although both cache replayed ledgers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordTransactionDocument, type TransactionInput } from '../../schema/sdk/graphql.js';
import { type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

let owner: TestUser;
const a = useTestApp();
// A second instance on the same database and Redis prefix: another replica.
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX }));
beforeAll(async () => {
  await seedLedgerAssets(a);
  owner = await createTestUser(a);
});

async function record(t: TestApp, portfolioId: string, input: TransactionInput) {
  return ok(await t.gql(RecordTransactionDocument, { portfolioId, input }, { token: owner.token })).recordTransaction;
}

const FIGURES = `query Figures($id: ID!) { portfolio(id: $id) {
  holdings { symbol quantity averageCost costBasis { amount currency } weight }
  cashBalances { amount currency }
  valuation { currency totalValue totalCost unrealizedGain }
  allocation(by: TYPE) { key value weight }
} }`;
interface Figures {
  holdings: Array<{
    symbol: string;
    quantity: string;
    averageCost: string;
    costBasis: { amount: string; currency: string };
    weight: number;
  }>;
  cashBalances: Array<{ amount: string; currency: string }>;
  valuation: { currency: string; totalValue: string; totalCost: string; unrealizedGain: string };
  allocation: Array<{ key: string; value: string; weight: number }>;
}
async function figures(t: TestApp, id: string): Promise<Figures> {
  return ok(await t.gql<{ portfolio: Figures }>(FIGURES, { id }, { token: owner.token })).portfolio;
}

describe('exact lot costs', () => {
  it('6 shares at 732.78 plus a 0.055 fee cost 4396.735, in holdings and in the valuation', async () => {
    const portfolio = await createPortfolio(a, owner);
    // XYZ has no quote: the valuation counts it at its cost, so totalValue is that cost too.
    await record(a, portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-10', quantity: '6', price: '732.78', fee: '0.055' });
    const read = await figures(a, portfolio.id);
    expect(read.holdings.map((h) => [h.quantity, h.costBasis.amount, h.averageCost])).toEqual([['6', '4396.735', '732.78916667']]);
    expect([read.valuation.totalCost, read.valuation.totalValue, read.valuation.unrealizedGain]).toEqual(['4396.735', '4396.735', '0']);

    // A third sold: what is left costs exactly two thirds of it, 2931.15666…, printed to 8 places.
    await record(a, portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2024-02-01', quantity: '2', price: '800' });
    const after = await figures(a, portfolio.id);
    expect(after.holdings.map((h) => [h.quantity, h.costBasis.amount])).toEqual([['4', '2931.15666667']]);
  });
});

describe('cash in valuations', () => {
  it('a deposit less a purchase is cash: in totalValue and allocation, not in totalCost', async () => {
    const portfolio = await createPortfolio(a, owner);
    await record(a, portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '10000' });
    await record(a, portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-10', quantity: '10', price: '100', fee: '5' });
    await record(a, portfolio.id, { type: 'FEE', date: '2024-01-11', amount: '2.5' });
    const read = await figures(a, portfolio.id);
    // 10000 − 1005 − 2.5 = 8992.5 cash; the position counts at its cost, 1005 (no quote).
    expect(read.cashBalances).toEqual([{ amount: '8992.5', currency: 'USD' }]);
    expect(read.valuation).toEqual({ currency: 'USD', totalValue: '9997.5', totalCost: '1005', unrealizedGain: '0' });
    expect(read.allocation.map((s) => [s.key, s.value])).toEqual([
      ['CASH', '8992.5'],
      ['STOCK', '1005'],
    ]);
    expect(read.allocation[0]!.weight).toBeCloseTo(8992.5 / 9997.5, 12);
    expect(read.holdings[0]!.weight).toBeCloseTo(1005 / 9997.5, 12);
  });

  it("cash in another currency counts at today's rate", async () => {
    const portfolio = await createPortfolio(a, owner);
    await record(a, portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '1000' });
    await record(a, portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '100', currency: 'EUR', fxRate: '1.1' });
    const today = new Date().toISOString().slice(0, 10);
    const rate = ok(
      await a.gql<{ fxRate: string }>(`query { fxRate(from: "EUR", to: "USD", date: "${today}") }`, {}, { token: owner.token }),
    ).fxRate;
    const read = await figures(a, portfolio.id);
    expect(read.cashBalances).toEqual([
      { amount: '100', currency: 'EUR' },
      { amount: '1000', currency: 'USD' },
    ]);
    expect(Number(read.valuation.totalValue)).toBeCloseTo(1000 + 100 * Number(rate), 8);
    expect(read.valuation.totalCost).toBe('0');
  });
});

describe('two instances sharing PostgreSQL and Redis', () => {
  it("a write through one is in the other's next read, though both cache replayed ledgers", async () => {
    const portfolio = await createPortfolio(a, owner);
    await record(a, portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-10', quantity: '10', price: '100' });
    // Both instances replay and cache the ledger.
    expect((await figures(a, portfolio.id)).holdings.map((h) => h.quantity)).toEqual(['10']);
    expect((await figures(b, portfolio.id)).holdings.map((h) => h.quantity)).toEqual(['10']);

    await record(b, portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2024-02-01', quantity: '4', price: '110' });
    expect((await figures(a, portfolio.id)).holdings.map((h) => h.quantity)).toEqual(['6']);

    // A write that bypasses the API (an import's bulk INSERT, SQL by hand) counts too.
    await a.app.services.db
      .$executeRaw`UPDATE transactions SET quantity = 12, amount = 1200 WHERE portfolio_id = ${portfolio.id}::uuid AND type = 'BUY'`;
    expect((await figures(b, portfolio.id)).holdings.map((h) => h.quantity)).toEqual(['8']);
    expect((await figures(a, portfolio.id)).holdings.map((h) => h.quantity)).toEqual(['8']);
  });

  it('a cost basis method changed through one instance is seen by the other (later SELLs use it, its what-if at once)', async () => {
    const portfolio = await createPortfolio(a, owner);
    await record(a, portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-10', quantity: '10', price: '100' });
    await record(a, portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-11', quantity: '10', price: '120' });
    await record(a, portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2024-02-01', quantity: '10', price: '130' });
    const GAIN = `query Gain($id: ID!) { portfolio(id: $id) { realizedGains { method total { amount } } } }`;
    type Gain = { portfolio: { realizedGains: { method: string; total: { amount: string } } } };
    expect(ok(await a.gql<Gain>(GAIN, { id: portfolio.id }, { token: owner.token })).portfolio.realizedGains).toEqual({
      method: 'FIFO',
      total: { amount: '300' },
    });
    const UPDATE = `mutation M($id: ID!) { updatePortfolio(id: $id, input: { costBasisMethod: LIFO }) { id } }`;
    ok(await b.gql(UPDATE, { id: portfolio.id }, { token: owner.token }));
    // The SELL keeps the FIFO it was recorded under; the portfolio's method is LIFO from now on.
    expect(ok(await a.gql<Gain>(GAIN, { id: portfolio.id }, { token: owner.token })).portfolio.realizedGains).toEqual({
      method: 'LIFO',
      total: { amount: '300' },
    });
    const WHAT_IF = `query Gain($id: ID!) { portfolio(id: $id) { realizedGains(method: LIFO) { method total { amount } } } }`;
    expect(ok(await a.gql<Gain>(WHAT_IF, { id: portfolio.id }, { token: owner.token })).portfolio.realizedGains).toEqual({
      method: 'LIFO',
      total: { amount: '100' },
    });
    await record(b, portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2024-02-02', quantity: '5', price: '130' });
    // LIFO now: 5 of the 120 lot, 5 × 10 = 50.
    expect(ok(await a.gql<Gain>(GAIN, { id: portfolio.id }, { token: owner.token })).portfolio.realizedGains.total).toEqual({
      amount: '350',
    });
  });
});
