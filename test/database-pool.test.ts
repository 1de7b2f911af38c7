/**
 * DATABASE_POOL_SIZE bounds the API's PostgreSQL connections per process: replicas x pool must
 * stay under the server's max_connections at the autoscaler's maximum.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { withAdmin } from './db.js';
import { useTestApp } from './use-test-app.js';

const t = useTestApp({ env: { DATABASE_POOL_SIZE: '2' } });

describe('DATABASE_POOL_SIZE', () => {
  it('defaults to 10 and refuses 0', () => {
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(10);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('never opens more connections than it says, however many queries wait', async () => {
    const name = t.database.name;
    let busiest = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const { rows } = await withAdmin((c) =>
          c.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
            [name],
          ),
        );
        busiest = Math.max(busiest, rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      await Promise.all(Array.from({ length: 6 }, () => t.app.services.db.$queryRawUnsafe('SELECT pg_sleep(0.4)::text AS slept')));
    } finally {
      done = true;
      await watch;
    }
    // Six queries waited for two connections (before: ten connections, all six at once).
    expect(busiest).toBeGreaterThan(0);
    expect(busiest).toBeLessThanOrEqual(2);
  }, 60_000);
});
