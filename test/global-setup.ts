/**
 * Runs once before all test files: checks PostgreSQL and Redis are up, and (re)builds the
 * migrated template database that every test file clones.
 */
import { Redis } from 'ioredis';
import { migrate } from '../src/platform/migrate.js';
import { TEMPLATE_DB, databaseUrl, withAdmin } from './db.js';

export default async function setup(): Promise<() => Promise<void>> {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at 127.0.0.1:6379 (${(error as Error).message}); start it, see README`);
  } finally {
    redis.disconnect();
  }
  await withAdmin(async (client) => {
    // Leftovers of an interrupted run.
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'foliograph_test_%' AND datname <> $1",
      [TEMPLATE_DB],
    );
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  }).catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable or refused setup (${error.message}); see README`);
  });
  await migrate(databaseUrl(TEMPLATE_DB));
  return async () => {
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`));
  };
}
