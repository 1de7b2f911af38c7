/**
 * The ledger text and its decoder: what PostgreSQL aggregates decodes to the stored columns
 * exactly (as text and as fixed point), in ledger order, with NULLs, lot ids and the widest
 * decimals the columns hold; a malformed text is refused rather than misread.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createPortfolio } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';
import { fixedPointAt, toFixedPoint } from './core/fixed.js';
import { decodeLedger, ledgerText } from './rows.js';

let t: TestApp;
let portfolioId: string;
const BUY = randomUUID();
const SELL = randomUUID();
beforeAll(async () => {
  t = await startTestApp();
  const owner = await createTestUser(t);
  portfolioId = (await createPortfolio(t, owner)).id;
  const db = t.app.services.db;
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
  // Written straight to the table: the decoder must read whatever the columns can hold.
  await db.transaction.createMany({
    data: [
      {
        id: randomUUID(),
        portfolioId,
        type: 'DEPOSIT',
        date: new Date('2024-01-02'),
        amount: '1234567890123456789012.1234567890123456',
        fee: '0',
        currency: 'USD',
        fxRate: '1',
        createdAt: at(0),
      },
      {
        id: BUY,
        portfolioId,
        type: 'BUY',
        date: new Date('2024-01-02'),
        symbol: 'BRK-B',
        quantity: '0.00000001',
        price: '9999999999.99999999',
        amount: '99.9999999999999999',
        fee: '1.50',
        currency: 'GBp',
        fxRate: null,
        createdAt: at(1),
      },
      {
        id: randomUUID(),
        portfolioId,
        type: 'SPLIT',
        date: new Date('2024-03-01'),
        symbol: 'BRK-B',
        amount: '0',
        fee: '0',
        currency: 'USD',
        fxRate: '0.00000000000001',
        splitFrom: '1',
        splitTo: '3',
        createdAt: at(2),
      },
      {
        id: SELL,
        portfolioId,
        type: 'SELL',
        // Dated before the SPLIT but recorded after it: ledger order is by date first.
        date: new Date('2024-02-01'),
        symbol: 'BRK-B',
        quantity: '0.00000001',
        price: '120',
        amount: '0.0000012',
        fee: '0',
        currency: 'GBp',
        fxRate: '12345678901234.12345678901234',
        lotIds: [BUY, BUY],
        costBasisMethod: 'HIFO',
        createdAt: at(3),
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

async function ledger(): Promise<string | null> {
  const [row] = await t.app.services.db.$queryRaw<Array<{ ledger: string | null }>>`
    SELECT ${ledgerText('t')} AS ledger FROM transactions t WHERE t.portfolio_id = ${portfolioId}::uuid`;
  return row!.ledger;
}

describe('the ledger text', () => {
  it('decodes to the stored columns, in ledger order, as exact text', async () => {
    const rows = decodeLedger(await ledger());
    expect(rows.map((r) => r.type)).toEqual(['DEPOSIT', 'BUY', 'SELL', 'SPLIT']);
    expect(rows[0]).toMatchObject({
      symbol: null,
      quantity: null,
      price: null,
      amount: '1234567890123456789012.1234567890123456',
      lotIds: null,
    });
    expect(rows[1]).toEqual({
      id: BUY,
      type: 'BUY',
      date: '2024-01-02',
      symbol: 'BRK-B',
      quantity: '0.00000001',
      price: '9999999999.99999999',
      amount: '99.9999999999999999',
      fee: '1.5',
      currency: 'GBp',
      fxRate: null,
      splitFrom: null,
      splitTo: null,
      toAmount: null,
      toCurrency: null,
      costBasisMethod: null,
      lotIds: null,
    });
    expect(rows[2]).toMatchObject({
      id: SELL,
      costBasisMethod: 'HIFO',
      date: '2024-02-01',
      amount: '0.0000012',
      fxRate: '12345678901234.12345678901234',
      lotIds: [BUY, BUY],
    });
    expect(rows[3]).toMatchObject({ fxRate: '0.00000000000001', splitFrom: '1', splitTo: '3', quantity: null });
  });

  it('decodes the decimals straight into the fixed point that their text gives', async () => {
    const text = await ledger();
    const asText = decodeLedger(text);
    const asFixed = decodeLedger(text, fixedPointAt);
    const decimals = ['quantity', 'price', 'amount', 'fee', 'fxRate', 'splitFrom', 'splitTo', 'toAmount'] as const;
    asText.forEach((row, i) => {
      for (const key of decimals) expect(asFixed[i]![key]).toBe(row[key] === null ? null : toFixedPoint(row[key]));
      expect({ ...asFixed[i], ...Object.fromEntries(decimals.map((k) => [k, row[k]])) }).toEqual(row);
    });
  });

  it('leaves ids and lot ids out when asked to, and nothing else', async () => {
    const [row] = await t.app.services.db.$queryRaw<Array<{ ledger: string | null }>>`
      SELECT ${ledgerText('t', { ids: false })} AS ledger FROM transactions t WHERE t.portfolio_id = ${portfolioId}::uuid`;
    const full = decodeLedger(await ledger());
    expect(decodeLedger(row!.ledger)).toEqual(full.map((r) => ({ ...r, id: '', lotIds: null })));
  });

  it('is null for an empty ledger, and no rows', async () => {
    const [row] = await t.app.services.db.$queryRaw<Array<{ ledger: string | null }>>`
      SELECT ${ledgerText('t')} AS ledger FROM transactions t WHERE t.portfolio_id = ${randomUUID()}::uuid`;
    expect(row!.ledger).toBeNull();
    expect(decodeLedger(row!.ledger)).toEqual([]);
  });

  it('refuses a line with a cell too many or too few, or an unknown type', async () => {
    const line = (await ledger())!.split('\n')[1]!;
    expect(decodeLedger(line)).toHaveLength(1);
    expect(() => decodeLedger(`${line}|x`)).toThrow(/more than 16 cells/);
    expect(() => decodeLedger(line.slice(0, line.lastIndexOf('|')))).toThrow(/fewer than 16 cells/);
    expect(() => decodeLedger(line.replace('|BUY|', '|BUYS|'))).toThrow(/unknown transaction type BUYS/);
  });
});
