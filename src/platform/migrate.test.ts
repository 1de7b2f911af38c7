/**
 * Starting and upgrading safely: replicas starting at once on a database that does not exist yet
 * all come up, and an older build refuses a schema newer than the migrations it ships.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, testDatabaseName, withAdmin, type TestDatabase } from '../../test/db.js';
import { NewerSchemaError, assertSchemaKnown, ensureDatabase, migrate, readMigrations } from './migrate.js';
import { PROJECT_ROOT } from './paths.js';

const created: string[] = [];
const copies: TestDatabase[] = [];
afterAll(async () => {
  for (const name of created) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  for (const copy of copies) await copy.drop();
});

describe('first start of several replicas', () => {
  it('creates a missing database once and migrates it once, every replica succeeding', async () => {
    for (let round = 0; round < 3; round++) {
      const name = testDatabaseName('first');
      created.push(name);
      const url = databaseUrl(name);
      const starts = await Promise.allSettled(
        Array.from({ length: 6 }, async () => {
          const createdIt = await ensureDatabase(url);
          const result = await migrate(url);
          return { createdIt, applied: result.applied.length };
        }),
      );
      const failures = starts.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(failures).toEqual([]);
      const results = starts.map((s) => (s as PromiseFulfilledResult<{ createdIt: boolean; applied: number }>).value);
      expect(results.filter((r) => r.createdIt)).toHaveLength(1);
      expect(results.reduce((sum, r) => sum + r.applied, 0)).toBe(readMigrations().length);
    }
  });
});

describe('a schema newer than the build', () => {
  const FUTURE = '29991231235959_from_a_newer_build';

  async function newerDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase();
    copies.push(database);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, repeat('0', 64), $1, now(), now(), 1)`,
      [FUTURE],
    );
    await client.end();
    return database;
  }

  it('is refused by migrate and by the worker check, naming what it does not know', async () => {
    const database = await newerDatabase();
    await expect(migrate(database.url)).rejects.toThrow(NewerSchemaError);
    await expect(migrate(database.url)).rejects.toThrow(new RegExp(`schema is newer than this build.*${FUTURE}`));
    await expect(assertSchemaKnown(database.url)).rejects.toThrow(NewerSchemaError);
    // The schema as this build knows it is accepted.
    const current = await createTestDatabase();
    copies.push(current);
    await expect(assertSchemaKnown(current.url)).resolves.toBeUndefined();
  });

  it('stops the API at start with a clear message and exit code 1, no stack trace', async () => {
    const database = await newerDatabase();
    const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/foliograph cannot start: the database schema is newer than this build/);
    expect(output).toContain(FUTURE);
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);
});
