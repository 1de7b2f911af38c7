/**
 * The REST facade's routes over HTTP, each answer checked against the app's OpenAPI document
 * (./rest-client.ts): auth and MFA, sessions, tokens, PUT portfolio and investment, rebalance,
 * transactions, alerts, market data; `?sort=`, v2 cursors on every kind of list, Accept-Version.
 */
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, uniqueEmail } from './auth.js';
import { createPortfolio, seedMarketAssets } from './portfolios.js';
import { restClient } from './rest-client.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser } from './users.js';

const t = useTestApp();
const call = restClient(t);

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; mfaEnabled: boolean };
}

describe('auth over REST', () => {
  it('register, login, refresh (rotation and reuse), me, logout', async () => {
    const email = uniqueEmail('rest');
    const registered = await call<Tokens>('POST', '/api/v1/auth/register', { body: { email, name: 'Rest User', password: GOOD_PASSWORD } });
    expect(registered.status).toBe(201);
    expect(registered.body.data!.user.email).toBe(email);

    const short = await call('POST', '/api/v1/auth/register', { body: { email: uniqueEmail(), name: 'x', password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error!.details!.map((d) => d.field)).toContain('password');
    const missing = await call('POST', '/api/v1/auth/register', { body: { email: uniqueEmail(), extra: 1 } });
    expect(missing.status).toBe(400);
    expect(missing.body.error!.details!.map((d) => d.field).sort()).toEqual(['extra', 'name', 'password']);

    const wrong = await call('POST', '/api/v1/auth/login', { body: { email, password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error!.code).toBe('UNAUTHENTICATED');
    const login = await call<Tokens & { __typename: string }>('POST', '/api/v1/auth/login', { body: { email, password: GOOD_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.data!.__typename).toBe('AuthPayload');

    const me = await call<{ email: string }>('GET', '/api/v1/auth/me', { token: login.body.data!.accessToken });
    expect(me.body.data!.email).toBe(email);

    const refreshed = await call<Tokens>('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.data!.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data!.refreshToken).not.toBe(login.body.data!.refreshToken);
    // Within 30 s the same token answers the same pair (tabs); later it is reuse.
    const tab = await call<Tokens>('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.data!.refreshToken } });
    expect(tab.body.data!.refreshToken).toBe(refreshed.body.data!.refreshToken);
    await t.app.services.db.refreshToken.updateMany({ where: { usedAt: { not: null } }, data: { usedAt: new Date(Date.now() - 31_000) } });
    const reused = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.data!.refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error!.code).toBe('TOKEN_REUSED');

    const other = await call<Tokens>('POST', '/api/v1/auth/login', { body: { email, password: GOOD_PASSWORD } });
    const out = await call('POST', '/api/v1/auth/logout', { token: other.body.data!.accessToken, body: {} });
    expect(out.body).toMatchObject({ success: true, data: { loggedOut: true } });
    expect((await call('GET', '/api/v1/auth/me', { token: other.body.data!.accessToken })).status).toBe(401);
  });

  it('MFA setup and verify, then a sign-in answers a challenge finished at /auth/login/mfa; an API token cannot set MFA up', async () => {
    const email = uniqueEmail('mfa');
    const registered = await call<Tokens>('POST', '/api/v1/auth/register', { body: { email, name: 'Mfa', password: GOOD_PASSWORD } });
    const token = registered.body.data!.accessToken;

    const created = await call<{ token: string }>('POST', '/api/v1/tokens', { token, body: { name: 'script', scopes: ['WRITE'] } });
    expect(created.status).toBe(201);
    const refused = await call('POST', '/api/v1/auth/mfa/setup', { token: created.body.data!.token, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error!.code).toBe('FORBIDDEN');

    const setup = await call<{ secret: string; otpauthUrl: string }>('POST', '/api/v1/auth/mfa/setup', { token, body: {} });
    expect(setup.status).toBe(200);
    expect(setup.body.data!.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const bad = await call('POST', '/api/v1/auth/mfa/verify', { token, body: { code: '000000' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error!.code).toBe('INVALID_MFA_CODE');
    const verified = await call<{ backupCodes: string[] }>('POST', '/api/v1/auth/mfa/verify', {
      token,
      body: { code: await generate({ secret: setup.body.data!.secret }) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.data!.backupCodes).toHaveLength(10);

    const login = await call<{ __typename: string; challengeToken: string }>('POST', '/api/v1/auth/login', {
      body: { email, password: GOOD_PASSWORD },
    });
    expect(login.body.data!.__typename).toBe('MfaChallenge');
    const finished = await call<Tokens>('POST', '/api/v1/auth/login/mfa', {
      body: { challengeToken: login.body.data!.challengeToken, code: verified.body.data!.backupCodes[0] },
    });
    expect(finished.status).toBe(200);
    expect(finished.body.data!.user.mfaEnabled).toBe(true);
  });

  it('GET /auth/sessions pages and sorts; DELETE /auth/sessions/:id ends one at once; NOT_FOUND for others', async () => {
    const email = uniqueEmail('sessions');
    await call('POST', '/api/v1/auth/register', { body: { email, name: 'S', password: GOOD_PASSWORD } });
    const logins: Tokens[] = [];
    for (let i = 0; i < 3; i++) {
      logins.push((await call<Tokens>('POST', '/api/v1/auth/login', { body: { email, password: GOOD_PASSWORD } })).body.data!);
    }
    const token = logins[0]!.accessToken;
    const page = await call<Array<{ id: string; createdAt: string; current: boolean }>>(
      'GET',
      '/api/v1/auth/sessions?limit=2&sort=createdAt',
      { token },
    );
    expect(page.body.pagination).toEqual({ page: 1, limit: 2, total: 4, totalPages: 2, hasMore: true });
    const created = page.body.data!.map((s) => s.createdAt);
    expect(created).toEqual([...created].sort());
    const descending = await call<Array<{ createdAt: string }>>('GET', '/api/v1/auth/sessions?limit=4&sort=-createdAt', { token });
    const all = descending.body.data!.map((s) => s.createdAt);
    expect(all).toEqual([...all].sort().reverse());
    const unknownSort = await call('GET', '/api/v1/auth/sessions?sort=password', { token });
    expect(unknownSort.status).toBe(400);
    expect(unknownSort.body.error).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'sort' }] });

    // v2 over a plain list: offset cursors.
    const first = await call<Array<{ id: string }>>('GET', '/api/v2/auth/sessions?first=3', { token });
    expect(first.body.pageInfo!.hasNextPage).toBe(true);
    expect(first.body.totalCount).toBe(4);
    const rest = await call<Array<{ id: string }>>('GET', `/api/v2/auth/sessions?first=3&after=${first.body.pageInfo!.endCursor}`, {
      token,
    });
    expect(rest.body.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
    expect(new Set([...first.body.data!, ...rest.body.data!].map((s) => s.id)).size).toBe(4);
    expect((await call('GET', '/api/v2/auth/sessions?after=bm9wZQ', { token })).status).toBe(400);

    const victim = page.body.data!.find((s) => !s.current)!;
    const revoked = await call('DELETE', `/api/v1/auth/sessions/${victim.id}`, { token });
    expect(revoked.body).toMatchObject({ success: true, data: { revoked: true } });
    const stranger = await createTestUser(t);
    const theirs = await call('DELETE', `/api/v1/auth/sessions/${page.body.data!.find((s) => s.current)!.id}`, { token: stranger.token });
    expect(theirs.status).toBe(404);
  });
});

describe('portfolios, investments and analytics over REST', () => {
  it('PUT a portfolio and an investment; an investment of another portfolio is NOT_FOUND under this one', async () => {
    await seedMarketAssets(t);
    const owner = await createTestUser(t);
    const viewer = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner, { name: 'Before' });
    const other = await createPortfolio(t, owner, { name: 'Other' });
    await call('POST', `/api/v1/portfolios/${portfolio.id}/share`, {
      token: owner.token,
      body: { email: viewer.email, permission: 'VIEW' },
    });

    const renamed = await call('PUT', `/api/v1/portfolios/${portfolio.id}`, {
      token: owner.token,
      body: { name: 'After', description: 'd' },
    });
    expect(renamed.body).toMatchObject({ success: true, data: { name: 'After', description: 'd' } });
    const byViewer = await call('PUT', `/api/v1/portfolios/${portfolio.id}`, { token: viewer.token, body: { name: 'Nope' } });
    expect(byViewer.status).toBe(403);
    const typo = await call('PUT', `/api/v1/portfolios/${portfolio.id}`, { token: owner.token, body: { nmae: 'x', isPublic: 'yes' } });
    expect(typo.status).toBe(400);
    expect(typo.body.error!.details!.map((d) => d.field).sort()).toEqual(['isPublic', 'nmae']);

    const added = await call<{ id: string }>('POST', `/api/v1/portfolios/${portfolio.id}/investments`, {
      token: owner.token,
      // A number for a Decimal is taken as its text.
      body: { symbol: 'AAPL', quantity: 10, purchasePrice: '150', purchaseDate: '2024-03-15' },
    });
    expect(added.status).toBe(201);
    const id = added.body.data!.id;
    const changed = await call('PUT', `/api/v1/portfolios/${portfolio.id}/investments/${id}`, {
      token: owner.token,
      body: { quantity: '12', notes: 'topped up' },
    });
    expect(changed.body).toMatchObject({ success: true, data: { id, quantity: '12', notes: 'topped up', costBasis: '1800' } });
    const elsewhere = await call('PUT', `/api/v1/portfolios/${other.id}/investments/${id}`, {
      token: owner.token,
      body: { quantity: '1' },
    });
    expect(elsewhere.status).toBe(404);
    expect((await call('DELETE', `/api/v1/portfolios/${other.id}/investments/${id}`, { token: owner.token })).status).toBe(404);

    const list = await call<Array<{ id: string }>>('GET', `/api/v1/portfolios/${portfolio.id}/investments?sort=-quantity`, {
      token: viewer.token,
    });
    expect(list.body.data!.map((i) => i.id)).toEqual([id]);
    const v2 = await call('GET', `/api/v2/portfolios/${portfolio.id}/investments?first=1`, { token: owner.token });
    expect(v2.body).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
  });

  it('rebalance with ?targets=, holdings, and typed query parameters', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    for (const symbol of ['AAPL', 'MSFT']) {
      await call('POST', `/api/v1/portfolios/${portfolio.id}/investments`, {
        token: user.token,
        body: { symbol, quantity: '10', purchasePrice: '100', purchaseDate: '2024-01-02' },
      });
    }
    const plan = await call<{ trades: Array<{ symbol: string }>; dimension: string; driftTolerance: number }>(
      'GET',
      `/api/v1/portfolios/${portfolio.id}/rebalance?targets=AAPL:0.8,MSFT:0.2&driftTolerance=0.01`,
      { token: user.token },
    );
    expect(plan.status).toBe(200);
    expect(plan.body.data).toMatchObject({ dimension: 'SYMBOL', driftTolerance: 0.01 });
    expect(plan.body.data!.trades.map((trade) => trade.symbol).sort()).toEqual(['AAPL', 'MSFT']);
    const noTargets = await call('GET', `/api/v1/portfolios/${portfolio.id}/rebalance`, { token: user.token });
    expect(noTargets.status).toBe(400);
    expect(noTargets.body.error!.details).toEqual([{ field: 'targets', message: expect.any(String) }]);
    const badTargets = await call('GET', `/api/v1/portfolios/${portfolio.id}/rebalance?targets=AAPL`, { token: user.token });
    expect(badTargets.body.error).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'targets' }] });
    const badTolerance = await call('GET', `/api/v1/portfolios/${portfolio.id}/rebalance?targets=AAPL:1&driftTolerance=lots`, {
      token: user.token,
    });
    expect(badTolerance.body.error!.details).toEqual([{ field: 'driftTolerance', message: 'must be number' }]);
    const badDimension = await call('GET', `/api/v1/portfolios/${portfolio.id}/allocation?by=COLOUR`, { token: user.token });
    expect(badDimension.body.error!.details![0]!.field).toBe('by');
    const unknownParameter = await call('GET', `/api/v1/portfolios/${portfolio.id}/allocation?colour=red`, { token: user.token });
    expect(unknownParameter.body.error!.details).toEqual([{ field: 'colour', message: 'is not a known field' }]);

    const holdings = await call<Array<{ symbol: string; quantity: string }>>('GET', `/api/v1/portfolios/${portfolio.id}/holdings`, {
      token: user.token,
    });
    expect(holdings.body.data!.map((h) => [h.symbol, h.quantity]).sort()).toEqual([
      ['AAPL', '10'],
      ['MSFT', '10'],
    ]);
  });

  it('v1 pages past the first 100 items of a connection; v1 list routes carry Deprecation, others not', async () => {
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    await t.app.services.db.portfolioActivity.createMany({
      data: Array.from({ length: 130 }, (_, i) => ({
        portfolioId: portfolio.id,
        userId: user.id,
        action: 'PORTFOLIO_UPDATED',
        details: { n: i },
        createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
      })),
    });
    const page = await call<Array<{ createdAt: string }>>('GET', `/api/v1/portfolios/${portfolio.id}/activity?page=6&limit=25`, {
      token: user.token,
    });
    expect(page.status).toBe(200);
    expect(page.body.pagination).toEqual({ page: 6, limit: 25, total: 131, totalPages: 6, hasMore: false });
    expect(page.body.data).toHaveLength(6);
    const oldestFirst = await call<Array<{ action: string; createdAt: string }>>(
      'GET',
      `/api/v1/portfolios/${portfolio.id}/activity?limit=3&sort=createdAt`,
      { token: user.token },
    );
    expect(oldestFirst.body.data!.map((a) => a.createdAt)).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T00:01:00.000Z',
      '2024-01-01T00:02:00.000Z',
    ]);
    expect(page.headers.deprecation).toMatch(/^@\d+$/);
    const single = await call('GET', `/api/v1/portfolios/${portfolio.id}`, { token: user.token });
    expect(single.headers.deprecation).toBeUndefined();
    const tooDeep = await call('GET', `/api/v1/portfolios/${portfolio.id}/activity?page=11&limit=100`, { token: user.token });
    expect(tooDeep.body.error!.details![0]!.field).toBe('page');
  });
});

describe('transactions, alerts, tokens and market data over REST', () => {
  it('transactions: record, list with a filter, update, delete; another portfolio’s transaction is NOT_FOUND', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    const other = await createPortfolio(t, user);
    const buy = await call<{ id: string; amount: string }>('POST', `/api/v1/portfolios/${portfolio.id}/transactions`, {
      token: user.token,
      body: { type: 'BUY', symbol: 'AAPL', quantity: '4', price: '100', date: '2024-02-01' },
    });
    expect(buy.status).toBe(201);
    expect(buy.body.data!.amount).toBe('400');
    await call('POST', `/api/v1/portfolios/${portfolio.id}/transactions`, {
      token: user.token,
      body: { type: 'SELL', symbol: 'AAPL', quantity: '1', price: '120', date: '2024-03-01' },
    });
    const sells = await call<Array<{ type: string }>>('GET', `/api/v1/portfolios/${portfolio.id}/transactions?types=SELL`, {
      token: user.token,
    });
    expect(sells.body.data!.map((x) => x.type)).toEqual(['SELL']);
    const both = await call<Array<{ type: string }>>('GET', `/api/v1/portfolios/${portfolio.id}/transactions?types=SELL,BUY&sort=date`, {
      token: user.token,
    });
    expect(both.body.data!.map((x) => x.type)).toEqual(['BUY', 'SELL']);
    const oversell = await call('POST', `/api/v1/portfolios/${portfolio.id}/transactions`, {
      token: user.token,
      body: { type: 'SELL', symbol: 'AAPL', quantity: '99', price: '1', date: '2024-03-02' },
    });
    expect(oversell.status).toBe(400);

    const id = buy.body.data!.id;
    const updated = await call('PUT', `/api/v1/portfolios/${portfolio.id}/transactions/${id}`, {
      token: user.token,
      body: { type: 'BUY', symbol: 'AAPL', quantity: '5', price: '100', date: '2024-02-01' },
    });
    expect(updated.body).toMatchObject({ success: true, data: { quantity: '5' } });
    expect((await call('DELETE', `/api/v1/portfolios/${other.id}/transactions/${id}`, { token: user.token })).status).toBe(404);
    const stranger = await createTestUser(t);
    expect((await call('GET', `/api/v1/portfolios/${portfolio.id}/transactions`, { token: stranger.token })).status).toBe(404);
  });

  it('transactions/import: a file added to the portfolio, a dry run, and the same file again skipped', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    const data = 'date,type,symbol,quantity,price,currency\n2024-01-02,BUY,AAPL,3,100,USD\n2024-01-02,BUY,AAPL,3,100,USD\n';
    const url = `/api/v1/portfolios/${portfolio.id}/transactions/import`;
    const dry = await call<{ format: string; added: number }>('POST', url, {
      token: user.token,
      body: { data, format: 'AUTO', dryRun: true },
    });
    expect(dry.body, JSON.stringify(dry.body)).toMatchObject({ data: { format: 'FOLIOGRAPH_CSV', added: 2, skipped: 0 } });
    const first = await call('POST', url, { token: user.token, body: { data, format: 'AUTO' } });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ added: 2, skipped: 0 });
    const again = await call('POST', url, { token: user.token, body: { data, format: 'FOLIOGRAPH_CSV' } });
    expect(again.body.data).toMatchObject({ added: 0, skipped: 2, transactions: [] });
    const bad = await call('POST', url, { token: user.token, body: { data: 'date,type\n2024-01-02,GIFT\n', format: 'AUTO' } });
    expect(bad.status).toBe(400);
  });

  it('alerts: create, list, delete', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const created = await call<{ id: string; threshold: string }>('POST', '/api/v1/alerts', {
      token: user.token,
      body: { condition: 'PRICE_ABOVE', symbol: 'AAPL', threshold: '500' },
    });
    expect(created.status).toBe(201);
    expect(created.body.data!.threshold).toBe('500');
    const listed = await call<Array<{ id: string }>>('GET', '/api/v2/alerts', { token: user.token });
    expect(listed.body.data!.map((a) => a.id)).toEqual([created.body.data!.id]);
    expect(listed.body.pageInfo!.hasNextPage).toBe(false);
    const deleted = await call('DELETE', `/api/v1/alerts/${created.body.data!.id}`, { token: user.token });
    expect(deleted.body).toMatchObject({ success: true, data: { deleted: true } });
  });

  it('tokens: create (secret once), list, revoke; the revoked token is refused at once', async () => {
    const user = await createTestUser(t);
    const created = await call<{ token: string; apiToken: { id: string } }>('POST', '/api/v1/tokens', {
      token: user.token,
      body: { name: 'ci', scopes: ['READ'], expiresInDays: 7 },
    });
    const secret = created.body.data!.token;
    expect(secret).toMatch(/^fg_/);
    const listed = await call<Array<{ id: string; prefix: string }>>('GET', '/api/v1/tokens', { token: secret });
    expect(listed.body.data).toEqual([expect.objectContaining({ id: created.body.data!.apiToken.id, prefix: secret.slice(0, 9) })]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const revoked = await call('DELETE', `/api/v1/tokens/${created.body.data!.apiToken.id}`, { token: user.token });
    expect(revoked.body).toMatchObject({ success: true, data: { revoked: true } });
    expect((await call('GET', '/api/v1/tokens', { token: secret })).status).toBe(401);
  });

  it('market: quotes (GET and POST), historical, fundamentals, news, search; unknown symbols are 404', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const token = user.token;
    const quotes = await call<Array<{ symbol: string }>>('GET', '/api/v1/market/quotes?symbols=MSFT,AAPL', { token });
    expect(quotes.body.data!.map((q) => q.symbol)).toEqual(['MSFT', 'AAPL']);
    const unknown = await call('GET', '/api/v1/market/quotes?symbols=MSFT,NOPE', { token });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('unknown symbol NOPE');
    const posted = await call<Array<{ symbol: string }>>('POST', '/api/v1/market/quotes', { token, body: { symbols: ['AAPL'] } });
    expect(posted.body.data!.map((q) => q.symbol)).toEqual(['AAPL']);
    const history = await call<Array<{ date: string; close: string }>>(
      'GET',
      '/api/v1/market/historical/AAPL?from=2024-01-01&to=2024-01-31&interval=WEEK',
      { token },
    );
    expect(history.status).toBe(200);
    expect(history.body.data!.length).toBeGreaterThanOrEqual(4);
    const noRange = await call('GET', '/api/v1/market/historical/AAPL', { token });
    expect(noRange.body.error!.details!.map((d) => d.field).sort()).toEqual(['from', 'to']);
    const badDate = await call('GET', '/api/v1/market/historical/AAPL?from=2024-13-01&to=2024-01-31', { token });
    expect(badDate.body.error!.details![0]!.field).toBe('from');
    const fundamentals = await call<{ symbol: string; name: string }>('GET', '/api/v1/market/fundamentals/AAPL', { token });
    expect(fundamentals.body.data).toMatchObject({ symbol: 'AAPL', name: 'Apple Inc.' });
    expect((await call('GET', '/api/v1/market/fundamentals/NOPE', { token })).status).toBe(404);
    expect((await call('GET', '/api/v1/market/quote/NOPE', { token })).status).toBe(404);
    const news = await call<Array<{ title: string }>>('GET', '/api/v1/market/news?symbols=AAPL&first=3', { token });
    expect(news.status).toBe(200);
    expect(news.body.data!.length).toBeLessThanOrEqual(3);
    const search = await call<Array<{ symbol: string }>>('GET', '/api/v1/market/search?q=micro', { token });
    expect(search.body.data!.map((s) => s.symbol)).toContain('MSFT');
  });
});

describe('Accept-Version on every route', () => {
  it('/api/... answers as v1 by default, v2 on request, and refuses an unknown version', async () => {
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user, { name: 'Negotiated' });
    const v1 = await call('GET', `/api/portfolios/${portfolio.id}`, { token: user.token });
    expect(v1.body).toMatchObject({ success: true, data: { name: 'Negotiated' } });
    expect(v1.headers['content-version']).toBe('1');
    expect(v1.headers.vary).toContain('Accept-Version');
    const v2 = await call('GET', `/api/portfolios/${portfolio.id}/activity?first=1`, {
      token: user.token,
      headers: { 'accept-version': '2' },
    });
    expect(v2.headers['content-version']).toBe('2');
    expect(v2.body.pageInfo).toBeDefined();
    const v1Activity = await call('GET', `/api/portfolios/${portfolio.id}/activity?sort=-createdAt`, {
      token: user.token,
      headers: { 'accept-version': '1' },
    });
    expect(v1Activity.body.pagination).toMatchObject({ total: 1 });
    const sortOnV2 = await call('GET', `/api/portfolios/${portfolio.id}/activity?sort=createdAt`, {
      token: user.token,
      headers: { 'accept-version': '2' },
    });
    expect(sortOnV2.body.error!.details).toEqual([{ field: 'sort', message: 'is not a parameter of version 2' }]);
    const created = await call('POST', '/api/portfolios', {
      token: user.token,
      body: { name: 'Via /api' },
      headers: { 'accept-version': 'v2' },
    });
    expect(created.status).toBe(201);
    const unknown = await call('DELETE', `/api/portfolios/${portfolio.id}`, { token: user.token, headers: { 'accept-version': '3' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error!.details).toEqual([{ field: 'Accept-Version', message: 'must be 1 or 2' }]);
    expect((await call('GET', `/api/portfolios/${portfolio.id}`, { token: user.token })).status).toBe(200);
  });
});
