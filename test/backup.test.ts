/**
 * scripts/backup.sh and scripts/restore.sh: a pg_dump/pg_restore round trip gives back every
 * row exactly (decimals, migrations table included), the restored database serves the same
 * answers, dumps are readable by their owner only and never committed, old dumps are pruned
 * after BACKUP_KEEP_DAYS, a broken dump is refused, and a TimescaleDB dump is restored in
 * TimescaleDB's restore mode.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  // Every user's data is in there: owner only.
  expect(statSync(dump).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);

  const restoredUrl = databaseUrl(restoredName);
  const restore = await run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), dump, restoredUrl]);
  expect(restore.stdout).toMatch(/restored/);

  const [original, restored] = await Promise.all([snapshot(t.database.url), snapshot(restoredUrl)]);
  expect(Object.keys(restored)).toEqual(Object.keys(original));
  expect(Object.keys(original)).toContain('_prisma_migrations');
  expect(restored).toEqual(original);
  expect(original.transactions).toContain('99999999.99999999'); // the investment is its BUY

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
  expect(restored.transactions).toContain('99999999.99999999');
}, 60_000);

it('keeps backups/ out of git', () => {
  const ignored = execFileSync('git', ['check-ignore', 'backups/foliograph-x.dump'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(ignored.trim()).toBe('backups/foliograph-x.dump');
});

describe('a TimescaleDB dump', () => {
  const target = testDatabaseName('timescale');
  afterAll(async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`));
  });

  async function timescaleAvailable(): Promise<boolean> {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      return (await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).rowCount === 1;
    } finally {
      await client.end();
    }
  }

  it('needs the extension on the target before any row is restored (a dump that lists it, on a server without it)', async ({ skip }) => {
    if (await timescaleAvailable()) skip(); // the round trip below covers a server with TimescaleDB
    const { stdout } = await run('bash', [join(PROJECT_ROOT, 'scripts/backup.sh'), t.database.url, dir]);
    // This server has no TimescaleDB, so no dump of it can list the extension: a pg_restore that
    // adds the entry to the real table of contents (and restores with the real one) stands in.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const real = execFileSync('bash', ['-c', 'command -v pg_restore'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'pg_restore'),
      `#!/usr/bin/env bash\nif [ "$1" = --list ]; then "${real}" "$@" && echo '9999; 3079 17000 EXTENSION - timescaledb '; else exec "${real}" "$@"; fi\n`,
    );
    chmodSync(join(bin, 'pg_restore'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const restore = run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), stdout.trim(), databaseUrl(target)], { env });
    await expect(restore).rejects.toThrow(/install the timescaledb extension on the target server first/);
    const tables = await snapshot(databaseUrl(target));
    expect(Object.keys(tables)).toEqual([]);
    // Restoring over a live copy is refused for such a dump.
    const clean = run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), stdout.trim(), databaseUrl(target)], {
      env: { ...env, RESTORE_CLEAN: '1' },
    });
    await expect(clean).rejects.toThrow(/restore it into a new database/);
  }, 60_000);

  it('restores a hypertable between timescaledb_pre_restore() and timescaledb_post_restore()', async ({ skip }) => {
    if (!(await timescaleAvailable())) skip(); // needs a server with TimescaleDB (the compose image)
    const { stdout } = await run('bash', [join(PROJECT_ROOT, 'scripts/backup.sh'), t.database.url, dir]);
    const restore = await run('bash', [join(PROJECT_ROOT, 'scripts/restore.sh'), stdout.trim(), databaseUrl(target)]);
    expect(restore.stdout).toMatch(/restored/);
    const client = new pg.Client({ connectionString: databaseUrl(target) });
    await client.connect();
    try {
      const restoring = await client.query("SELECT current_setting('timescaledb.restoring', true) AS value");
      expect(restoring.rows[0].value).not.toBe('on');
      const hypertables = await client.query("SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'daily_prices'");
      expect(hypertables.rowCount).toBe(1);
    } finally {
      await client.end();
    }
  }, 60_000);
});
