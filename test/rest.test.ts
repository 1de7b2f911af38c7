import { describe, expect, it } from 'vitest';
import { createPortfolio, seedMarketAssets } from './portfolios.js';
import { restClient, type Method } from './rest-client.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser } from './users.js';

const t = useTestApp();

const rest = restClient(t);
const call = (method: Method, url: string, token?: string, payload?: unknown) => rest(method, url, { token, body: payload });

describe('REST facade /api/v1 (first slice)', () => {
  it('POST /api/v1/portfolios creates with the envelope; bad input is 400 with details; anonymous is 401', async () => {
    const user = await createTestUser(t);
    const created = await call('POST', '/api/v1/portfolios', user.token, { name: 'Via REST', baseCurrency: 'EUR' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, data: { name: 'Via REST', baseCurrency: 'EUR', myRole: 'OWNER' } });
    expect(created.body.meta.requestId).toBe(created.headers['x-request-id']);
    expect(Math.abs(Date.parse(created.body.meta.timestamp) - Date.now())).toBeLessThan(60_000);

    const empty = await call('POST', '/api/v1/portfolios', user.token, { name: '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ success: false, error: { code: 'BAD_USER_INPUT' } });
    expect(empty.body.error!.details!.map((d) => d.field)).toContain('name');

    const anonymous = await call('POST', '/api/v1/portfolios', undefined, { name: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error!.code).toBe('UNAUTHENTICATED');
  });

  it('GET /api/v1/portfolios pages with ?page=&limit= and a pagination object', async () => {
    const user = await createTestUser(t);
    for (const name of ['A', 'B', 'C']) await createPortfolio(t, user, { name });
    const first = await call('GET', '/api/v1/portfolios?page=1&limit=2', user.token);
    expect(first.status).toBe(200);
    expect((first.body.data as unknown[]).length).toBe(2);
    expect(first.body.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2, hasMore: true });
    const second = await call('GET', '/api/v1/portfolios?page=2&limit=2', user.token);
    expect((second.body.data as Array<{ name: string }>).map((p) => p.name)).toHaveLength(1);
    expect(second.body.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2, hasMore: false });
    const all = [...(first.body.data as Array<{ name: string }>), ...(second.body.data as Array<{ name: string }>)]
      .map((p) => p.name)
      .sort();
    expect(all).toEqual(['A', 'B', 'C']);
    const bad = await call('GET', '/api/v1/portfolios?page=0&limit=500', user.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.map((d) => d.field)).toEqual(['page', 'limit']);
  });

  it("GET /api/v1/portfolios/:id: the owner's view; 404 for anyone else", async () => {
    const owner = await createTestUser(t);
    const stranger = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner, { name: 'Private' });
    const mine = await call('GET', `/api/v1/portfolios/${portfolio.id}`, owner.token);
    expect(mine.body).toMatchObject({ success: true, data: { id: portfolio.id, name: 'Private' } });
    const theirs = await call('GET', `/api/v1/portfolios/${portfolio.id}`, stranger.token);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('GET /api/v1/market/quote/:symbol, with a READ API token; a READ token cannot POST', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const created = await t.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "rest", scopes: [READ] }) { token } }`,
      {},
      { token: user.token },
    );
    const apiToken = created.data!.createApiToken.token;
    const quote = await call('GET', '/api/v1/market/quote/AAPL', apiToken);
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ success: true, data: { symbol: 'AAPL', source: 'simulated' } });
    expect(Number((quote.body.data as { price: string }).price)).toBeGreaterThan(0);
    const refused = await call('POST', '/api/v1/portfolios', apiToken, { name: 'nope' });
    expect(refused.status).toBe(403);
    expect(refused.body.error!.code).toBe('FORBIDDEN');
  });
});

describe('REST facade /api/v1: investments, allocation, activity, search, sessions', () => {
  it('POST and DELETE /api/v1/portfolios/:id/investments, then allocation and paged activity', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    const added = await call('POST', `/api/v1/portfolios/${portfolio.id}/investments`, user.token, {
      symbol: 'AAPL',
      quantity: '10',
      purchasePrice: '150',
      purchaseDate: '2024-03-15',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ success: true, data: { symbol: 'AAPL', quantity: '10', costBasis: '1500' } });
    const second = await call('POST', `/api/v1/portfolios/${portfolio.id}/investments`, user.token, {
      symbol: 'MSFT',
      quantity: '1',
      purchasePrice: '300',
      purchaseDate: '2024-03-15',
    });
    const badInput = await call('POST', `/api/v1/portfolios/${portfolio.id}/investments`, user.token, {
      symbol: 'AAPL',
      quantity: '-1',
      purchasePrice: '1',
      purchaseDate: '2024-03-15',
    });
    expect(badInput.status).toBe(400);
    expect(badInput.body.error!.code).toBe('BAD_USER_INPUT');

    const allocation = await call('GET', `/api/v1/portfolios/${portfolio.id}/allocation?by=SYMBOL`, user.token);
    expect(allocation.status).toBe(200);
    expect((allocation.body.data as Array<{ key: string }>).map((s) => s.key).sort()).toEqual(['AAPL', 'MSFT']);

    const removed = await call(
      'DELETE',
      `/api/v1/portfolios/${portfolio.id}/investments/${(second.body.data as { id: string }).id}`,
      user.token,
    );
    expect(removed.body).toMatchObject({ success: true, data: { deleted: true } });

    const activity = await call('GET', `/api/v1/portfolios/${portfolio.id}/activity?page=1&limit=2`, user.token);
    expect(activity.body.pagination).toEqual({ page: 1, limit: 2, total: 4, totalPages: 2, hasMore: true });
    expect((activity.body.data as Array<{ action: string }>).map((a) => a.action)).toEqual(['INVESTMENT_REMOVED', 'INVESTMENT_ADDED']);

    const stranger = await createTestUser(t);
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}/activity`, stranger.token)).status).toBe(404);
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}/allocation`, stranger.token)).status).toBe(404);
    // Without ?by= the default dimension (SYMBOL), on every run (graphql-jit compiles the document from its second run on).
    for (let run = 0; run < 3; run++) {
      const byDefault = await call('GET', `/api/v1/portfolios/${portfolio.id}/allocation`, user.token);
      expect((byDefault.body.data as Array<{ key: string }>).map((s) => s.key)).toEqual(['AAPL']);
    }
  });

  it('GET /api/v1/market/search and /api/v1/auth/sessions', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const search = await call('GET', '/api/v1/market/search?q=AAPL', user.token);
    expect((search.body.data as Array<{ symbol: string }>)[0]!.symbol).toBe('AAPL');
    const sessions = await call('GET', '/api/v1/auth/sessions', user.token);
    expect(sessions.body).toMatchObject({ success: true, data: [{ id: user.sessionId, current: true }] });
    expect((await call('GET', '/api/v1/auth/sessions')).status).toBe(401);
  });
});

describe('REST versions', () => {
  it('v2 pages with cursors; Accept-Version picks the version on /api/...; v1 lists carry Deprecation and Sunset', async () => {
    const user = await createTestUser(t);
    for (const name of ['P1', 'P2', 'P3']) await createPortfolio(t, user, { name });
    const first = await call('GET', '/api/v2/portfolios?first=2', user.token);
    expect(first.status).toBe(200);
    const pageInfo = (first.body as unknown as { pageInfo: { hasNextPage: boolean; endCursor: string } }).pageInfo;
    expect(pageInfo.hasNextPage).toBe(true);
    const next = await call('GET', `/api/v2/portfolios?first=2&after=${encodeURIComponent(pageInfo.endCursor)}`, user.token);
    const names = [...(first.body.data as Array<{ name: string }>), ...(next.body.data as Array<{ name: string }>)]
      .map((p) => p.name)
      .sort();
    expect(names).toEqual(['P1', 'P2', 'P3']);
    expect((next.body as unknown as { pageInfo: { hasNextPage: boolean } }).pageInfo.hasNextPage).toBe(false);
    expect(first.body.pagination).toBeUndefined();
    expect(first.headers.deprecation).toBeUndefined();

    const v1 = await call('GET', '/api/v1/portfolios?limit=2', user.token);
    // RFC 9745: the moment v1's lists were deprecated, as a structured-field date.
    expect(String(v1.headers.deprecation)).toMatch(/^@\d+$/);
    expect(v1.headers.link).toBe('</api/v2/portfolios>; rel="successor-version"');
    expect(Date.parse(String(v1.headers.sunset))).toBeGreaterThan(Date.now());

    const negotiated2 = await t.app.inject({
      method: 'GET',
      url: '/api/portfolios?first=1',
      headers: { authorization: `Bearer ${user.token}`, 'accept-version': '2' },
    });
    expect(negotiated2.json()).toHaveProperty('pageInfo');
    expect(negotiated2.headers['content-version']).toBe('2');
    const negotiated1 = await t.app.inject({
      method: 'GET',
      url: '/api/portfolios?limit=1',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(negotiated1.json()).toMatchObject({ pagination: { limit: 1, total: 3 } });
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/portfolios',
      headers: { authorization: `Bearer ${user.token}`, 'accept-version': '7' },
    });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('GET /api/openapi.json is a valid OpenAPI 3.1 document describing the REST routes', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json() as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe('3.1.0');
    const result = await new Validator().validate(spec as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/portfolios', '/api/v2/portfolios', '/api/v1/portfolios/{id}', '/api/v1/market/quote/{symbol}']),
    );
    expect(Object.keys(spec.paths)).not.toContain('/graphql');
  });

  // A JSON Schema, walked by property names below.
  type Schema = { properties: Record<string, Schema> } & Record<string, unknown>;
  type Response = { content?: { 'application/json'?: { schema?: Schema } } };

  it('describes every seed endpoint, with typed parameters and the response schemas of success and error', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>; responses: Record<string, Response> }
        >
      >;
    };
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ id: `${method.toUpperCase()} ${path}`, operation })),
    );
    const seed = [
      'POST /auth/register',
      'POST /auth/login',
      'POST /auth/refresh',
      'POST /auth/logout',
      'POST /auth/mfa/setup',
      'POST /auth/mfa/verify',
      'GET /auth/sessions',
      'DELETE /auth/sessions/{id}',
      'GET /portfolios',
      'POST /portfolios',
      'GET /portfolios/{id}',
      'PUT /portfolios/{id}',
      'DELETE /portfolios/{id}',
      'POST /portfolios/{id}/investments',
      'PUT /portfolios/{id}/investments/{investmentId}',
      'DELETE /portfolios/{id}/investments/{investmentId}',
      'GET /portfolios/{id}/analytics',
      'GET /portfolios/{id}/risk',
      'GET /portfolios/{id}/allocation',
      'GET /portfolios/{id}/rebalance',
      'POST /portfolios/{id}/share',
      'DELETE /portfolios/{id}/share/{userId}',
      'GET /portfolios/{id}/activity',
      'GET /market/quote/{symbol}',
      'GET /market/quotes',
      'GET /market/historical/{symbol}',
      'GET /market/fundamentals/{symbol}',
      'GET /market/news',
      'GET /market/search',
      'GET /portfolios/{id}/transactions',
      'GET /alerts',
      'GET /tokens',
    ];
    const ids = operations.map((o) => o.id);
    for (const endpoint of seed) {
      const [method, path] = endpoint.split(' ');
      expect(ids).toContain(`${method} /api/v1${path}`);
      expect(ids).toContain(`${method} /api/v2${path}`);
    }
    for (const { id, operation } of operations.filter((o) => o.id.includes('/api/v'))) {
      const success = Object.keys(operation.responses).find((status) => status.startsWith('2'));
      expect(operation.responses[success!]?.content?.['application/json']?.schema?.properties?.data, id).toBeDefined();
      expect(operation.responses['4XX']?.content?.['application/json']?.schema?.properties?.error, id).toBeDefined();
    }
    const parameter = (id: string, name: string) =>
      operations.find((o) => o.id === id)!.operation.parameters!.find((p) => p.name === name)!.schema;
    expect(parameter('GET /api/v1/portfolios', 'page')).toMatchObject({ type: 'integer', minimum: 1 });
    expect(parameter('GET /api/v2/portfolios', 'first')).toMatchObject({ type: 'integer', maximum: 100 });
    expect(parameter('GET /api/v1/market/historical/{symbol}', 'from')).toMatchObject({ type: 'string', format: 'date' });
    expect(parameter('GET /api/v1/portfolios/{id}/allocation', 'by')).toMatchObject({ enum: ['CURRENCY', 'SECTOR', 'SYMBOL', 'TYPE'] });
    expect(parameter('GET /api/v1/portfolios/{id}/risk', 'confidence')).toMatchObject({ type: 'number' });
    expect(parameter('GET /api/v1/portfolios/{id}/transactions', 'types')).toMatchObject({ type: 'array' });
    const investment = spec.paths['/api/v1/portfolios/{id}/investments']!.post!.responses['201']!.content!['application/json']!.schema!;
    expect(investment.properties.data!.properties.quantity).toMatchObject({ type: 'string' });
    expect(investment.properties.data!.properties.notes).toMatchObject({ type: ['string', 'null'] });
  });

  it('/api/docs serves the docs page and its assets from the server itself', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
    const bundle = await t.app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });
});

describe('REST facade /api/v1: analytics, risk, share, delete', () => {
  it('analytics and risk of a portfolio with a holding; 404 for strangers', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    await call('POST', `/api/v1/portfolios/${portfolio.id}/investments`, user.token, {
      symbol: 'AAPL',
      quantity: '5',
      purchasePrice: '100',
      purchaseDate: '2024-01-02',
    });
    const analytics = await call('GET', `/api/v1/portfolios/${portfolio.id}/analytics?from=2024-01-02&to=2024-03-01`, user.token);
    expect(analytics.body.error).toBeUndefined();
    expect(analytics.status).toBe(200);
    const performance = analytics.body.data as { from: string; series: unknown[]; timeWeightedReturn: number };
    expect(performance.series.length).toBeGreaterThan(10);
    expect(typeof performance.timeWeightedReturn).toBe('number');
    const risk = await call('GET', `/api/v1/portfolios/${portfolio.id}/risk?from=2024-01-02&to=2024-03-01`, user.token);
    expect(risk.body.error).toBeUndefined();
    expect(risk.status).toBe(200);
    expect((risk.body.data as { observations: number }).observations).toBeGreaterThan(10);
    const badDate = await call('GET', `/api/v1/portfolios/${portfolio.id}/analytics?from=yesterday`, user.token);
    expect(badDate.status).toBe(400);
    const stranger = await createTestUser(t);
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}/risk`, stranger.token)).status).toBe(404);
  });

  it('POST share, DELETE share/:userId, DELETE the portfolio', async () => {
    const owner = await createTestUser(t);
    const friend = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    const shared = await call('POST', `/api/v1/portfolios/${portfolio.id}/share`, owner.token, { email: friend.email, permission: 'VIEW' });
    expect(shared.status).toBe(201);
    expect(shared.body).toMatchObject({ success: true, data: { permission: 'VIEW', user: { id: friend.id } } });
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}`, friend.token)).status).toBe(200);
    const friendDeletes = await call('DELETE', `/api/v1/portfolios/${portfolio.id}`, friend.token);
    expect(friendDeletes.status).toBe(403);
    const unshared = await call('DELETE', `/api/v1/portfolios/${portfolio.id}/share/${friend.id}`, owner.token);
    expect(unshared.body).toMatchObject({ success: true, data: { deleted: true } });
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}`, friend.token)).status).toBe(404);
    const deleted = await call('DELETE', `/api/v1/portfolios/${portfolio.id}`, owner.token);
    expect(deleted.body).toMatchObject({ success: true, data: { deleted: true } });
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}`, owner.token)).status).toBe(404);
  });
});
