/**
 * What a browser app reads of the transport (issue 24's smaller items): the headers its
 * JavaScript may read under CORS, Vary: Accept, a requestId in the body of a request that could
 * not run, REST's own error shape for an unknown /api route, and OpenAPI operationIds for
 * generated clients. Through real HTTP (fetch against a port).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './use-test-app.js';

const t = useTestApp();
let base: string;
beforeAll(async () => {
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

describe('for browser apps', () => {
  it('exposes the rate-limit, deprecation, idempotency and auth headers to cross-origin JavaScript', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    for (const name of [
      'x-request-id',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'deprecation',
      'sunset',
      'idempotent-replayed',
      'www-authenticate',
    ]) {
      expect(exposed, name).toContain(name);
    }
  });

  it('says the GraphQL answer varies with Accept', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(response.headers.get('vary') ?? '').toMatch(/\bAccept\b/i);
  });

  it('puts the requestId in the body of syntax and validation errors', async () => {
    for (const query of ['{ version', '{ noSuchField }']) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { errors: Array<{ extensions: { requestId?: string } }> };
      expect(body.errors[0]!.extensions.requestId, query).toBe(response.headers.get('x-request-id'));
    }
  });

  it('answers an unknown /api route in REST’s error shape', async () => {
    const response = await fetch(`${base}/api/v1/no-such-thing`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { success: boolean; error: { code: string }; meta: { requestId: string } };
    expect(body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    expect(body.meta.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('gives every OpenAPI operation a unique operationId', async () => {
    const spec = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const ids = Object.values(spec.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.every((id) => typeof id === 'string' && /^v[12][A-Z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
