/**
 * Runs once before all test files: checks PostgreSQL and Redis are up, and (re)builds the
 * migrated template database that every test file clones.
 */
import { Redis } from 'ioredis';
import { migrate } from '../src/platform/migrate.js';
import { TEST_DB_PREFIX, databaseUrl, testDatabaseName, withAdmin } from './db.js';

/** Databases of runs older than this are leftovers of interrupted runs. */
const STALE_AFTER_SECONDS = 3 * 3600;

export default async function setup(): Promise<() => Promise<void>> {
  // The integration and system projects share one template: the first project to start builds it.
  if (process.env.FOLIOGRAPH_TEST_TEMPLATE) return async () => {};
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at 127.0.0.1:6379 (${(error as Error).message}); start it, see docs/development.md`);
  } finally {
    redis.disconnect();
  }
  const template = testDatabaseName('template');
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DB_PREFIX}%'`);
    const now = Math.floor(Date.now() / 1000);
    for (const { datname } of rows) {
      const created = Number(datname.slice(TEST_DB_PREFIX.length).split('_')[0]);
      if (!Number.isFinite(created) || now - created > STALE_AFTER_SECONDS) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
    await client.query(`CREATE DATABASE ${template}`);
  }).catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable or refused setup (${error.message}); see docs/development.md`);
  });
  await migrate(databaseUrl(template));
  // Test workers are started after this and inherit the environment.
  process.env.FOLIOGRAPH_TEST_TEMPLATE = template;
  return async () => {
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
  };
}
