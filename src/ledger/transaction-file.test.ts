/**
 * The ledger in portfolio files, over GraphQL: a portfolio with buys in two currencies, a split, a
 * dividend, a deposit and sells (one naming its lot) exported as JSON and as CSV and imported into
 * a new portfolio gives the same holdings, lots, realized gains and cash; a broker-style CSV
 * imports with the dry run and all-or-nothing rules, every bad row named with its field; a
 * foreign-currency row without fxRate costs at its date's rate (or is refused) as when recorded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ExportPortfolioDocument,
  FxRateDocument,
  ImportPortfolioDocument,
  PortfolioLedgerDocument,
  PortfolioTransactionsDocument,
  RecordTransactionDocument,
  UpdatePortfolioDocument,
  type ImportPortfolioInput,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { IMPORT_MAX_TRANSACTIONS } from './transaction-file.js';

let owner: TestUser;
let source: string;

const t = useTestApp();
beforeAll(async () => {
  await seedLedgerAssets(t);
  owner = await createTestUser(t);
  source = (await createPortfolio(t, owner, { name: 'Ledger', baseCurrency: 'USD', costBasisMethod: 'LIFO' })).id;
  const record = async (input: TransactionInput) =>
    ok(await t.gql(RecordTransactionDocument, { portfolioId: source, input }, { token: owner.token })).recordTransaction.id;
  await record({ type: 'DEPOSIT', date: '2023-01-02', amount: '10000' });
  const first = await record({ type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '10', price: '100', fee: '10' });
  await record({ type: 'BUY', symbol: 'XYZ', date: '2023-06-01', quantity: '10', price: '120' });
  await record({ type: 'BUY', symbol: 'SAP.DE', date: '2023-07-03', quantity: '5', price: '110', currency: 'EUR', fxRate: '1.09' });
  await record({ type: 'SPLIT', symbol: 'XYZ', date: '2023-09-01', splitFrom: '1', splitTo: '3' });
  await record({ type: 'DIVIDEND', symbol: 'XYZ', date: '2023-12-15', amount: '30', fee: '4.5', notes: 'withholding 15 %' });
  // LIFO would take the June lot; this one names the January lot.
  await record({ type: 'SELL', symbol: 'XYZ', date: '2024-02-01', quantity: '12', price: '45', fee: '5', lotIds: [first] });
  await record({ type: 'SELL', symbol: 'XYZ', date: '2024-03-01', quantity: '6', price: '47' });
  await record({ type: 'SELL', symbol: 'SAP.DE', date: '2024-03-05', quantity: '2', price: '130', currency: 'EUR', fxRate: '1.08' });
});

/** What the ledger shows, without ids (a copy has new ones) or anything priced at today's quote. */
async function ledgerOf(id: string) {
  const p = ok(await t.gql(PortfolioLedgerDocument, { id, includeClosed: true }, { token: owner.token })).portfolio!;
  return {
    baseCurrency: p.baseCurrency,
    costBasisMethod: p.costBasisMethod,
    lots: p.lots.map(({ id: _id, ...lot }) => lot),
    holdings: p.holdings.map(({ symbol, name, quantity, currency, averageCost, costBasis }) => ({
      symbol,
      name,
      quantity,
      currency,
      averageCost,
      costBasis,
    })),
    realized: { ...p.realizedGains, items: p.realizedGains.items.map(({ lotId: _l, sellId: _s, ...item }) => item) },
    cash: p.cashBalances,
  };
}

async function exported(format: 'JSON' | 'CSV') {
  return ok(await t.gql(ExportPortfolioDocument, { id: source, format }, { token: owner.token })).exportPortfolio.data;
}

async function importAs(input: ImportPortfolioInput) {
  return t.gql(ImportPortfolioDocument, { input }, { token: owner.token });
}

async function footprint() {
  const db = t.app.services.db;
  return { portfolios: await db.portfolio.count(), transactions: await db.transaction.count(), investments: await db.investment.count() };
}

describe('round trips of the ledger', () => {
  it('export JSON → import: the same holdings, lots, realized gains and cash, the named lot included', async () => {
    const before = await ledgerOf(source);
    // The figures the copy must reproduce: the January lot (101 a share, 33.67 after the split) was sold first.
    expect(before.realized.items[0]).toMatchObject({ openedOn: '2023-01-10', closedOn: '2024-02-01', quantity: '12' });
    expect(before.cash).toEqual(expect.arrayContaining([expect.objectContaining({ currency: 'EUR' })]));
    const result = ok(await importAs({ format: 'JSON', data: await exported('JSON'), name: 'Copy' })).importPortfolio;
    expect(result).toMatchObject({ valid: true, investmentCount: 3, transactionCount: 9, problems: [] });
    expect(await ledgerOf(result.portfolio!.id)).toEqual(before);
  });

  it('export CSV → import: the same again, once the copy has the same cost basis method (a CSV has no portfolio settings)', async () => {
    const result = ok(await importAs({ format: 'CSV', data: await exported('CSV') })).importPortfolio;
    expect(result).toMatchObject({ valid: true, transactionCount: 9 });
    const copy = result.portfolio!.id;
    expect((await ledgerOf(copy)).costBasisMethod).toBe('FIFO');
    ok(await t.gql(UpdatePortfolioDocument, { id: copy, input: { costBasisMethod: 'LIFO' } }, { token: owner.token }));
    expect(await ledgerOf(copy)).toEqual(await ledgerOf(source));
  });
});

describe('broker CSV', () => {
  const header = 'Date,Type,Symbol,Quantity,Price,Fee,Currency';

  it('imports date,type,symbol,quantity,price,fee,currency rows (any case) into a ledger', async () => {
    const csv = [
      header,
      '2024-01-02,deposit,,,,,USD', // a deposit needs an amount: not in this format, so give quantity × price
      '2024-01-03,Buy,XYZ,10,50,1,USD',
      '2024-02-01,sell,XYZ,4,55,1,USD',
    ].join('\n');
    const dry = ok(await importAs({ format: 'CSV', data: csv, dryRun: true })).importPortfolio;
    expect(dry.problems).toEqual([{ row: 2, field: 'amount', message: 'is required for a DEPOSIT' }]);

    const good = [header, '2024-01-03,Buy,XYZ,10,50,1,USD', '2024-02-01,sell,xyz,4,55,1,'].join('\r\n');
    const result = ok(await importAs({ format: 'CSV', data: good, name: 'Broker' })).importPortfolio;
    expect(result).toMatchObject({ valid: true, investmentCount: 1, transactionCount: 2 });
    const ledger = await ledgerOf(result.portfolio!.id);
    // Lot: (10 × 50 + 1) / 10 = 50.1 a share; 4 sold for 4 × 55 − 1 = 219 against 200.4 of cost.
    expect(ledger.holdings).toEqual([
      {
        symbol: 'XYZ',
        name: 'XYZ Corp',
        quantity: '6',
        currency: 'USD',
        averageCost: '50.1',
        costBasis: { amount: '300.6', currency: 'USD' },
      },
    ]);
    expect(ledger.realized.total).toEqual({ amount: '18.6', currency: 'USD' });
  });

  it('names every bad row and field, the oversell included, and writes nothing', async () => {
    const bad = [
      header,
      '2024-01-03,BUY,XYZ,10,50,,USD', // line 2: fine
      '2024-01-04,SWAP,XYZ,1,1,,USD', // line 3: no such type
      '2024-13-01,BUY,NOPE,-1,50,,ZZZ', // line 4: date, symbol, quantity, currency
      '2024-01-05,DIVIDEND,SAP.DE,,,,USD', // line 5: no amount
    ].join('\n');
    const before = await footprint();
    const result = await importAs({ format: 'CSV', data: bad });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const details = result.errors?.[0]?.extensions?.details as { row: number; field: string }[];
    expect(details.map((d) => [d.row, d.field])).toEqual([
      [3, 'type'],
      [4, 'date'],
      [4, 'symbol'],
      [4, 'quantity'],
      [4, 'currency'],
      [5, 'amount'],
    ]);
    // Rows that are fine one by one but not together: the ledger is replayed before writing.
    const oversell = [header, '2024-01-03,BUY,XYZ,10,50,,USD', '2024-01-02,SELL,XYZ,5,50,,USD', '2024-02-01,DIVIDEND,SAP.DE,2,1,,EUR'];
    const replayed = await importAs({ format: 'CSV', data: oversell.join('\n') });
    expect(result.errors?.[0]?.message).toMatch(/nothing was imported/);
    expect(replayed.errors?.[0]?.extensions?.details).toEqual([
      { row: 3, field: 'quantity', message: 'is more than the 0 XYZ held on 2024-01-02' },
      { row: 4, field: 'symbol', message: 'SAP.DE was never held on or before 2024-02-01' },
    ]);
    expect(await footprint()).toEqual(before);
  });

  it('checks the limits before reading a row', async () => {
    const rows = Array.from({ length: IMPORT_MAX_TRANSACTIONS + 1 }, () => '2024-01-03,BUY,XYZ,1,1,,USD');
    const result = ok(await importAs({ format: 'CSV', data: [header, ...rows].join('\n'), dryRun: true })).importPortfolio;
    expect(result.problems).toEqual([
      {
        row: null,
        field: 'data',
        message: `at most ${IMPORT_MAX_TRANSACTIONS} transactions per import (this file has ${IMPORT_MAX_TRANSACTIONS + 1})`,
      },
    ]);
  });
});

describe('a foreign-currency transaction without fxRate: the rate of its date, as recordTransaction', () => {
  // In EUR, none with a rate of its own: cost, dividend and proceeds at each date's EUR→USD rate.
  const rows: TransactionInput[] = [
    { type: 'BUY', symbol: 'SAP.DE', date: '2024-01-15', quantity: '10', price: '150', fee: '5', currency: 'EUR' },
    { type: 'DIVIDEND', symbol: 'SAP.DE', date: '2024-05-02', amount: '20', fee: '3', currency: 'EUR' },
    { type: 'SELL', symbol: 'SAP.DE', date: '2024-07-15', quantity: '4', price: '170', fee: '5', currency: 'EUR' },
  ];
  const header = 'date,type,symbol,quantity,price,amount,fee,currency';
  const csvOf = (list: TransactionInput[]) =>
    [
      header,
      ...list.map((r) => [r.date, r.type, r.symbol, r.quantity, r.price, r.amount, r.fee, r.currency].map((c) => c ?? '').join(',')),
    ].join('\n');
  const json = JSON.stringify({
    format: 'foliograph.portfolio',
    version: 2,
    portfolio: { name: 'No rates', baseCurrency: 'USD' },
    transactions: rows,
  });

  const ratesOf = async (id: string) => {
    const edges = ok(await t.gql(PortfolioTransactionsDocument, { id, first: 10 }, { token: owner.token })).portfolio!.transactions.edges;
    return edges.map((e) => [e.node.date, e.node.currency, e.node.fxRate]).reverse();
  };

  it('JSON v2 and CSV imports store the rate of each date and show the ledger recording the rows gives', async () => {
    const recorded = (await createPortfolio(t, owner, { name: 'Recorded', baseCurrency: 'USD' })).id;
    for (const input of rows) ok(await t.gql(RecordTransactionDocument, { portfolioId: recorded, input }, { token: owner.token }));
    const expectedRates: string[][] = [];
    for (const row of rows) {
      const rate = ok(await t.gql(FxRateDocument, { from: 'EUR', to: 'USD', date: row.date }, { token: owner.token })).fxRate!;
      expectedRates.push([row.date, 'EUR', rate]);
    }
    // Not at par: the simulated EUR→USD rates are about 1.085 (±8 %).
    for (const [, , rate] of expectedRates) expect(Math.abs(Number(rate) - 1)).toBeGreaterThan(0.001);
    expect(await ratesOf(recorded)).toEqual(expectedRates);
    const want = await ledgerOf(recorded);
    // Cost 10 × 150 + 5 EUR at the BUY's rate, proceeds 4 × 170 − 5 EUR at the SELL's.
    const [buyRate, , sellRate] = expectedRates.map((r) => Number(r[2]));
    expect(Number(want.realized.total.amount)).toBeCloseTo(675 * sellRate! - 4 * 150.5 * buyRate!, 6);

    for (const input of [
      { format: 'JSON' as const, data: json },
      { format: 'CSV' as const, data: csvOf(rows), name: 'No rates' },
    ]) {
      const dry = ok(await importAs({ ...input, dryRun: true })).importPortfolio;
      expect(dry).toMatchObject({ valid: true, problems: [], transactionCount: 3 });
      const imported = ok(await importAs(input)).importPortfolio.portfolio!.id;
      expect(await ratesOf(imported)).toEqual(expectedRates);
      // Kept with the row, as recorded ones are (not looked up again when read: a source's
      // history that changes later, or another FX_PROVIDERS, leaves its cost as imported).
      const stored = await t.app.services.db.transaction.findMany({ where: { portfolioId: imported }, orderBy: { date: 'asc' } });
      expect(stored.map((row) => row.fxRate?.toFixed() ?? null)).toEqual(expectedRates.map((r) => r[2]));
      expect({ ...(await ledgerOf(imported)), costBasisMethod: want.costBasisMethod }).toEqual(want);
    }
  });

  it('with no rate known for its date the row is refused under fxRate, as recordTransaction refuses it; nothing is written', async () => {
    // THB is ISO 4217, but no FX source of the test app covers it.
    const thb: TransactionInput = { type: 'BUY', symbol: 'XYZ', date: '2024-01-03', quantity: '2', price: '100', currency: 'THB' };
    const portfolio = (await createPortfolio(t, owner)).id;
    const recorded = await t.gql(RecordTransactionDocument, { portfolioId: portfolio, input: thb }, { token: owner.token });
    expect(errorCode(recorded)).toBe('BAD_USER_INPUT');
    const message = 'no THB to USD rate is known for 2024-01-03: give fxRate';
    expect(recorded.errors?.[0]?.extensions?.details).toEqual([{ field: 'fxRate', message }]);

    const before = await footprint();
    const file = csvOf([rows[0]!, thb, { ...thb, date: '2024-01-04' }]);
    const dry = ok(await importAs({ format: 'CSV', data: file, dryRun: true })).importPortfolio;
    expect(dry.valid).toBe(false);
    expect(dry.problems).toEqual([
      { row: 3, field: 'fxRate', message },
      { row: 4, field: 'fxRate', message: 'no THB to USD rate is known for 2024-01-04: give fxRate' },
    ]);
    const jsonFile = JSON.stringify({ format: 'foliograph.portfolio', version: 2, transactions: [rows[0], thb] });
    for (const input of [
      { format: 'CSV' as const, data: file },
      { format: 'JSON' as const, data: jsonFile },
    ]) {
      const refused = await importAs(input);
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect((refused.errors?.[0]?.extensions?.details as unknown[])[0]).toEqual({
        row: input.format === 'CSV' ? 3 : 2,
        field: 'fxRate',
        message,
      });
    }
    expect(await footprint()).toEqual(before);

    // Given a rate of its own, the same row imports.
    const withRate = JSON.stringify({ format: 'foliograph.portfolio', version: 2, transactions: [{ ...thb, fxRate: '0.028' }] });
    const imported = ok(await importAs({ format: 'JSON', data: withRate })).importPortfolio.portfolio!.id;
    expect(await ratesOf(imported)).toEqual([['2024-01-03', 'THB', '0.028']]);
  });
});
