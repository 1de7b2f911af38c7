/**
 * Portfolio files: export → import gives the same investments (JSON and CSV), custom assets
 * travel with their prices, an import is checked in full and written all or nothing, and a dry
 * run reports every row's problems.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CreateCustomAssetDocument,
  ExportPortfolioDocument,
  ImportPortfolioDocument,
  PortfolioActivityDocument,
  PortfolioDocument,
  SetCustomAssetPricesDocument,
  type ImportPortfolioInput,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';
import { IMPORT_MAX_ROWS } from './import-export.js';
import { TRANSACTION_CSV_COLUMNS } from './transaction-file.js';

const t = useTestApp();
let owner: TestUser;
let source: { id: string };

const HOUSE_PRICES = [
  { date: '2024-01-31', close: '350000' },
  { date: '2024-02-29', close: '351234.5' },
];

beforeAll(async () => {
  await seedMarketAssets(t);
  owner = await createTestUser(t);
  ok(
    await t.gql(
      CreateCustomAssetDocument,
      { input: { symbol: 'HOUSE', name: 'The house', type: 'REAL_ESTATE', currency: 'EUR', sector: 'Home' } },
      { token: owner.token },
    ),
  );
  ok(await t.gql(SetCustomAssetPricesDocument, { symbol: 'HOUSE', prices: HOUSE_PRICES }, { token: owner.token }));
  source = await createPortfolio(t, owner, { name: 'Source: "main", 2024', description: 'exported', baseCurrency: 'EUR' });
  await addInvestment(t, owner, source.id, {
    symbol: 'AAPL',
    quantity: '0.10000001',
    purchasePrice: '12345.6789',
    notes: '=HYPERLINK("http://evil")',
  });
  await addInvestment(t, owner, source.id, {
    symbol: 'MSFT',
    quantity: '3',
    purchasePrice: '280.5',
    purchaseDate: '2023-06-01',
    notes: 'line one,\nline "two"',
  });
  await addInvestment(t, owner, source.id, {
    symbol: 'HOUSE',
    quantity: '1',
    purchasePrice: '340000',
    purchaseDate: '2020-05-01',
  });
});

/** The investments of a portfolio as their content (no ids or timestamps), in listed order. */
async function holdings(portfolioId: string, user: TestUser) {
  const edges = ok(await t.gql(PortfolioDocument, { id: portfolioId, first: 100 }, { token: user.token })).portfolio!.investments.edges;
  return edges.map(({ node: { symbol, name, type, quantity, purchasePrice, purchaseDate, sector, notes, costBasis } }) => ({
    symbol,
    name,
    type,
    quantity,
    purchasePrice,
    purchaseDate,
    sector,
    notes,
    costBasis,
  }));
}

async function exported(format: 'JSON' | 'CSV') {
  return ok(await t.gql(ExportPortfolioDocument, { id: source.id, format }, { token: owner.token })).exportPortfolio;
}

async function importAs(user: TestUser, input: ImportPortfolioInput) {
  return t.gql(ImportPortfolioDocument, { input }, { token: user.token });
}

/** Rows of what an import could write, to show a refused one wrote nothing. */
async function footprint() {
  const db = t.app.services.db;
  return {
    portfolios: await db.portfolio.count(),
    investments: await db.investment.count(),
    assets: await db.asset.count(),
    prices: await db.dailyPrice.count(),
  };
}

describe('export', () => {
  it('JSON (version 2) holds the portfolio, its transactions, and the custom assets it uses with their prices', async () => {
    const file = await exported('JSON');
    expect(file).toMatchObject({ format: 'JSON', contentType: 'application/json' });
    expect(file.filename).toMatch(/^source-main-2024-\d{4}-\d{2}-\d{2}\.json$/);
    const document = JSON.parse(file.data);
    expect(document).toMatchObject({
      format: 'foliograph.portfolio',
      version: 2,
      portfolio: { name: 'Source: "main", 2024', description: 'exported', isPublic: false, baseCurrency: 'EUR', costBasisMethod: 'FIFO' },
      customAssets: [{ symbol: 'HOUSE', name: 'The house', type: 'REAL_ESTATE', currency: 'EUR', sector: 'Home', prices: HOUSE_PRICES }],
    });
    // Every investment is a BUY, in the order recorded, with the investment's name, type and sector.
    expect(document.transactions).toHaveLength(3);
    expect(document.transactions[0]).toEqual({
      id: expect.any(String),
      date: '2024-03-15',
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '0.10000001',
      price: '12345.6789',
      amount: '1234.568013456789',
      fee: '0',
      currency: 'USD',
      fxRate: null,
      splitFrom: null,
      splitTo: null,
      toAmount: null,
      toCurrency: null,
      costBasisMethod: null,
      lotIds: [],
      notes: '=HYPERLINK("http://evil")',
      name: 'Apple Inc.',
      assetType: 'STOCK',
      sector: 'Information Technology',
    });
  });

  it('CSV has the header row and defuses cells a spreadsheet would run as formulas', async () => {
    const file = await exported('CSV');
    expect(file).toMatchObject({ format: 'CSV', contentType: 'text/csv; charset=utf-8' });
    const [header, first] = file.data.split('\r\n');
    expect(header).toBe(TRANSACTION_CSV_COLUMNS.join(','));
    const id = JSON.parse((await exported('JSON')).data).transactions[0].id;
    expect(first).toBe(
      `2024-03-15,BUY,AAPL,0.10000001,12345.6789,1234.568013456789,0,USD,,,,,,,,${id},"'=HYPERLINK(""http://evil"")",Apple Inc.,STOCK,Information Technology`,
    );
  });
});

describe('round trips', () => {
  it('export JSON → import gives the same investments, in the same order, reusing my custom asset', async () => {
    const before = await holdings(source.id, owner);
    const result = ok(await importAs(owner, { format: 'JSON', data: (await exported('JSON')).data, name: 'Copy' })).importPortfolio;
    expect(result).toMatchObject({
      dryRun: false,
      valid: true,
      name: 'Copy',
      investmentCount: 3,
      customAssetsCreated: [],
      customAssetsReused: ['HOUSE'],
      priceCount: 0,
      problems: [],
    });
    expect(result.portfolio?.myRole).toBe('OWNER');
    expect(await holdings(result.portfolio!.id, owner)).toEqual(before);
  });

  it("into another user's account: their own copy of the custom asset, with its prices", async () => {
    const other = await createTestUser(t);
    const result = ok(await importAs(other, { format: 'JSON', data: (await exported('JSON')).data })).importPortfolio;
    expect(result).toMatchObject({ valid: true, name: 'Source: "main", 2024', customAssetsCreated: ['HOUSE'], priceCount: 2 });
    expect(await holdings(result.portfolio!.id, other)).toEqual(await holdings(source.id, owner));
    const theirs = await t.app.services.db.asset.findFirstOrThrow({
      where: { symbol: 'HOUSE', ownerId: other.id },
      include: { prices: { orderBy: { date: 'asc' } } },
    });
    expect(theirs.prices.map((p) => ({ date: p.date.toISOString().slice(0, 10), close: p.close.toFixed() }))).toEqual(HOUSE_PRICES);
    const portfolio = await t.app.services.db.portfolio.findUniqueOrThrow({ where: { id: result.portfolio!.id } });
    expect(portfolio).toMatchObject({ ownerId: other.id, baseCurrency: 'EUR', description: 'exported' });
  });

  it('export CSV → import gives the same investments, quotes, line breaks and formulas intact', async () => {
    const result = ok(await importAs(owner, { format: 'CSV', data: (await exported('CSV')).data, name: 'From CSV' })).importPortfolio;
    expect(result).toMatchObject({ valid: true, investmentCount: 3 });
    expect(await holdings(result.portfolio!.id, owner)).toEqual(await holdings(source.id, owner));
  });

  it('records one PORTFOLIO_IMPORTED activity row', async () => {
    const result = ok(await importAs(owner, { format: 'CSV', data: (await exported('CSV')).data })).importPortfolio;
    expect(result.name).toBe('Imported portfolio');
    const activity = ok(await t.gql(PortfolioActivityDocument, { id: result.portfolio!.id }, { token: owner.token })).portfolio!.activity;
    expect(activity.edges.map((e) => e.node.action)).toEqual(['PORTFOLIO_IMPORTED']);
    expect(JSON.parse(activity.edges[0]!.node.details!)).toMatchObject({ format: 'CSV', investments: 3 });
  });
});

describe('checking', () => {
  const header = 'Symbol,Quantity,PurchasePrice,PurchaseDate,Type,Notes';
  const badCsv = [
    header,
    'AAPL,1.5,150,2024-01-02,stock,fine', // line 2: fine
    'NOPE,0,-1,2024-02-30,STOCK,', // line 3: four problems
    'MSFT,"1,5",10,2024-01-02,GADGET,', // line 4: quantity and type
    'VTI,1,10,2024-01-02', // line 5: too few cells
    '"MSFT",2,20.123456789,2099-01-01,ETF,"multi', // line 6: record spans two lines
    'line note"',
  ].join('\n');

  it("a dry run reports every row's problems with its line and field, and writes nothing", async () => {
    const before = await footprint();
    const result = ok(await importAs(owner, { format: 'CSV', data: badCsv, dryRun: true })).importPortfolio;
    expect(result).toMatchObject({ dryRun: true, valid: false, portfolio: null, investmentCount: 1 });
    expect(result.problems.map((p) => [p.row, p.field])).toEqual([
      [3, 'symbol'],
      [3, 'quantity'],
      [3, 'purchasePrice'],
      [3, 'purchaseDate'],
      [4, 'type'],
      [4, 'quantity'],
      [5, 'data'],
      [6, 'purchasePrice'],
      [6, 'purchaseDate'],
    ]);
    expect(result.problems.find((p) => p.row === 3 && p.field === 'symbol')?.message).toMatch(/unknown symbol NOPE/);
    expect(await footprint()).toEqual(before);
  });

  it('the same file for real is BAD_USER_INPUT listing them all, and writes nothing', async () => {
    const before = await footprint();
    const result = await importAs(owner, { format: 'CSV', data: badCsv });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('The file has 9 problem(s); nothing was imported');
    expect(result.errors?.[0]?.extensions?.details).toContainEqual({ row: 5, field: 'data', message: 'expected 6 cells, found 4' });
    expect(await footprint()).toEqual(before);
  });

  it('a dry run of a good file says what it would create', async () => {
    const before = await footprint();
    const result = ok(
      await importAs(owner, { format: 'CSV', data: `${header}\naapl,2,100,2024-01-02,,\n`, dryRun: true, name: 'Trial' }),
    ).importPortfolio;
    expect(result).toMatchObject({ dryRun: true, valid: true, portfolio: null, name: 'Trial', investmentCount: 1, problems: [] });
    expect(await footprint()).toEqual(before);
  });

  it('JSON: all or nothing, custom assets included', async () => {
    const document = JSON.parse((await exported('JSON')).data);
    document.customAssets.push({ symbol: 'VTI', name: 'Not mine to define', type: 'ETF', currency: 'USD', prices: [] });
    document.customAssets.push({
      symbol: 'BOAT',
      name: 'Boat',
      type: 'OTHER',
      currency: 'NOK',
      prices: [{ date: '2024-01-02', close: 'lots' }],
    });
    document.transactions[1].quantity = 12.5; // a JSON number is taken as written
    document.transactions[1].amount = null; // (the amount would no longer be quantity × price)
    document.transactions[2].date = '2024-13-01';
    const other = await createTestUser(t);
    const before = await footprint();
    const result = await importAs(other, { format: 'JSON', data: JSON.stringify(document) });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.details).toEqual([
      { row: null, field: 'customAssets[1].symbol', message: 'VTI is a market symbol; rename this asset' },
      { row: null, field: 'customAssets[2].prices[0].close', message: 'must be a decimal number such as "12.5"' },
      { row: 3, field: 'date', message: 'must be a calendar date YYYY-MM-DD' },
    ]);
    expect(await footprint()).toEqual(before);
  });

  it('refuses what is not a portfolio file, and more rows than the limit', async () => {
    const notJson = ok(await importAs(owner, { format: 'JSON', data: '{"investments": [', dryRun: true })).importPortfolio;
    expect(notJson.problems).toEqual([{ row: null, field: 'data', message: expect.stringMatching(/^not valid JSON/) }]);
    const noHeader = ok(await importAs(owner, { format: 'CSV', data: 'AAPL,1,2,2024-01-02\n', dryRun: true })).importPortfolio;
    // Without purchase columns it is read as a transaction CSV: four unknown columns, date and type missing.
    expect(noHeader.problems.map((p) => p.field)).toEqual(['header', 'header', 'header', 'header', 'header', 'header']);
    const tooMany = [header, ...Array.from({ length: IMPORT_MAX_ROWS + 1 }, () => 'AAPL,1,1,2024-01-02,,')].join('\n');
    const limited = ok(await importAs(owner, { format: 'CSV', data: tooMany, dryRun: true })).importPortfolio;
    expect(limited.problems).toEqual([
      { row: null, field: 'data', message: `at most ${IMPORT_MAX_ROWS} rows per import (this file has ${IMPORT_MAX_ROWS + 1})` },
    ]);
  });

  it(`imports ${IMPORT_MAX_ROWS} rows in one go`, async () => {
    const rows = Array.from({ length: IMPORT_MAX_ROWS }, (_, i) => `MSFT,${i + 1},1.5,2024-01-02,,row ${i + 1}`);
    const result = ok(await importAs(owner, { format: 'CSV', data: [header, ...rows].join('\n') })).importPortfolio;
    expect(result.investmentCount).toBe(IMPORT_MAX_ROWS);
    const page = ok(await t.gql(PortfolioDocument, { id: result.portfolio!.id, first: 2 }, { token: owner.token })).portfolio!.investments;
    expect(page.totalCount).toBe(IMPORT_MAX_ROWS);
    expect(page.edges.map((e) => e.node.notes)).toEqual(['row 1', 'row 2']);
  });

  it('anonymous callers are UNAUTHENTICATED', async () => {
    expect(errorCode(await t.gql(ImportPortfolioDocument, { input: { format: 'CSV', data: header } }))).toBe('UNAUTHENTICATED');
  });
});
