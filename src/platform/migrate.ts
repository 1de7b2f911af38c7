/**
 * Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's native engine
 * (which cannot be installed offline): same `_prisma_migrations` bookkeeping (SHA-256 checksum of
 * migration.sql), same advisory lock, so Prisma's own CLI agrees on a machine that has it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from './paths.js';

/** The lock id Prisma's migrate takes, so our applier and Prisma's never run at once. */
const PRISMA_MIGRATE_LOCK = 72707369;

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

type Log = (message: string) => void;

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Creates the database named in `url` when it does not exist (connecting to `postgres`).
 * Replicas starting at once take turns (an advisory lock on the maintenance database): without
 * it, two CREATE DATABASE statements race and the loser fails on pg_database's unique index
 * (23505), not only with "already exists" (42P04).
 */
export async function ensureDatabase(url: string, log: Log = () => {}): Promise<boolean> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [CREATE_DATABASE_LOCK, database]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    log(`created database ${database}`);
    return true;
  } catch (error) {
    // Created meanwhile by a process that does not take the lock (an older build, a person).
    const code = (error as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw error;
  } finally {
    // Ending the session releases the advisory lock.
    await client.end();
  }
}

/** The advisory lock class under which CREATE DATABASE runs (the second key is the name's hash). */
const CREATE_DATABASE_LOCK = 72707370;

export class MigrationError extends Error {}

/**
 * The database was migrated by a newer build: this (older) one does not know its schema and must
 * not serve from it (see docs/operations.md, "Rolling back").
 */
export class NewerSchemaError extends MigrationError {
  constructor(readonly unknownMigrations: string[]) {
    super(
      `the database schema is newer than this build: it has ${unknownMigrations.length} migration(s) this build does not ship ` +
        `(${unknownMigrations.join(', ')}); run the newer build, or restore the backup taken before the upgrade ` +
        `(docs/operations.md, "Rolling back")`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Applies every pending migration under Prisma's advisory lock; safe to run from many replicas. */
export async function migrate(url: string, log: Log = () => {}, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = readMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at');

    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was not rolled back; fix the database, then mark it ` +
          `(prisma migrate resolve) before migrating again`,
      );
    }
    const applied = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    const unknown = [...applied.keys()].filter((name) => !migrations.some((m) => m.name === name));
    if (unknown.length > 0) throw new NewerSchemaError(unknown);
    const result: MigrateResult = { applied: [], alreadyApplied: applied.size };

    for (const migration of migrations) {
      const done = applied.get(migration.name);
      if (done) {
        if (done.checksum !== migration.checksum) {
          log(`warning: migration ${migration.name} was modified after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [id, migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        // The transaction left nothing behind: record the attempt as rolled back, as
        // `prisma migrate resolve --rolled-back` would, so a fixed migration can be retried.
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, rolled_back_at, applied_steps_count)
           VALUES ($1, $2, $3, $4, now(), now(), 0)`,
          [id, migration.checksum, migration.name, String((error as Error).message)],
        );
        throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      log(`applied migration ${migration.name}`);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
}

/**
 * Throws NewerSchemaError when the database has migrations this build does not ship (the worker
 * checks this at start; it does not migrate). A database not migrated yet passes.
 */
export async function assertSchemaKnown(url: string, dir = MIGRATIONS_DIR): Promise<void> {
  const shipped = new Set(readMigrations(dir).map((m) => m.name));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const unknown = rows.map((r) => r.migration_name).filter((name) => !shipped.has(name));
    if (unknown.length > 0) throw new NewerSchemaError(unknown);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return; // no _prisma_migrations yet
    throw error;
  } finally {
    await client.end();
  }
}
