/**
 * The migration that records each SELL's cost basis method (an elected method applies forward),
 * on a database with data: every SELL and TRANSFER_OUT closed by the portfolio's method gets that
 * method; one that named its lots, and every other transaction, gets none.
 */
import { describe, expect, it } from 'vitest';
import { migrationUnderTest } from './migration-db.js';

const migration = migrationUnderTest('methodmig', /_ledger_conversion_method$/);
const db = () => migration.client;

describe('the cost basis method migration', () => {
  it("gives every SELL closed by the portfolio's method that method, and nothing else one", async () => {
    await migration.buildBefore();

    const {
      rows: [user],
    } = await db().query(
      `INSERT INTO users (id, email, password_hash, name, updated_at) VALUES (gen_random_uuid(), 'm@example.com', 'h', 'M', now()) RETURNING id`,
    );
    const portfolio = async (method: string) =>
      (
        await db().query(
          `INSERT INTO portfolios (id, owner_id, name, cost_basis_method, updated_at) VALUES (gen_random_uuid(), $1, $2::text, $2::text::"CostBasisMethod", now()) RETURNING id`,
          [user.id, method],
        )
      ).rows[0].id as string;
    const average = await portfolio('AVERAGE');
    const hifo = await portfolio('HIFO');
    const insert = async (portfolioId: string, type: string, lotIds: string[] = []) =>
      (
        await db().query(
          `INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, lot_ids, updated_at)
           VALUES (gen_random_uuid(), $1, $2::"TransactionType", '2024-01-02', 'AAPL', 1, 1, 1, 0, 'USD', 1, $3::uuid[], now()) RETURNING id`,
          [portfolioId, type, lotIds],
        )
      ).rows[0].id as string;
    const buy = await insert(average, 'BUY');
    const sellAverage = await insert(average, 'SELL');
    const named = await insert(average, 'SELL', [buy]);
    const transferHifo = await insert(hifo, 'TRANSFER_OUT');
    const sellHifo = await insert(hifo, 'SELL');

    await migration.apply();

    const { rows } = await db().query(`SELECT id, cost_basis_method AS method FROM transactions`);
    const methodOf = new Map(rows.map((row: { id: string; method: string | null }) => [row.id, row.method]));
    expect([buy, sellAverage, named, transferHifo, sellHifo].map((id) => methodOf.get(id))).toEqual([
      null,
      'AVERAGE',
      null,
      'HIFO',
      'HIFO',
    ]);
  });
});
