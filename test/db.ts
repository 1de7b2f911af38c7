/** Test databases: one migrated template per run, one fast copy of it per test file. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/**
 * Test database names carry their creation time (seconds), so a run can clean up what an
 * interrupted earlier run left behind without touching the databases of a run in progress.
 */
export const TEST_DB_PREFIX = 'foliograph_test_';
export function testDatabaseName(kind: string): string {
  return `${TEST_DB_PREFIX}${Math.floor(Date.now() / 1000)}_${kind}_${randomBytes(5).toString('hex')}`;
}
/** The migrated template of this run (named by the global setup, inherited by the workers). */
export function templateDatabase(): string {
  const name = process.env.FOLIOGRAPH_TEST_TEMPLATE;
  if (!name) throw new Error('FOLIOGRAPH_TEST_TEMPLATE is not set: run the tests through vitest (test/global-setup.ts)');
  return name;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template (a file-level copy: milliseconds). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = testDatabaseName('db');
  await withAdmin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
        return;
      } catch (error) {
        // 55006: the template is briefly busy while another file copies it.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
