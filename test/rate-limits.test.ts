import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { from } from './auth.js';
import { errorCode, startTestApp, type TestApp } from './harness.js';
import { createTestUser } from './users.js';

// Two instances sharing one database and one Redis prefix: replicas drawing on one budget.
const BUDGET = 40;
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_COST_PER_MINUTE: String(BUDGET) } });
  b = await startTestApp({
    env: { TRUST_PROXY: '1', RATE_LIMIT_COST_PER_MINUTE: String(BUDGET) },
    database: a.database,
    redisPrefix: a.config.REDIS_PREFIX,
  });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const ME = `{ me { id email } }`;

describe('API-wide request budget', () => {
  it('charges each operation its complexity, shared by replicas, then answers 429 RATE_LIMITED with headers', async () => {
    const user = await createTestUser(a);
    const first = await a.gql(ME, {}, { token: user.token });
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe(String(BUDGET));
    const cost = BUDGET - Number(first.headers['ratelimit-remaining']);
    expect(cost).toBeGreaterThan(0);
    const reset = Number(first.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60);

    // The other replica sees what this one spent.
    const second = await b.gql(ME, {}, { token: user.token });
    expect(Number(second.headers['ratelimit-remaining'])).toBe(BUDGET - 2 * cost);

    let last = second;
    for (let i = 0; i < BUDGET && last.status === 200; i++) last = await (i % 2 ? a : b).gql(ME, {}, { token: user.token });
    expect(last.status).toBe(429);
    expect(errorCode(last)).toBe('RATE_LIMITED');
    const retryAfter = last.errors![0]!.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(last.headers['retry-after']).toBe(String(retryAfter));
    expect(last.headers['ratelimit-remaining']).toBeDefined();
    expect(Number(last.headers['ratelimit-remaining'])).toBeLessThan(cost);

    // Another user has a budget of their own.
    const other = await createTestUser(a);
    expect((await b.gql(ME, {}, { token: other.token })).status).toBe(200);
  });

  it('a costlier operation spends more; anonymous callers are counted per IP', async () => {
    const cheap = await a.gql(`{ version }`, {}, from('198.51.100.20'));
    const cheapCost = BUDGET - Number(cheap.headers['ratelimit-remaining']);
    const dearer = await a.gql(`{ version me { id email name } a: version b: version }`, {}, from('198.51.100.21'));
    const dearerCost = BUDGET - Number(dearer.headers['ratelimit-remaining']);
    expect(dearerCost).toBeGreaterThan(cheapCost);
  });
});
