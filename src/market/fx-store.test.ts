/**
 * FX rates cached like quotes: a pair's series fetched by one process is read by another from
 * Redis (L2), and from PostgreSQL (L3) once Redis has lost it, without asking the source again.
 */
import { Decimal } from 'decimal.js';
import { expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { FxRates } from './fx.js';
import { SharedFxStore } from './fx-store.js';
import type { FxSource } from './providers/fx-sources.js';

const t = useTestApp();

/** A source with a few EURUSD days (a holiday on 2024-12-25 and 26), counting its calls. */
function countingSource() {
  const source = {
    name: 'counted',
    calls: 0,
    async series(base: string, quote: string) {
      source.calls++;
      if (base !== 'EUR' || quote !== 'USD') return null;
      return [
        { date: '2024-12-23', rate: new Decimal('1.0405') },
        { date: '2024-12-24', rate: new Decimal('1.0412') },
        { date: '2024-12-27', rate: new Decimal('1.0427') },
      ];
    },
  } satisfies FxSource & { calls: number };
  return source;
}

it('one process fetches; others read Redis, then PostgreSQL once Redis has lost it; holidays take the last earlier rate', async () => {
  const now = () => new Date('2024-12-30T12:00:00Z');
  const { redis, db, logger } = t.app.services;
  const store = () => new SharedFxStore({ redis, db, prefix: t.config.REDIS_PREFIX, logger, now });
  const first = countingSource();
  const a = new FxRates(now, [first], () => {}, store());
  expect((await a.rate('EUR', 'USD', '2024-12-26'))?.rate.toFixed()).toBe('1.0412');
  expect(first.calls).toBe(1);

  const second = countingSource();
  const b = new FxRates(now, [second], () => {}, store());
  expect((await b.rate('EUR', 'USD', '2024-12-27'))?.rate.toFixed()).toBe('1.0427');
  expect(second.calls).toBe(0);

  await redis.del(`${t.config.REDIS_PREFIX}market:fx:EURUSD`);
  const third = countingSource();
  const c = new FxRates(now, [third], () => {}, store());
  expect(await c.rate('EUR', 'USD', '2024-12-26')).toMatchObject({ date: '2024-12-24', source: 'counted' });
  expect(third.calls).toBe(0);
  // …and PostgreSQL's copy went back into Redis.
  expect(await redis.exists(`${t.config.REDIS_PREFIX}market:fx:EURUSD`)).toBe(1);
});
