/**
 * importTransactions at scale: a 100,000-transaction CSV (our own format: 20 years of buys, sells
 * that never oversell, dividends, fees, splits and deposits over 50 symbols, bench/lib/ledger-
 * data.ts) imported into an existing portfolio (target: under 30 s), then the same file again,
 * every row skipped (target: under 10 s). Through the ledger's service (the whole import: read,
 * check, keys, rates, one INSERT, the joined ledger's replay, the rows read back), on a scratch
 * database migrated like production, dropped at the end.
 *
 * Run: npx tsx bench/transaction-import.bench.ts [--transactions N]
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { UNIVERSE } from '../src/market/providers/universe.js';
import { migrate } from '../src/platform/migrate.js';
import { databaseUrl, withAdmin } from '../test/db.js';
import { testConfig } from '../test/harness.js';
import { generateLedger } from './lib/ledger-data.js';

const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRANSACTIONS = argument('--transactions', 100_000);

async function main(): Promise<void> {
  const name = `foliograph_import_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const prefix = `bench:${randomBytes(5).toString('hex')}:`;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    await migrate(url);
    app = await buildApp(testConfig(url, prefix, { LOG_LEVEL: 'silent' }));
    await app.ready();
    const { db, ledger, market } = app.services;
    await market.syncMarketAssets();
    const symbols = UNIVERSE.filter((i) => i.exchange && i.type !== 'CRYPTO' && i.currency === 'USD')
      .slice(0, 50)
      .map((i) => i.symbol);
    const user = await db.user.create({ data: { email: `bench-${prefix}@example.com`, name: 'Bench', passwordHash: 'x' } });
    const portfolio = await db.portfolio.create({ data: { ownerId: user.id, name: 'Import bench' } });
    const columns = ['date', 'type', 'symbol', 'quantity', 'price', 'amount', 'fee', 'currency', 'splitFrom', 'splitTo'] as const;
    const rows = generateLedger(TRANSACTIONS, symbols, 20);
    // A SPLIT carries its ratio only (no amount or fee), as a user's file would.
    const cell = (r: (typeof rows)[number], c: (typeof columns)[number]) =>
      r.type === 'SPLIT' && (c === 'amount' || c === 'fee') ? '' : (r[c] ?? '');
    const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r, c)).join(','))].join('\n');
    const actor = { userId: user.id, ip: null, userAgent: 'bench' };

    const timed = async () => {
      const started = performance.now();
      const outcome = await ledger.importTransactions(actor, portfolio.id, { data: csv, format: 'AUTO' });
      return { ms: performance.now() - started, added: outcome.added, skipped: outcome.skipped };
    };
    const first = await timed();
    const again = await timed();
    if (first.added !== TRANSACTIONS || again.skipped !== TRANSACTIONS || again.added !== 0) {
      throw new Error(`unexpected counts: ${JSON.stringify({ first, again })}`);
    }
    console.log(`\nimportTransactions, ${TRANSACTIONS} rows (${(csv.length / 1024 / 1024).toFixed(1)} MiB CSV)`);
    console.log('| run | time | added | skipped | target |');
    console.log('|---|---|---|---|---|');
    console.log(`| first import | ${(first.ms / 1000).toFixed(1)} s | ${first.added} | ${first.skipped} | < 30 s |`);
    console.log(`| re-import | ${(again.ms / 1000).toFixed(1)} s | ${again.added} | ${again.skipped} | < 10 s |`);
  } finally {
    await app?.close();
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

await main();
process.exit(0);
