/**
 * The one-write-model migration on a database built at the previous migration, with investments
 * and transactions in it: every investment keeps its id, figures and notes as the BUY it reads
 * from (one written while the triggers were off gets its BUY now), every other transaction is left
 * as it was, the triggers are gone, and an investment's name, type and sector are its asset's.
 */
import { describe, expect, it } from 'vitest';
import { migrationUnderTest } from './migration-db.js';

const migration = migrationUnderTest('onewrite', /_ledger_one_write_model$/);
const db = () => migration.client;

const INVESTMENTS_READ = `SELECT id::text, symbol, name, type::text, quantity::text, purchase_price::text, to_char(purchase_date, 'YYYY-MM-DD') AS date,
                                 sector, notes, created_at FROM investments ORDER BY purchase_date, id`;

describe('the one-write-model migration', () => {
  it('keeps every investment and transaction, and turns investments into a view of the BUYs', async () => {
    await migration.buildBefore();

    const {
      rows: [user],
    } = await db().query(
      `INSERT INTO users (id, email, password_hash, name, updated_at) VALUES (gen_random_uuid(), 'w@example.com', 'h', 'W', now()) RETURNING id`,
    );
    const {
      rows: [portfolio],
    } = await db().query(
      `INSERT INTO portfolios (id, owner_id, name, updated_at) VALUES (gen_random_uuid(), $1, 'P', now()) RETURNING id`,
      [user.id],
    );
    await db().query(`INSERT INTO assets (id, symbol, name, type, currency, sector, updated_at) VALUES
      (gen_random_uuid(), 'AAPL', 'Apple Inc.', 'STOCK', 'USD', 'Information Technology', now()),
      (gen_random_uuid(), 'VTI', 'Vanguard Total Stock Market ETF', 'ETF', 'USD', NULL, now())`);
    await db().query(
      `INSERT INTO assets (id, symbol, name, type, currency, owner_id, updated_at) VALUES (gen_random_uuid(), 'HOUSE', 'Flat', 'REAL_ESTATE', 'USD', $1, now())`,
      [user.id],
    );
    // Investments as the previous release wrote them (its triggers add each one's BUY); one with
    // its own name, type and sector, which the view no longer copies.
    const lots: Array<[string, string, string, string, string, string, string | null]> = [
      ['AAPL', 'Apple Inc.', 'STOCK', '10', '150.25', '2024-01-02', 'Information Technology'],
      ['VTI', 'My index fund', 'FUND', '4', '200', '2024-01-03', 'Broad market'],
      ['HOUSE', 'Flat', 'REAL_ESTATE', '1', '350000', '2020-06-30', null],
    ];
    for (const [symbol, assetName, type, quantity, price, date, sector] of lots) {
      await db().query(
        `INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, sector, notes, updated_at)
         VALUES (gen_random_uuid(), $1, $2::varchar, $3, $4, $5, $6, $7, $8, 'note ' || $2::text, now())`,
        [portfolio.id, symbol, assetName, type, quantity, price, date, sector],
      );
    }
    // One written with the triggers off (a bulk load): it has no BUY yet.
    await db().query('SET session_replication_role = replica');
    await db().query(
      `INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, notes, updated_at)
       VALUES (gen_random_uuid(), $1, 'AAPL', 'AAPL', 'STOCK', 2, 160, '2024-02-01', NULL, now())`,
      [portfolio.id],
    );
    await db().query('SET session_replication_role = DEFAULT');
    // Transactions of other types.
    await db().query(
      `INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, updated_at) VALUES
       (gen_random_uuid(), $1, 'SELL', '2024-03-01', 'AAPL', 3, 170, 510, 1, 'USD', 1, now()),
       (gen_random_uuid(), $1, 'DIVIDEND', '2024-03-15', 'AAPL', NULL, NULL, 2.5, 0.4, 'USD', 1, now())`,
      [portfolio.id],
    );

    const investmentsBefore = (await db().query(INVESTMENTS_READ)).rows;
    const transactionsBefore = (await db().query(`SELECT id::text, type::text, amount::text FROM transactions ORDER BY id`)).rows;
    expect(investmentsBefore).toHaveLength(4);
    expect(transactionsBefore).toHaveLength(5);

    await migration.apply();

    const investmentsAfter = (await db().query(INVESTMENTS_READ)).rows;
    // Same ids, figures, notes and creation times; name, type and sector are now the asset's.
    expect(investmentsAfter).toEqual(
      investmentsBefore.map((row) => ({
        ...row,
        name: { AAPL: 'Apple Inc.', VTI: 'Vanguard Total Stock Market ETF', HOUSE: 'Flat' }[row.symbol as string],
        type: { AAPL: 'STOCK', VTI: 'ETF', HOUSE: 'REAL_ESTATE' }[row.symbol as string],
        sector: row.symbol === 'AAPL' ? 'Information Technology' : null,
      })),
    );
    const transactionsAfter = (await db().query(`SELECT id::text, type::text, amount::text FROM transactions ORDER BY id`)).rows;
    const orphan = investmentsBefore.find((row) => row.date === '2024-02-01')!;
    expect(transactionsAfter).toEqual(
      [...transactionsBefore, { id: orphan.id, type: 'BUY', amount: '320.0000000000000000' }].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    // No table, no triggers: the view is read only, and a BUY deleted takes its investment along.
    const { rows: kinds } = await db().query(`SELECT relkind::text FROM pg_class WHERE relname = 'investments'`);
    expect(kinds).toEqual([{ relkind: 'v' }]);
    const { rows: triggers } = await db().query(
      `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'transactions'::regclass AND tgname LIKE '%buy%'`,
    );
    expect(triggers).toEqual([]);
    await db().query(`DELETE FROM transactions WHERE id = $1`, [orphan.id]);
    expect((await db().query(`SELECT 1 FROM investments WHERE id = $1`, [orphan.id])).rowCount).toBe(0);
  });
});
