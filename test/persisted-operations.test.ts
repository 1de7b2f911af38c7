/**
 * Persisted operations over HTTP: Apollo's APQ protocol step by step (hash only → not found →
 * hash and query → registered in Redis → hash only runs, on another replica too), and the
 * production option TRUSTED_DOCUMENTS=only, which runs the SDK's own operations and nothing else.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MeDocument, ServerVersionDocument } from '../schema/sdk/graphql.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import type { TestApp } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser } from './users.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function post(t: TestApp, body: unknown, headers: Record<string, string> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    body: response.json() as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string } }> },
    headers: response.headers,
  };
}

describe('automatic persisted queries (Apollo protocol), shared by replicas', () => {
  const a = useTestApp();
  const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX }));

  it('answers an unknown hash PersistedQueryNotFound, registers it with the query, then runs it by hash everywhere', async () => {
    const user = await createTestUser(a);
    const signedIn = { authorization: `Bearer ${user.token}` };
    const query = `query Apq${Date.now()} { version }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const miss = await post(a, { extensions });
    expect(miss.status).toBe(200);
    expect(miss.body.errors).toEqual([
      expect.objectContaining({
        message: 'PersistedQueryNotFound',
        extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
      }),
    ]);
    expect(miss.headers['cache-control']).toContain('no-cache');

    const register = await post(a, { query, extensions }, signedIn);
    expect(register.body).toEqual({ data: { version: expect.any(String) } });
    const ttl = await a.app.services.redis.ttl(`${a.config.REDIS_PREFIX}apq:${sha256(query)}`);
    expect(ttl).toBeGreaterThan(24 * 3600);

    // The other replica never saw the query: it finds it in Redis.
    expect((await post(b, { extensions })).body).toEqual({ data: { version: expect.any(String) } });
    // And by GET, as Apollo's useGETForHashedQueries sends it.
    const get = await b.app.inject({ method: 'GET', url: `/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}` });
    expect(get.json()).toEqual({ data: { version: expect.any(String) } });
  });

  it('registers nothing for an anonymous caller: the retry runs, the hash stays unknown', async () => {
    const query = `query Anonymous${Date.now()} { version }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    for (const [app, headers] of [
      [a, {}],
      [b, {}],
    ] as const) {
      expect((await post(app, { query: `${query} ${'#'.repeat(50_000)}`, extensions }, headers)).status).toBe(400);
      expect((await post(app, { query, extensions }, headers)).body).toEqual({ data: { version: expect.any(String) } });
      const get = await app.app.inject({
        method: 'GET',
        url: `/graphql?query=${encodeURIComponent(query)}&extensions=${encodeURIComponent(JSON.stringify(extensions))}`,
        headers,
      });
      expect(get.json()).toEqual({ data: { version: expect.any(String) } });
    }
    expect(await a.app.services.redis.exists(`${a.config.REDIS_PREFIX}apq:${sha256(query)}`)).toBe(0);
    expect((await post(a, { extensions })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a query whose hash does not match, and registers nothing', async () => {
    const wrong = { persistedQuery: { version: 1, sha256Hash: sha256('something else') } };
    const result = await post(a, { query: '{ version }', extensions: wrong });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await a.app.services.redis.exists(`${a.config.REDIS_PREFIX}apq:${sha256('something else')}`)).toBe(0);
  });
});

describe('TRUSTED_DOCUMENTS=only', () => {
  const t = useTestApp({ env: { TRUSTED_DOCUMENTS: 'only' } });
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'schema', 'sdk', 'persisted-documents.json'), 'utf8')) as Record<
    string,
    string
  >;

  it('runs the SDK operations by their manifest hash, by the hash of the printed document, or by their text', async () => {
    const [hash] = Object.entries(manifest).find(([, doc]) => doc.startsWith('query ServerVersion'))!;
    const byManifest = await post(t, { extensions: { persistedQuery: { version: 1, sha256Hash: hash.replace(/^sha256:/, '') } } });
    expect(byManifest.body).toEqual({ data: { version: expect.any(String) } });
    const byDocumentId = await post(t, { documentId: hash });
    expect(byDocumentId.body).toEqual({ data: { version: expect.any(String) } });
    const printed = print(ServerVersionDocument);
    expect((await post(t, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(printed) } } })).body.data).toEqual({
      version: expect.any(String),
    });
    expect((await t.gql(ServerVersionDocument)).data).toEqual({ version: expect.any(String) });
    // Clients that add __typename still match.
    const user = await createTestUser(t);
    const me = await t.gql(
      'query Me { __typename me { __typename id email name emailVerified mfaEnabled createdAt lastLoginAt } }',
      {},
      { token: user.token },
    );
    expect(me.errors).toBeUndefined();
    expect(me.data).toMatchObject({ me: { email: user.email } });
    expect(print(MeDocument)).toContain('query Me');
  });

  it('refuses any other operation with 403 FORBIDDEN, and registers none', async () => {
    const other = await post(t, { query: '{ version __typename }' });
    expect(other.status).toBe(403);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const query = '{ version }';
    const apq = await post(t, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(apq.status).toBe(403);
    // An unknown hash is "not found" (APQ clients then send the text, which is refused above).
    const unknown = await post(t, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
