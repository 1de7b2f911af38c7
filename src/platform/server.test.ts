import { describe, expect, it } from 'vitest';
import { ServerVersionDocument } from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';

const t = useTestApp();

describe('the HTTP server', () => {
  it('answers { __typename } over POST and GET', async () => {
    const post = await t.gql('{ __typename }');
    expect(post.status).toBe(200);
    expect(post.data).toEqual({ __typename: 'Query' });
    const get = await t.app.inject({
      method: 'GET',
      url: '/graphql?query=%7B__typename%7D',
    });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('reports health, readiness and metrics', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
    const version = await t.gql(ServerVersionDocument);
    expect(version.data?.version).toMatch(/^\d+\.\d+\.\d+/);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).toMatch(/foliograph_graphql_requests_total\{operation="ServerVersion",type="query",outcome="ok"\} 1/);
    expect(metrics.body).toMatch(/foliograph_graphql_request_duration_seconds_bucket\{le="[^"]+",operation="ServerVersion"/);
  });

  it('serves GraphiQL outside production', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/graphiql' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('answers a malformed query with 400, BAD_USER_INPUT and no stack trace', async () => {
    const result = await t.gql('{ version ');
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toMatch(/stack|at .*\.js/);
    const unknownField = await t.gql('{ nope }');
    expect(unknownField.status).toBe(400);
    expect(unknownField.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it('refuses batched queries', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([{ query: '{ version }' }, { query: '{ version }' }]),
    });
    expect(response.statusCode).toBe(400);
  });

  it('refuses a text/plain POST (CSRF prevention)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ query: '{ version }' }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('"version"');
    // A GET query needs no header: we authenticate by Authorization header, never cookies.
    const simpleGet = await t.app.inject({ method: 'GET', url: '/graphql?query=%7Bversion%7D' });
    expect(simpleGet.statusCode).toBe(200);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes its token verification keys', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const { keys } = response.json() as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });
});
