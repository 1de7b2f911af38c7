import { describe, expect, it } from 'vitest';
import { from } from './auth.js';
import { errorCode, type TestApp } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser } from './users.js';
import { REST_ROUTE_COST } from '../src/rest/index.js';

// Two instances sharing one database and one Redis prefix: replicas drawing on one budget.
const BUDGET = 40;
const a = useTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_COST_PER_MINUTE: String(BUDGET) } });
const b = useTestApp(() => ({
  env: { TRUST_PROXY: '1', RATE_LIMIT_COST_PER_MINUTE: String(BUDGET) },
  database: a.database,
  redisPrefix: a.config.REDIS_PREFIX,
}));

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

describe('REST routes draw on the same budget, at a fixed cost per route', () => {
  const rest = (t: TestApp, url: string, token: string) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const remaining = (response: { headers: Record<string, unknown> }) => Number(response.headers['ratelimit-remaining']);

  it('each route costs its fixed cost on either replica, shared with GraphQL; spent, it answers 429 with Retry-After and RateLimit-*', async () => {
    const user = await createTestUser(a);
    const me = await rest(a, '/api/v1/auth/me', user.token);
    expect(me.statusCode).toBe(200);
    expect(me.headers['ratelimit-limit']).toBe(String(BUDGET));
    expect(remaining(me)).toBe(BUDGET - REST_ROUTE_COST.read);
    const sessions = await rest(b, '/api/v1/auth/sessions', user.token);
    expect(remaining(sessions)).toBe(BUDGET - REST_ROUTE_COST.read - REST_ROUTE_COST.list);
    const graphql = await a.gql(ME, {}, { token: user.token });
    const left = remaining(graphql);
    expect(left).toBeLessThan(BUDGET - REST_ROUTE_COST.read - REST_ROUTE_COST.list);
    expect(left).toBeLessThan(REST_ROUTE_COST.list);

    // A list no longer fits; the refusal costs nothing, so a cheaper read still does.
    const refused = await rest(b, '/api/v1/auth/sessions', user.token);
    expect(refused.statusCode).toBe(429);
    const body = refused.json() as { success: boolean; error: { code: string; retryAfter: number } };
    expect(body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
    expect(body.error.retryAfter).toBeGreaterThan(0);
    expect(refused.headers['retry-after']).toBe(String(body.error.retryAfter));
    expect(refused.headers['ratelimit-limit']).toBe(String(BUDGET));
    expect(remaining(refused)).toBe(left);
    expect(Number(refused.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(left).toBeGreaterThanOrEqual(REST_ROUTE_COST.read);
    const cheaper = await rest(a, '/api/v1/auth/me', user.token);
    expect(cheaper.statusCode).toBe(200);
    expect(remaining(cheaper)).toBe(left - REST_ROUTE_COST.read);
    // And GraphQL is refused too once the shared budget is spent.
    let last = await a.gql(ME, {}, { token: user.token });
    for (let i = 0; i < BUDGET && last.status === 200; i++) last = await b.gql(ME, {}, { token: user.token });
    expect(last.status).toBe(429);
    expect((await rest(a, '/api/v1/auth/me', user.token)).statusCode).toBe(429);
  });
});
