/**
 * Idempotency-Key on mutations (contract, "Transport"): a retried mutation runs once, across
 * replicas, per caller; another body with the key is 422; a retry while the first still runs is
 * 409. Through real HTTP clients (graphql-request, fetch) against two app instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, ClientError } from 'graphql-request';
import pg from 'pg';
import { print } from 'graphql';
import { CreatePortfolioDocument } from '../../schema/sdk/graphql.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser, type TestUser } from '../../test/users.js';

let a: TestApp;
let b: TestApp;
let user: TestUser;
const bases: string[] = [];
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({ database: a.database, redisPrefix: a.config.REDIS_PREFIX });
  for (const t of [a, b]) bases.push(await t.app.listen({ port: 0, host: '127.0.0.1' }));
  user = await createTestUser(a);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const portfolioCount = (ownerId: string) => a.app.services.db.portfolio.count({ where: { ownerId } });

async function createPortfolio(base: string, token: string, name: string, key?: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(key !== undefined && { 'idempotency-key': key }),
    },
    body: JSON.stringify({ query: print(CreatePortfolioDocument), variables: { input: { name } } }),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as any };
}

describe('GraphQL mutations', () => {
  it('a retry with the same key runs once, on any replica, and answers the first response again', async () => {
    const first = await createPortfolio(bases[0]!, user.token, 'Retried', 'key-1');
    expect(first.status).toBe(200);
    expect(first.replayed).toBeNull();
    const again = await createPortfolio(bases[1]!, user.token, 'Retried', 'key-1');
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await portfolioCount(user.id)).toBe(1);

    // graphql-request, as an app would retry it.
    const client = new GraphQLClient(`${bases[1]}/graphql`, {
      headers: { authorization: `Bearer ${user.token}`, 'idempotency-key': 'key-1' },
    });
    const viaClient = await client.request(CreatePortfolioDocument, { input: { name: 'Retried' } });
    expect(viaClient).toEqual(first.body.data);
    expect(await portfolioCount(user.id)).toBe(1);
  });

  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; without a key nothing changes', async () => {
    const other = await createPortfolio(bases[0]!, user.token, 'Something else', 'key-1');
    expect(other.status).toBe(422);
    expect(other.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const before = await portfolioCount(user.id);
    await createPortfolio(bases[0]!, user.token, 'No key');
    await createPortfolio(bases[0]!, user.token, 'No key');
    expect(await portfolioCount(user.id)).toBe(before + 2);
  });

  it('keys are per caller: another user with the same key and body runs their own', async () => {
    const someone = await createTestUser(a);
    const theirs = await createPortfolio(bases[1]!, someone.token, 'Retried', 'key-1');
    expect(theirs.replayed).toBeNull();
    expect(await portfolioCount(someone.id)).toBe(1);
  });

  it('a retry while the first still runs is 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    // Hold the first request inside its transaction with a table lock.
    const locker = new pg.Client({ connectionString: a.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE portfolios IN EXCLUSIVE MODE');
      const first = createPortfolio(bases[0]!, user.token, 'Slow', 'key-slow');
      // The first request has claimed the key once it waits on the lock.
      for (;;) {
        const { rows } = await locker.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'portfolios'::regclass`,
        );
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const second = await createPortfolio(bases[1]!, user.token, 'Slow', 'key-slow');
      expect(second.status).toBe(409);
      expect(second.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      await locker.query('COMMIT');
      expect((await first).status).toBe(200);
      expect((await createPortfolio(bases[1]!, user.token, 'Slow', 'key-slow')).replayed).toBe('true');
    } finally {
      await locker.end();
    }
  });

  it('refuses a key that is not 1-255 printable ASCII characters', async () => {
    const long = await createPortfolio(bases[0]!, user.token, 'x', 'k'.repeat(256));
    expect(long.status).toBe(400);
    expect(long.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('graphql-request surfaces the 422 as a ClientError', async () => {
    const client = new GraphQLClient(`${bases[0]}/graphql`, {
      headers: { authorization: `Bearer ${user.token}`, 'idempotency-key': 'key-1' },
    });
    const error = await client.request(CreatePortfolioDocument, { input: { name: 'Changed' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.status).toBe(422);
  });
});

describe('REST writes', () => {
  it('replay, 422 for another body', async () => {
    const someone = await createTestUser(a);
    const post = (base: string, name: string) =>
      fetch(`${base}/api/v1/portfolios`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${someone.token}`, 'idempotency-key': 'rest-key' },
        body: JSON.stringify({ name }),
      });
    const first = await post(bases[0]!, 'Via REST');
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const again = await post(bases[1]!, 'Via REST');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(await portfolioCount(someone.id)).toBe(1);
    const other = await post(bases[1]!, 'Another');
    expect(other.status).toBe(422);
    expect(((await other.json()) as any).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
