/**
 * The ledger's worked examples recorded through GraphQL and checked against the independent
 * Python implementation (bench/ledger_reference.py --stdin, given the same transactions): a sale
 * of partial lots by FIFO, LIFO, HIFO and AVERAGE (as the portfolio's method and as a what-if),
 * by named lots, a 3-for-1 split between two buys and a sell, a EUR stock in a USD portfolio
 * bought at two rates and sold at a third, a dividend with tax withheld in a portfolio that
 * tracks cash (pence as hundredths of a pound). Every realized part, total, open lot, cost basis
 * and cash balance agrees. (The figures are hand-checked in ./transactions.test.ts and
 * ./ledger/engine.test.ts.) Also: Investment's own figures are the BUY's, in its currency.
 */
import { execFileSync } from 'node:child_process';
import { Decimal } from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FxRateDocument,
  PortfolioLedgerDocument,
  PortfolioValuationDocument,
  RecordTransactionDocument,
  type CostBasisMethod,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { customAsset } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let owner: TestUser;

/** A transaction as the reference reads it (its own `id` names lots; `fx` is the rate, default 1). */
interface Row {
  id: string;
  type: TransactionInput['type'];
  date: string;
  symbol?: string;
  quantity?: string;
  price?: string;
  amount?: string;
  fee?: string;
  currency?: string;
  fx?: string;
  splitFrom?: string;
  splitTo?: string;
  lotIds?: string[];
}

const METHODS: Row[] = [
  { id: 'lot1', type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '10', price: '100', fee: '10' },
  { id: 'lot2', type: 'BUY', symbol: 'XYZ', date: '2023-06-01', quantity: '10', price: '120' },
  { id: 'lot3', type: 'BUY', symbol: 'XYZ', date: '2023-09-01', quantity: '10', price: '110', fee: '5' },
  { id: 'sell', type: 'SELL', symbol: 'XYZ', date: '2024-03-01', quantity: '15', price: '130', fee: '15' },
];
const CASES: Record<string, { method: CostBasisMethod; transactions: Row[] }> = {
  FIFO: { method: 'FIFO', transactions: METHODS },
  LIFO: { method: 'LIFO', transactions: METHODS },
  HIFO: { method: 'HIFO', transactions: METHODS },
  AVERAGE: { method: 'AVERAGE', transactions: METHODS },
  named: { method: 'FIFO', transactions: [...METHODS.slice(0, 3), { ...METHODS[3]!, lotIds: ['lot3', 'lot1'] }] },
  split: {
    method: 'FIFO',
    transactions: [
      { id: 'lot1', type: 'BUY', symbol: 'ABC', date: '2022-01-03', quantity: '10', price: '300' },
      { id: 'split', type: 'SPLIT', symbol: 'ABC', date: '2022-06-01', splitFrom: '1', splitTo: '3' },
      { id: 'lot2', type: 'BUY', symbol: 'ABC', date: '2022-08-01', quantity: '10', price: '110' },
      { id: 'sell', type: 'SELL', symbol: 'ABC', date: '2023-02-01', quantity: '35', price: '120' },
    ],
  },
  fx: {
    method: 'HIFO',
    transactions: [
      {
        id: 'lot1',
        type: 'BUY',
        symbol: 'SAP.DE',
        date: '2024-01-15',
        quantity: '10',
        price: '150',
        fee: '5',
        currency: 'EUR',
        fx: '1.09',
      },
      { id: 'lot2', type: 'BUY', symbol: 'SAP.DE', date: '2024-03-01', quantity: '5', price: '148', currency: 'EUR', fx: '1.1' },
      {
        id: 'sell',
        type: 'SELL',
        symbol: 'SAP.DE',
        date: '2024-07-15',
        quantity: '12',
        price: '170',
        fee: '5',
        currency: 'EUR',
        fx: '1.12',
      },
    ],
  },
  dividend: {
    method: 'FIFO',
    transactions: [
      { id: 'dep', type: 'DEPOSIT', date: '2024-01-01', amount: '10000' },
      { id: 'lot1', type: 'BUY', symbol: 'KO', date: '2024-01-02', quantity: '100', price: '60' },
      { id: 'div', type: 'DIVIDEND', symbol: 'KO', date: '2024-04-01', amount: '46', fee: '6.9' },
      { id: 'gbp', type: 'BUY', symbol: 'VOD.L', date: '2024-04-02', quantity: '100', price: '70', currency: 'GBp', fx: '0.0127' },
      { id: 'dep2', type: 'DEPOSIT', date: '2024-04-02', amount: '100', currency: 'GBP', fx: '1.27' },
      { id: 'sell', type: 'SELL', symbol: 'KO', date: '2024-05-02', quantity: '40', price: '62.5', fee: '1' },
    ],
  },
};

interface Figures {
  gains: { lot: string; quantity: string; proceeds: string; cost: string; gain: string; longTerm: boolean }[];
  total: string;
  longTerm: string;
  shortTerm: string;
  openLots: { id: string; quantity: string; remaining: string; costPerShare: string }[];
  costBasis: string;
}

const reference = JSON.parse(
  execFileSync('python3', ['bench/ledger_reference.py', '--stdin'], { input: JSON.stringify(CASES), encoding: 'utf8' }),
) as Record<string, Figures & { cash: Record<string, string> }>;

/** Records the rows through GraphQL; the map takes each new id back to the row's own. */
async function recorded(rows: Row[], method: CostBasisMethod) {
  const { id } = await createPortfolio(t, owner, { baseCurrency: 'USD', costBasisMethod: method });
  const names = new Map<string, string>();
  const ids = new Map<string, string>();
  for (const { id: name, fx, lotIds, ...row } of rows) {
    const input: TransactionInput = { ...row, fxRate: fx ?? null, lotIds: lotIds?.map((lot) => ids.get(lot)!) ?? null };
    const created = ok(await t.gql(RecordTransactionDocument, { portfolioId: id, input }, { token: owner.token })).recordTransaction;
    names.set(created.id, name);
    ids.set(name, created.id);
  }
  return { id, names };
}

async function figuresOf(portfolioId: string, names: Map<string, string>, method?: CostBasisMethod) {
  const p = ok(await t.gql(PortfolioLedgerDocument, { id: portfolioId, includeClosed: true, method }, { token: owner.token })).portfolio!;
  const report = p.realizedGains;
  const figures: Figures = {
    gains: report.items.map((item) => ({
      lot: names.get(item.lotId)!,
      quantity: item.quantity,
      proceeds: item.proceeds.amount,
      cost: item.costBasis.amount,
      gain: item.gain.amount,
      longTerm: item.longTerm,
    })),
    total: report.total.amount,
    longTerm: report.longTerm.amount,
    shortTerm: report.shortTerm.amount,
    openLots: p.lots
      .filter((lot) => lot.remainingQuantity !== '0')
      .map((lot) => ({ id: names.get(lot.id)!, quantity: lot.quantity, remaining: lot.remainingQuantity, costPerShare: lot.costPerShare })),
    costBasis: p.holdings.reduce((sum, h) => sum.plus(h.costBasis.amount), new Decimal(0)).toFixed(),
  };
  const cash = Object.fromEntries(p.cashBalances.map((c) => [c.currency, c.amount]));
  return { figures, cash };
}

beforeAll(async () => {
  await seedLedgerAssets(t);
  owner = await createTestUser(t);
});

describe('worked examples through GraphQL against bench/ledger_reference.py', () => {
  it.each(Object.keys(CASES))('%s: every realized part, total, open lot, cost basis and cash agree', async (name) => {
    const { method, transactions } = CASES[name]!;
    const { id, names } = await recorded(transactions, method);
    const { figures, cash } = await figuresOf(id, names);
    const { cash: expectedCash, ...expected } = reference[name]!;
    expect(figures).toEqual(expected);
    // Cash only for a ledger with deposits (the reference counts every currency moved).
    expect(cash).toEqual(transactions.some((row) => row.type === 'DEPOSIT') ? expectedCash : {});
  });

  it('a what-if method gives the realized gains the reference computes for that method', async () => {
    const { id, names } = await recorded(METHODS, 'FIFO');
    for (const method of ['LIFO', 'HIFO', 'AVERAGE'] as const) {
      const { figures } = await figuresOf(id, names, method);
      const { gains, total, longTerm, shortTerm } = reference[method]!;
      expect({ gains: figures.gains, total: figures.total, longTerm: figures.longTerm, shortTerm: figures.shortTerm }).toEqual({
        gains,
        total,
        longTerm,
        shortTerm,
      });
    }
  });
});

describe("Investment's figures are its BUY's, in the quote's currency (docs/ledger.md)", () => {
  it('a EUR stock in a USD portfolio: Investment in EUR as bought, the holding in USD at the rates', async () => {
    await customAsset(t, owner, 'EUROS', { '2024-01-02': '50', '2024-01-03': '55' }, { currency: 'EUR' });
    await customAsset(t, owner, 'DOLLARS', { '2024-01-02': '10', '2024-01-03': '12' });
    const { id } = await recorded(
      [
        { id: 'eur', type: 'BUY', symbol: 'EUROS', date: '2024-01-02', quantity: '10', price: '50', fee: '2', currency: 'EUR', fx: '1.1' },
        { id: 'sold', type: 'SELL', symbol: 'EUROS', date: '2024-01-03', quantity: '4', price: '55', currency: 'EUR', fx: '1.2' },
        { id: 'usd', type: 'BUY', symbol: 'DOLLARS', date: '2024-01-02', quantity: '3', price: '10' },
      ],
      'FIFO',
    );
    const p = ok(await t.gql(PortfolioValuationDocument, { id, by: 'SYMBOL', investmentsFirst: 10 }, { token: owner.token })).portfolio!;
    const investments = Object.fromEntries(p.investments.edges.map((e) => [e.node.symbol, e.node]));
    // The BUY as recorded: 10 at 50 EUR (the sale and the fee are the lot's, not the investment's).
    expect(investments.EUROS).toMatchObject({ quantity: '10', costBasis: '500', marketValue: '550', unrealizedGain: '50' });
    expect(investments.EUROS!.quote).toMatchObject({ price: '55', currency: 'EUR' });
    expect(investments.DOLLARS).toMatchObject({ quantity: '3', costBasis: '30', marketValue: '36', unrealizedGain: '6' });
    // The holding, in base currency: 6 left at today's EUR→USD rate, cost (6/10 of 502) × 1.1.
    const ledger = ok(await t.gql(PortfolioLedgerDocument, { id }, { token: owner.token })).portfolio!;
    const holding = ledger.holdings.find((h) => h.symbol === 'EUROS')!;
    expect(holding.costBasis).toEqual({ amount: '331.32', currency: 'USD' });
    expect(holding.marketValue!.currency).toBe('USD');
    const today = Number(ok(await t.gql(FxRateDocument, { from: 'EUR', to: 'USD' }, { token: owner.token })).fxRate);
    expect(Number(holding.marketValue!.amount)).toBeCloseTo(6 * 55 * today, 6);
  });
});
