import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { SlidingWindowLimiter } from './rate-limit.js';

let redis: Redis;
const prefix = `test:${randomBytes(5).toString('hex')}:`;
beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

let n = 0;
const limiter = (limit: number, windowMs: number) => new SlidingWindowLimiter(redis, prefix, { name: `rule${n++}`, limit, windowMs });

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('SlidingWindowLimiter', () => {
  it('allows `limit` events per window, then RATE_LIMITED with the seconds until a slot frees', async () => {
    const rule = limiter(3, 60_000);
    for (let i = 0; i < 3; i++) await rule.reserve(['a']);
    const error = await refusal(rule.reserve(['a']));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.extensions.retryAfter).toBeGreaterThanOrEqual(59);
    expect(error.extensions.retryAfter).toBeLessThanOrEqual(60);
    // Another subject has its own budget.
    await rule.reserve(['b']);
    // The key expires with the window: nothing is left behind.
    expect(await redis.pttl(rule.key('a'))).toBeGreaterThan(59_000);
  });

  it('slides: events leave the window one by one', async () => {
    const rule = limiter(2, 1000);
    await rule.reserve(['s']);
    await new Promise((r) => setTimeout(r, 600));
    await rule.reserve(['s']);
    await refusal(rule.reserve(['s']));
    // At ~1.1 s the first event has left the window; the second (at 0.6 s) stays until 1.6 s.
    await new Promise((r) => setTimeout(r, 500));
    await rule.reserve(['s']);
    await refusal(rule.reserve(['s']));
  });

  it('released reservations do not count', async () => {
    const rule = limiter(2, 60_000);
    for (let i = 0; i < 10; i++) await (await rule.reserve(['r'])).release();
    await rule.reserve(['r']);
    await rule.reserve(['r']);
    await refusal(rule.reserve(['r']));
  });

  it('is atomic: of 40 concurrent attempts exactly `limit` get through', async () => {
    const rule = limiter(5, 60_000);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => rule.reserve(['c'])));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect(await redis.zcard(rule.key('c'))).toBe(5);
  });

  it('checks several subjects as one: all are recorded, or none', async () => {
    const rule = limiter(2, 60_000);
    await rule.reserve(['account', 'ip-1']);
    await rule.reserve(['account', 'ip-2']);
    await refusal(rule.reserve(['account', 'ip-3']));
    expect(await redis.zcard(rule.key('ip-3'))).toBe(0);
    await rule.reserve([null, 'ip-3']); // a missing subject (no IP known) is skipped
    expect(await redis.zcard(rule.key('ip-3'))).toBe(1);
  });
});
