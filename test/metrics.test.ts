/**
 * Prometheus metrics an operator watches: HTTP requests by route and status, GraphQL operations
 * under bounded names, root mutations, auth events, open sockets and subscriptions, provider
 * breakers, jobs; and /metrics closed in production unless a token or its own port opens it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CreatePortfolioDocument, LiveQuotesDocument, LoginDocument, ServerVersionDocument } from '../schema/sdk/graphql.js';
import { jobMetrics } from '../src/platform/metrics.js';
import { startMetricsServer } from '../src/platform/metrics-server.js';
import { from, registerUser } from './auth.js';
import { startTestApp, type TestApp } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { disposeClients, eventually, listen, subscribe, wsClient } from './ws.js';

const t = useTestApp();
afterEach(disposeClients);

async function scrape(app: TestApp = t, headers: Record<string, string> = {}) {
  return app.app.inject({ method: 'GET', url: '/metrics', headers });
}
/** The value of one sample line, or 0 when the series does not exist. */
function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics', () => {
  it('labels operations only by names the project ships; anything else is "other"', async () => {
    for (let i = 0; i < 40; i++) await t.gql(`query Attacker${i}x${'y'.repeat(200)} { version }`);
    await t.gql(ServerVersionDocument);
    await t.gql('{ version }');
    const { body } = await scrape();
    expect(body).not.toMatch(/Attacker/);
    expect(sample(body, 'foliograph_graphql_requests_total{operation="other",type="query",outcome="ok"}')).toBe(40);
    expect(sample(body, 'foliograph_graphql_requests_total{operation="ServerVersion",type="query",outcome="ok"}')).toBe(1);
    expect(sample(body, 'foliograph_graphql_requests_total{operation="anonymous",type="query",outcome="ok"}')).toBe(1);
    // 40 more unknown names add no series.
    const series = (text: string) => text.split('\n').filter((l) => l.startsWith('foliograph_graphql_request')).length;
    const before = series(body);
    for (let i = 0; i < 40; i++) await t.gql(`query Other${i} { version }`);
    expect(series((await scrape()).body)).toBe(before);
  });

  it('counts HTTP requests by route pattern and status, unknown paths as "unmatched"', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'GET', url: `/no-such-page-${i}` });
    const { body } = await scrape();
    expect(sample(body, 'foliograph_http_requests_total{route="/health",method="GET",status="200"}')).toBe(1);
    expect(sample(body, 'foliograph_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(3);
    expect(body).not.toMatch(/no-such-page/);
    expect(body).toMatch(/foliograph_http_requests_total\{route="\/graphql",method="POST",status="200"\} \d+/);
  });

  it('counts logins, failures, and root mutations by field', async () => {
    const user = await registerUser(t);
    const bad = await t.gql(LoginDocument, { input: { email: user.email, password: 'wrong-password-1' } }, from('203.0.113.9'));
    expect(bad.errors?.length).toBe(1);
    await t.gql(LoginDocument, { input: { email: user.email, password: user.password } }, from('203.0.113.9'));
    const created = await t.gql(CreatePortfolioDocument, { input: { name: 'Metrics' } }, { token: user.auth.accessToken });
    expect(created.errors).toBeUndefined();
    const { body } = await scrape();
    expect(sample(body, 'foliograph_auth_events_total{event="login_failed"}')).toBe(1);
    expect(sample(body, 'foliograph_auth_events_total{event="login_succeeded"}')).toBe(1);
    expect(sample(body, 'foliograph_auth_events_total{event="registered"}')).toBe(1);
    expect(sample(body, 'foliograph_graphql_mutations_total{field="createPortfolio",outcome="ok"}')).toBe(1);
    expect(sample(body, 'foliograph_graphql_mutations_total{field="login",outcome="error"}')).toBe(1);
    expect(sample(body, 'foliograph_graphql_mutations_total{field="login",outcome="ok"}')).toBe(1);
  });

  it('reports open WebSockets and subscriptions, and provider breaker states', async () => {
    const user = await registerUser(t);
    const url = await listen(t);
    const client = wsClient(url, user.auth.accessToken);
    const live = subscribe(client, LiveQuotesDocument, { symbols: ['AAPL'] });
    let body = await eventually(
      async () => (await scrape()).body,
      (b) => sample(b, 'foliograph_subscriptions_open') === 1,
    );
    expect(sample(body, 'foliograph_websockets_open')).toBe(1);
    expect(sample(body, 'foliograph_subscriptions_open')).toBe(1);
    expect(sample(body, 'foliograph_market_provider_breaker_state{provider="simulated"}')).toBe(0);
    live.unsubscribe();
    await client.dispose();
    body = await eventually(
      async () => (await scrape()).body,
      (b) => sample(b, 'foliograph_websockets_open') === 0,
    );
    expect(sample(body, 'foliograph_subscriptions_open')).toBe(0);
  });

  it('serves job counts on /metrics (the process registry)', async () => {
    jobMetrics.jobs.inc({ queue: 'email', outcome: 'completed' });
    expect((await scrape()).body).toMatch(/foliograph_jobs_total\{queue="email",outcome="completed"\} [1-9]/);
  });
});

describe('/metrics in production', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const PRODUCTION = {
    NODE_ENV: 'production',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    MFA_ENCRYPTION_KEY: 'production-test-key-with-more-than-32-characters',
    PUBLIC_URL: 'https://api.foliograph.example',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };

  it('is not served without METRICS_TOKEN or METRICS_PORT', async () => {
    const prod = await startTestApp({ env: { ...PRODUCTION }, database: t.database });
    try {
      expect((await scrape(prod)).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const prod = await startTestApp({ env: { ...PRODUCTION, METRICS_TOKEN: token }, database: t.database });
    try {
      expect((await scrape(prod)).statusCode).toBe(401);
      expect((await scrape(prod, { authorization: 'Bearer wrong-token-0123456789abcdef' })).statusCode).toBe(401);
      const ok = await scrape(prod, { authorization: `Bearer ${token}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('foliograph_http_requests_total');
    } finally {
      await prod.close();
    }
  });

  it('moves to its own port with METRICS_PORT (and not on the API port)', async () => {
    const prod = await startTestApp({ env: { ...PRODUCTION, METRICS_PORT: '4599' }, database: t.database });
    const server = await startMetricsServer({ registry: prod.app.services.metrics.registry, port: 0, host: '127.0.0.1' });
    try {
      expect((await scrape(prod)).statusCode).toBe(404);
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${server.port}/graphql`)).status).toBe(404);
    } finally {
      await server.close();
      await prod.close();
    }
  });

  it("answers the worker's liveness probe: /health on the metrics port, without the metrics token", async () => {
    const token = 'metrics-token-0123456789abcdef';
    const server = await startMetricsServer({ registry: null, port: 0, host: '127.0.0.1', token });
    try {
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      // The token still guards the metrics themselves.
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
