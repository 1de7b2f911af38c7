/**
 * The ledger migration on a database with data: every existing investment becomes a BUY with the
 * same id, quantity, price, date and notes, in its asset's currency, without losing a row; from
 * then on the investments' triggers keep the BUYs in step.
 */
import { describe, expect, it } from 'vitest';
import { migrationUnderTest } from './migration-db.js';

const migration = migrationUnderTest('ledgermig', /_ledger_transactions$/);
const db = () => migration.client;

describe('the ledger migration', () => {
  it('turns every investment into a BUY, then keeps them in step', async () => {
    await migration.buildBefore();

    // Data as the previous release left it: a USD and a EUR portfolio, market and custom assets.
    const {
      rows: [user],
    } = await db().query(
      `INSERT INTO users (id, email, password_hash, name, updated_at) VALUES (gen_random_uuid(), 'm@example.com', 'h', 'M', now()) RETURNING id`,
    );
    const {
      rows: [usd],
    } = await db().query(
      `INSERT INTO portfolios (id, owner_id, name, updated_at) VALUES (gen_random_uuid(), $1, 'USD', now()) RETURNING id`,
      [user.id],
    );
    const {
      rows: [eur],
    } = await db().query(
      `INSERT INTO portfolios (id, owner_id, name, base_currency, updated_at) VALUES (gen_random_uuid(), $1, 'EUR', 'EUR', now()) RETURNING id`,
      [user.id],
    );
    await db().query(`INSERT INTO assets (id, symbol, name, type, currency, updated_at) VALUES
      (gen_random_uuid(), 'AAPL', 'Apple', 'STOCK', 'USD', now()), (gen_random_uuid(), 'SAP.DE', 'SAP', 'STOCK', 'EUR', now()),
      (gen_random_uuid(), 'VOD.L', 'Vodafone', 'STOCK', 'GBp', now())`);
    await db().query(
      `INSERT INTO assets (id, symbol, name, type, currency, owner_id, updated_at) VALUES (gen_random_uuid(), 'HOUSE', 'Flat', 'REAL_ESTATE', 'CHF', $1, now())`,
      [user.id],
    );
    const holdings: Array<[string, string, string, string, string]> = [
      [usd.id, 'AAPL', '10.5', '150.25', '2024-01-02'],
      [usd.id, 'SAP.DE', '3', '120', '2024-02-01'],
      [usd.id, 'HOUSE', '1', '350000', '2020-06-30'],
      [eur.id, 'SAP.DE', '2', '125.5', '2024-03-01'],
      [eur.id, 'VOD.L', '100', '70.12345678', '2024-03-02'],
      [eur.id, 'GONE', '1', '1', '2024-03-03'],
    ];
    for (const [portfolioId, symbol, quantity, price, date] of holdings) {
      await db().query(
        `INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, notes, updated_at)
         VALUES (gen_random_uuid(), $1, $2::varchar, $2::varchar, 'STOCK', $3, $4, $5, 'note ' || $2::text, now())`,
        [portfolioId, symbol, quantity, price, date],
      );
    }

    await migration.apply();

    const { rows } = await db().query(`
      SELECT i.id = t.id AS same, t.type, t.symbol, t.quantity::text, t.price::text, t.amount::text, t.fee::text, t.currency, t.fx_rate::text,
             to_char(t.date, 'YYYY-MM-DD') AS date, t.notes, t.created_at = i.created_at AS same_created
      FROM investments i LEFT JOIN transactions t ON t.id = i.id ORDER BY i.purchase_date`);
    expect(rows).toEqual([
      {
        same: true,
        type: 'BUY',
        symbol: 'HOUSE',
        quantity: '1.00000000',
        price: '350000.00000000',
        amount: '350000.0000000000000000',
        fee: '0.00000000',
        currency: 'CHF',
        fx_rate: null,
        date: '2020-06-30',
        notes: 'note HOUSE',
        same_created: true,
      },
      {
        same: true,
        type: 'BUY',
        symbol: 'AAPL',
        quantity: '10.50000000',
        price: '150.25000000',
        amount: '1577.6250000000000000',
        fee: '0.00000000',
        currency: 'USD',
        fx_rate: '1.00000000000000',
        date: '2024-01-02',
        notes: 'note AAPL',
        same_created: true,
      },
      {
        same: true,
        type: 'BUY',
        symbol: 'SAP.DE',
        quantity: '3.00000000',
        price: '120.00000000',
        amount: '360.0000000000000000',
        fee: '0.00000000',
        currency: 'EUR',
        fx_rate: null,
        date: '2024-02-01',
        notes: 'note SAP.DE',
        same_created: true,
      },
      {
        same: true,
        type: 'BUY',
        symbol: 'SAP.DE',
        quantity: '2.00000000',
        price: '125.50000000',
        amount: '251.0000000000000000',
        fee: '0.00000000',
        currency: 'EUR',
        fx_rate: '1.00000000000000',
        date: '2024-03-01',
        notes: 'note SAP.DE',
        same_created: true,
      },
      {
        same: true,
        type: 'BUY',
        symbol: 'VOD.L',
        quantity: '100.00000000',
        price: '70.12345678',
        amount: '7012.3456780000000000',
        fee: '0.00000000',
        currency: 'GBp',
        fx_rate: null,
        date: '2024-03-02',
        notes: 'note VOD.L',
        same_created: true,
      },
      // An investment whose asset is gone counts in the portfolio's base currency.
      {
        same: true,
        type: 'BUY',
        symbol: 'GONE',
        quantity: '1.00000000',
        price: '1.00000000',
        amount: '1.0000000000000000',
        fee: '0.00000000',
        currency: 'EUR',
        fx_rate: '1.00000000000000',
        date: '2024-03-03',
        notes: 'note GONE',
        same_created: true,
      },
    ]);
    const {
      rows: [counts],
    } = await db().query(
      `SELECT (SELECT count(*) FROM investments)::int AS investments, (SELECT count(*) FROM transactions)::int AS transactions`,
    );
    expect(counts).toEqual({ investments: 6, transactions: 6 });

    // The triggers: an investment written directly (an import's INSERT, an update, a delete) moves its BUY.
    const {
      rows: [inserted],
    } = await db().query(
      `INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, updated_at) VALUES (gen_random_uuid(), $1, 'AAPL', 'Apple', 'STOCK', 2, 3, '2024-05-01', now()) RETURNING id`,
      [usd.id],
    );
    await db().query(`UPDATE investments SET quantity = 4 WHERE id = $1`, [inserted.id]);
    const {
      rows: [buy],
    } = await db().query(`SELECT quantity::text, amount::text, currency FROM transactions WHERE id = $1`, [inserted.id]);
    expect(buy).toEqual({ quantity: '4.00000000', amount: '12.0000000000000000', currency: 'USD' });
    await db().query(`DELETE FROM investments WHERE id = $1`, [inserted.id]);
    expect((await db().query(`SELECT 1 FROM transactions WHERE id = $1`, [inserted.id])).rowCount).toBe(0);
    // And a BUY deleted as a transaction takes its investment along.
    await db().query(`DELETE FROM transactions WHERE symbol = 'GONE'`);
    expect((await db().query(`SELECT 1 FROM investments WHERE symbol = 'GONE'`)).rowCount).toBe(0);
  });
});
