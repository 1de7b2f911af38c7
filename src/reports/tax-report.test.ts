/**
 * Tax reports through the API: generateTaxReport as CSV and PDF, the rows read back against
 * realizedGains for the calendar year, the PDF's totals and the year's income read back with
 * pdftotext, the download's type and name, roles, and the REST route.
 */
import { execFileSync } from 'node:child_process';
import { Decimal } from 'decimal.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { parseCsv } from '../ledger/index.js';
import { TAX_CSV_COLUMNS } from './index.js';
import { formatMoney } from './tax.js';

const t = useTestApp();
let owner: TestUser;
let portfolioId: string;

const RECORD = `mutation($p: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $p, input: $input) { id } }`;
const GENERATE = `mutation($p: ID!, $year: Int!, $format: TaxReportFormat!) {
  generateTaxReport(portfolioId: $p, year: $year, format: $format) { id kind from to downloadUrl } }`;
const REALIZED = `query($p: ID!, $from: Date, $to: Date) { portfolio(id: $p) { realizedGains(from: $from, to: $to) {
  total { amount currency } shortTerm { amount } longTerm { amount }
  items { symbol quantity openedOn closedOn proceeds { amount } costBasis { amount } gain { amount } longTerm } } } }`;

beforeAll(async () => {
  await seedLedgerAssets(t);
  owner = await createTestUser(t);
  portfolioId = (await createPortfolio(t, owner, { name: 'Taxable' })).id;
  const record = async (input: Record<string, string>) => ok(await t.gql(RECORD, { p: portfolioId, input }, { token: owner.token }));
  await record({ type: 'DEPOSIT', date: '2022-12-01', amount: '20000' });
  await record({ type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '10', price: '100', fee: '10' });
  await record({ type: 'BUY', symbol: 'XYZ', date: '2023-06-01', quantity: '10', price: '120' });
  await record({ type: 'BUY', symbol: 'ABC', date: '2024-02-01', quantity: '3', price: '33.33', fee: '1.99' });
  // 2023: a sale outside the report's year.
  await record({ type: 'SELL', symbol: 'XYZ', date: '2023-12-15', quantity: '2', price: '125' });
  // 2024: long term (FIFO: the rest of the 2023-01-10 lot) and short term (part of 2023-06-01's, and ABC).
  await record({ type: 'SELL', symbol: 'XYZ', date: '2024-03-01', quantity: '11', price: '130.17', fee: '4.5' });
  await record({ type: 'SELL', symbol: 'ABC', date: '2024-05-02', quantity: '1.5', price: '30.01', fee: '0.99' });
  await record({ type: 'DIVIDEND', symbol: 'XYZ', date: '2024-04-01', amount: '12.40', fee: '1.86' });
  await record({ type: 'INTEREST', date: '2024-06-30', amount: '7.25' });
  await record({ type: 'FEE', date: '2024-07-01', amount: '3' });
  await record({ type: 'TAX', date: '2024-08-01', amount: '20' });
  await record({ type: 'DIVIDEND', symbol: 'XYZ', date: '2025-01-02', amount: '99' });
}, 60_000);

async function download(url: string, token = owner.token) {
  return t.app.inject({ method: 'GET', url: new URL(url).pathname, headers: { authorization: `Bearer ${token}` } });
}

describe('generateTaxReport', () => {
  it('CSV: one row per lot part sold in the year, equal to realizedGains for the year to the cent, served as a CSV file', async () => {
    const report = ok(await t.gql<any>(GENERATE, { p: portfolioId, year: 2024, format: 'CSV' }, { token: owner.token })).generateTaxReport;
    expect(report).toMatchObject({ kind: 'TAX', from: '2024-01-01', to: '2024-12-31' });
    const response = await download(report.downloadUrl);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="foliograph-tax-2024.csv"');

    const [header, ...rows] = parseCsv(response.body).map((r) => r.cells);
    expect(header).toEqual([...TAX_CSV_COLUMNS]);
    const realized = ok(await t.gql<any>(REALIZED, { p: portfolioId, from: '2024-01-01', to: '2024-12-31' }, { token: owner.token }))
      .portfolio.realizedGains;
    expect(realized.items.length).toBe(3);
    expect(rows).toHaveLength(realized.items.length);
    const cents = (text: string) => Math.round(Number(text) * 100);
    rows.forEach((row, i) => {
      const item = realized.items[i];
      const [description, acquired, sold, proceeds, costBasis, gain, term, currency] = row!;
      expect(description).toBe(`${item.quantity} ${item.symbol}`);
      expect([acquired, sold, term, currency]).toEqual([item.openedOn, item.closedOn, item.longTerm ? 'LONG' : 'SHORT', 'USD']);
      expect([proceeds!, costBasis!, gain!].map(cents)).toEqual([item.proceeds.amount, item.costBasis.amount, item.gain.amount].map(cents));
    });
    const sum = (term: string | null) => rows.filter((r) => term === null || r![6] === term).reduce((total, r) => total + cents(r![5]!), 0);
    expect(sum(null)).toBe(cents(realized.total.amount));
    expect(sum('SHORT')).toBe(cents(realized.shortTerm.amount));
    expect(sum('LONG')).toBe(cents(realized.longTerm.amount));
    expect(rows.some((r) => r![6] === 'LONG') && rows.some((r) => r![6] === 'SHORT')).toBe(true);

    // Listed with the portfolio's reports.
    const listed = ok(
      await t.gql<any>(
        `query($p: ID!) { portfolio(id: $p) { reports { edges { node { id kind } } } } }`,
        { p: portfolioId },
        { token: owner.token },
      ),
    ).portfolio.reports.edges.map((e: any) => e.node);
    expect(listed).toContainEqual({ id: report.id, kind: 'TAX' });
  }, 60_000);

  it("PDF: the year's totals by term and its dividends, interest, fees and taxes, read back with pdftotext", async () => {
    const report = ok(await t.gql<any>(GENERATE, { p: portfolioId, year: 2024, format: 'PDF' }, { token: owner.token })).generateTaxReport;
    const response = await download(report.downloadUrl);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('attachment; filename="foliograph-tax-2024.pdf"');
    const file = join(mkdtempSync(join(tmpdir(), 'foliograph-tax-')), 'tax.pdf');
    writeFileSync(file, response.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

    const realized = ok(await t.gql<any>(REALIZED, { p: portfolioId, from: '2024-01-01', to: '2024-12-31' }, { token: owner.token }))
      .portfolio.realizedGains;
    const money = (amount: string) => formatMoney(new Decimal(amount));
    expect(text).toContain('Tax report 2024');
    expect(text).toMatch(new RegExp(`Short-term gain\\s+${escape(money(realized.shortTerm.amount))}`));
    expect(text).toMatch(new RegExp(`Long-term gain\\s+${escape(money(realized.longTerm.amount))}`));
    expect(text).toMatch(new RegExp(`Total realized gain\\s+${escape(money(realized.total.amount))}`));
    expect(text).toMatch(/Dividends \(gross\)\s+12\.40/);
    expect(text).toMatch(/Interest \(gross\)\s+7\.25/);
    expect(text).toMatch(/Fees\s+3\.00/);
    // 1.86 withheld from the dividend and a TAX of 20.
    expect(text).toMatch(/Taxes \(withheld and paid\)\s+21\.86/);
    expect(text).toContain('Lots sold (3)');

    // The CSV of the same year is still there: one report per format.
    const kinds = await t.app.services.db.report.findMany({ where: { portfolioId, kind: 'TAX' }, select: { contentType: true } });
    expect(kinds.map((k) => k.contentType).sort()).toEqual(['application/pdf', 'text/csv; charset=utf-8']);
  }, 60_000);

  it('VIEW and up; strangers learn nothing; a year in the future or no year at all is bad input', async () => {
    const viewer = await createTestUser(t);
    const stranger = await createTestUser(t);
    ok(
      await t.gql(
        `mutation($p: ID!, $e: String!) { sharePortfolio(portfolioId: $p, email: $e, permission: VIEW) { id } }`,
        { p: portfolioId, e: viewer.email },
        { token: owner.token },
      ),
    );
    const mine = ok(await t.gql<any>(GENERATE, { p: portfolioId, year: 2023, format: 'CSV' }, { token: viewer.token })).generateTaxReport;
    expect((await download(mine.downloadUrl, viewer.token)).statusCode).toBe(200);
    expect((await download(mine.downloadUrl, stranger.token)).statusCode).toBe(404);
    expect(errorCode(await t.gql(GENERATE, { p: portfolioId, year: 2023, format: 'CSV' }, { token: stranger.token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(GENERATE, { p: portfolioId, year: 9999, format: 'CSV' }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(GENERATE, { p: portfolioId, year: 1066, format: 'PDF' }, { token: owner.token }))).toBe('BAD_USER_INPUT');
  }, 60_000);

  it('REST: POST /api/v1/portfolios/:id/tax-reports makes the report, described in the OpenAPI document', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/portfolios/${portfolioId}/tax-reports`,
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      payload: { year: 2024, format: 'CSV' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ success: true, data: { kind: 'TAX', from: '2024-01-01', to: '2024-12-31' } });
    const file = await download(body.data.downloadUrl);
    expect(file.body.split('\r\n')[0]).toBe(TAX_CSV_COLUMNS.join(','));

    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/portfolios/${portfolioId}/tax-reports`,
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      payload: { year: 2024, format: 'XLS' },
    });
    expect(bad.statusCode).toBe(400);
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, any> };
    expect(Object.keys(spec.paths).some((p) => /portfolios\/\{id\}\/tax-reports$/.test(p) && spec.paths[p].post)).toBe(true);
  }, 60_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
