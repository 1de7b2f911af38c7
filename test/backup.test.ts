/**
 * scripts/backup.sh and scripts/restore.sh: a pg_dump/pg_restore round trip gives back every
 * row exactly (decimals, migrations table included), the restored database serves the same
 * answers, old dumps are pruned after BACKUP_KEEP_DAYS, and a broken dump is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PortfolioDocument } from '../schema/sdk/graphql.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { databaseUrl, testDatabaseName, withAdmin } from './db.js';
import { startTestApp } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { addInvestment, createPortfolio, ok } from './portfolios.js';
import { createTestUser, type TestUser } from './users.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'foliograph-backup-'));
const restoredName = testDatabaseName('restored');
let user: TestUser;
let portfolioId: string;

afterAll(async () => {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`));
  rmSync(dir, { recursive: true, force: true });
});
const t = useTestApp();
beforeAll(async () => {
  user = await createTestUser(t);
  portfolioId = (await createPortfolio(t, user, { name: 'Backed up' })).id;
  await addInvestment(t, user, portfolioId, { symbol: 'AAPL', quantity: '12.34567891', purchasePrice: '187.12345678' });
  await addInvestment(t, user, portfolioId, { symbol: 'MSFT', quantity: '0.00000001', purchasePrice: '99999999.99999999' });
});

async function snapshot(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const result: Record<string, string> = {};
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${table_name}" ORDER BY 1`);
      result[table_name] = JSON.stringify(rows.rows);
    }
    return result;
  } finally {
    await client.end();
  }
}

it('dumps and restores every row exactly; the restored database serves the same answers', async () => {
  const { stdout } = await run('bash', [join(PROJECT_ROOT, 'scripts/backup.sh'), t.database.url, dir]);
  const dump = stdout.trim();
  expect(dump).toMatch(/foliograph-.*\.dump$/);
  expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

  const restoredUrl = databaseUrl(restoredName);
  const restore = await run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), dump, restoredUrl]);
  expect(restore.stdout).toMatch(/restored/);

  const [original, restored] = await Promise.all([snapshot(t.database.url), snapshot(restoredUrl)]);
  expect(Object.keys(restored)).toEqual(Object.keys(original));
  expect(Object.keys(original)).toContain('_prisma_migrations');
  expect(restored).toEqual(original);
  expect(original.investments).toContain('99999999.99999999');

  const copy = await startTestApp({
    database: { name: restoredName, url: restoredUrl, drop: async () => {} },
    redisPrefix: t.config.REDIS_PREFIX,
  });
  try {
    const [before, after] = await Promise.all([
      t.gql(PortfolioDocument, { id: portfolioId }, { token: user.token }),
      copy.gql(PortfolioDocument, { id: portfolioId }, { token: user.token }),
    ]);
    expect(ok(after)).toEqual(ok(before));
  } finally {
    await copy.close();
  }
}, 60_000);

it('prunes dumps older than BACKUP_KEEP_DAYS and keeps recent ones', async () => {
  const old = join(dir, 'foliograph-x-20200101T000000Z.dump');
  const recent = join(dir, 'foliograph-x-recent.dump');
  writeFileSync(old, 'old');
  writeFileSync(recent, 'recent');
  const monthAgo = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(old, monthAgo, monthAgo);
  await run('bash', [join(PROJECT_ROOT, 'scripts/backup.sh'), t.database.url, dir], { env: { ...process.env, BACKUP_KEEP_DAYS: '14' } });
  const files = readdirSync(dir);
  expect(files).not.toContain('foliograph-x-20200101T000000Z.dump');
  expect(files).toContain('foliograph-x-recent.dump');
}, 60_000);

it('refuses a broken dump without touching the target database', async () => {
  const broken = join(dir, 'broken.dump');
  writeFileSync(broken, 'not a dump');
  await expect(run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), broken, databaseUrl(restoredName)])).rejects.toThrow();
  const restored = await snapshot(databaseUrl(restoredName));
  expect(restored.investments).toContain('99999999.99999999');
}, 60_000);
