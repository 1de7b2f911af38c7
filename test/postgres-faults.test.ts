/**
 * PostgreSQL made unreachable through a TCP proxy this test controls: /ready says 503 within a
 * second (also when the network swallows packets), and a portfolioValuation subscription whose
 * periodic resync fails keeps its last state and retries, then follows changes again once the
 * database is back (before: ended with INTERNAL_SERVER_ERROR at its resync).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LivePortfolioValuationDocument, MeDocument } from '../schema/sdk/graphql.js';
import { LogLines, TcpProxy } from './faults.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { useTestApp } from './use-test-app.js';
import { addInvestment, createPortfolio } from './portfolios.js';
import { createTestUser, type TestUser } from './users.js';
import { disposeClients, listen, subscribe, wsClient } from './ws.js';

const RESYNC_MS = 300;
let database: TestDatabase;
let proxy: TcpProxy;
let url: string;
let proxied: URL;
let owner: TestUser;
const logs = new LogLines();

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
});
beforeAll(async () => {
  database = await createTestDatabase();
  const direct = new URL(database.url);
  proxy = await TcpProxy.start(direct.hostname, Number(direct.port || 5432));
  proxied = new URL(database.url);
  proxied.host = `127.0.0.1:${proxy.port}`;
});
const t = useTestApp(() => ({
  database,
  env: { DATABASE_URL: proxied.toString(), LOG_LEVEL: 'warn' },
  live: { resyncMs: RESYNC_MS },
  logStream: logs,
}));
beforeAll(async () => {
  url = await listen(t);
  owner = await createTestUser(t);
});
afterEach(async () => {
  proxy.heal();
  await disposeClients();
});

const ready = () => t.app.inject({ method: 'GET', url: '/ready' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timedReady() {
  const started = performance.now();
  const response = await ready();
  return { ms: performance.now() - started, status: response.statusCode, body: response.json() as Record<string, string> };
}

describe('PostgreSQL unreachable', () => {
  it('/ready answers 503 within 1 s whether connections are refused or hang, and 200 once it is back', async () => {
    expect((await timedReady()).status).toBe(200);
    proxy.drop();
    const refused = await timedReady();
    expect(refused).toMatchObject({ status: 503, body: { database: 'down', redis: 'ok' } });
    expect(refused.ms).toBeLessThan(1000);

    proxy.heal();
    await vi.waitFor(async () => expect((await ready()).statusCode).toBe(200), { timeout: 10_000, interval: 50 });
    proxy.blackhole();
    const hanging = await timedReady();
    expect(hanging).toMatchObject({ status: 503, body: { database: 'down' } });
    expect(hanging.ms).toBeLessThan(1000);
    proxy.heal();
    await vi.waitFor(async () => expect((await ready()).statusCode).toBe(200), { timeout: 10_000, interval: 50 });
    expect((await t.gql(MeDocument, {}, { token: owner.token })).data?.me?.id).toBe(owner.id);
  });

  it('a valuation subscription outlives failed resyncs with its last state, then follows changes again', async () => {
    const portfolio = await createPortfolio(t, owner, { name: 'Through an outage' });
    await addInvestment(t, owner, portfolio.id, { symbol: 'AAPL', quantity: '10', purchasePrice: '100' });
    const client = wsClient(url, owner.token);
    const live = subscribe(client, LivePortfolioValuationDocument, { id: portfolio.id });
    expect((await live.data(10_000)).portfolioValuation).toMatchObject({ portfolioId: portfolio.id, totalCost: '1000' });

    proxy.drop();
    // Several resyncs fail meanwhile.
    await sleep(RESYNC_MS * 6);
    const during = live.pending();
    expect(during.filter((e) => e.type !== 'next')).toEqual([]);
    expect(logs.matching(/live valuation: resync failed/).length).toBe(1);

    proxy.heal();
    await vi.waitFor(async () => expect((await ready()).statusCode).toBe(200), { timeout: 10_000, interval: 50 });
    await addInvestment(t, owner, portfolio.id, { symbol: 'AAPL', quantity: '5', purchasePrice: '100' });
    // The next successful resync reloads the holdings and sends the new valuation.
    for (;;) {
      const event = await live.next(10_000);
      expect(event.type).toBe('next');
      if (
        event.type === 'next' &&
        (event.result.data as { portfolioValuation: { totalCost: string } }).portfolioValuation.totalCost === '1500'
      )
        break;
    }
    live.unsubscribe();
  });
});
