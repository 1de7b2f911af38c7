/**
 * For tests of one migration on data an older release left: a database of the file's own, built
 * by every migration before the one under test (`atMigration`), so the test can insert that
 * release's rows and then run the migration itself (`apply`).
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { readMigrations } from '../src/platform/migrate.js';
import { databaseUrl, testDatabaseName, withAdmin } from './db.js';

export interface MigrationUnderTest {
  /** Connected once beforeAll has run. */
  readonly client: pg.Client;
  /** Builds the database up to (not including) the migration whose name matches. */
  buildBefore(): Promise<void>;
  /** Runs the migration under test. */
  apply(): Promise<void>;
}

export function migrationUnderTest(label: string, migrationName: RegExp): MigrationUnderTest {
  const name = testDatabaseName(label);
  let client: pg.Client | undefined;
  const migrations = readMigrations();
  const index = migrations.findIndex((m) => migrationName.test(m.name));
  if (index <= 0) throw new Error(`no migration after the first matches ${migrationName}`);

  beforeAll(async () => {
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
    client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  return {
    get client() {
      if (!client) throw new Error('the migration database is connected in beforeAll');
      return client;
    },
    async buildBefore() {
      for (const migration of migrations.slice(0, index)) await this.client.query(migration.sql);
    },
    async apply() {
      await this.client.query(migrations[index]!.sql);
    },
  };
}
