/**
 * Several replicas behave as one: 3 API processes and 2 workers (real `tsx` processes of
 * src/main.ts and src/worker.ts) behind nginx (round-robin, WebSocket upgrade), sharing one
 * PostgreSQL database and one Redis prefix. One API replica is SIGKILLed mid-run and restarted.
 */
import { randomBytes } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddInvestmentDocument,
  CreatePortfolioDocument,
  LiveQuotesDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterDocument,
  SessionsDocument,
} from '../schema/sdk/graphql.js';
import { startCluster, type Cluster } from '../scripts/lib/cluster.js';
import { GOOD_PASSWORD, uniqueEmail } from './auth.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { startMailbox, type Mailbox } from './mailbox.js';
import { eventually } from './ws.js';

const FEED_INTERVAL_MS = 300;
let cluster: Cluster;
let database: TestDatabase;
let mailbox: Mailbox;
const prefix = `test:cluster:${randomBytes(4).toString('hex')}:`;
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  mailbox = await startMailbox();
  cluster = await startCluster({
    apiReplicas: 3,
    workers: 2,
    databaseUrl: database.url,
    redisPrefix: prefix,
    // Tests pose as clients behind one more proxy, so each can have an address of its own.
    // A generous Redis command timeout: the test checks what replicas share through Redis, and on a loaded
    // CI machine the 500 ms default trips the breaker (each replica then falls back to its own counters).
    env: {
      REDIS_COMMAND_TIMEOUT_MS: '5000',
      TRUST_PROXY: '2',
      SMTP_URL: mailbox.url,
      LOG_LEVEL: 'info',
      REGISTRATIONS_PER_IP_PER_HOUR: '0',
    },
    workerEnv: { MARKET_FEED_INTERVAL_MS: String(FEED_INTERVAL_MS) },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await cluster?.stop();
  await mailbox?.close();
  await database?.drop();
}, 60_000);

interface Answer<T> {
  status: number;
  upstream: string | null;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** A GraphQL request through the balancer (or straight to one replica's port). */
async function gql<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  document: DocumentNode | string,
  variables: Record<string, unknown> = {},
  options: { token?: string; ip?: string; port?: number } = {},
): Promise<Answer<T>> {
  const base = options.port ? `http://127.0.0.1:${options.port}` : cluster.url;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      'x-forwarded-for': options.ip ?? '198.51.100.1',
    },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Answer<T>['errors'] };
  return { status: response.status, upstream: response.headers.get('x-upstream'), ...body };
}

async function register(ip = '198.51.100.10') {
  const email = uniqueEmail('cluster');
  const result = await gql(RegisterDocument, { input: { email, password: GOOD_PASSWORD, name: 'Cluster Person' } }, { ip });
  expect(result.errors).toBeUndefined();
  return { email, auth: result.data!.register as { accessToken: string; refreshToken: string } };
}

function liveQuotes(url: string, token: string, retry: boolean) {
  const ticks: Array<{ price: string; timestamp: string }> = [];
  const closes: number[] = [];
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: retry ? 20 : 0,
    retryWait: async () => new Promise((r) => setTimeout(r, 200)),
    shouldRetry: () => retry,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  clients.push(client);
  client.subscribe<{ quotes: { price: string; timestamp: string } }>(
    { query: print(LiveQuotesDocument), variables: { symbols: ['AAPL'] } },
    { next: (r) => r.data && ticks.push(r.data.quotes), error: () => {}, complete: () => {} },
  );
  return { client, ticks, closes };
}

async function metric(port: number, series: string): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('three API replicas and two workers behind nginx', () => {
  it('spreads requests round-robin over every replica', async () => {
    const upstreams = new Set<string | null>();
    for (let i = 0; i < 6; i++) upstreams.add((await gql('{ version }')).upstream);
    expect([...upstreams].sort()).toEqual(cluster.apis.map((a) => `127.0.0.1:${a.port}`).sort());
  });

  it('a login on one replica refreshes on another; a logout on one is refused on all at once', async () => {
    const [a, b, c] = cluster.apis.map((api) => api.port) as [number, number, number];
    const { email } = await register();
    const login = await gql(LoginDocument, { input: { email, password: GOOD_PASSWORD } }, { port: a });
    const tokens = login.data!.login as { accessToken: string; refreshToken: string };
    const refreshed = await gql(RefreshTokenDocument, { refreshToken: tokens.refreshToken }, { port: b });
    expect(refreshed.errors).toBeUndefined();
    const next = refreshed.data!.refreshToken as { accessToken: string; refreshToken: string };
    // Another tab within 30 s, on a third replica, gets the same pair (the grace window is shared).
    const tab = await gql(RefreshTokenDocument, { refreshToken: tokens.refreshToken }, { port: c });
    expect((tab.data!.refreshToken as { refreshToken: string }).refreshToken).toBe(next.refreshToken);

    const fresh = await gql(LoginDocument, { input: { email, password: GOOD_PASSWORD } }, { port: a });
    const session = fresh.data!.login as { accessToken: string; refreshToken: string };
    for (const port of [a, b, c])
      expect((await gql(MeDocument, {}, { port, token: session.accessToken })).data?.me).toMatchObject({ email });
    // A live subscription on replica c, of the session about to be logged out on replica b.
    const live = liveQuotes(`http://127.0.0.1:${c}`, session.accessToken, false);
    await eventually(
      () => live.ticks.length,
      (n) => n > 0,
      10_000,
    );
    const logout = await gql(LogoutDocument, { refreshToken: session.refreshToken }, { port: b, token: session.accessToken });
    expect(logout.errors).toBeUndefined();
    for (const port of [a, b, c]) {
      expect((await gql(SessionsDocument, {}, { port, token: session.accessToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    await eventually(
      () => live.closes,
      (codes) => codes.includes(4403),
      5_000,
    );
    expect(next.accessToken).toBeTruthy();
  });

  it('counts login failures across replicas', async () => {
    const { email } = await register();
    const seen = new Set<string | null>();
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const attempt = await gql(LoginDocument, { input: { email, password: 'wrong-password-xyz' } }, { ip: '198.51.100.100' });
      seen.add(attempt.upstream);
      codes.push(attempt.errors?.[0]?.extensions?.code);
    }
    expect(seen.size).toBe(3);
    // 5 failures per account from one address in 15 minutes, wherever they landed; the 6th is refused.
    expect(codes.slice(0, 5).every((c) => c !== 'RATE_LIMITED')).toBe(true);
    expect(codes[5]).toBe('RATE_LIMITED');
    // Even with the right password from that address, on any replica (other addresses are not held).
    for (const api of cluster.apis) {
      const right = await gql(LoginDocument, { input: { email, password: GOOD_PASSWORD } }, { port: api.port, ip: '198.51.100.100' });
      expect(right.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
  });

  it('every subscriber on every replica gets every tick, published by exactly one worker', async () => {
    const { auth } = await register();
    const subscribers = [0, 1, 2, 3, 4, 5].map(() => liveQuotes(cluster.url, auth.accessToken, false));
    // Round-robin put two sockets on each replica.
    for (const api of cluster.apis)
      await eventually(
        () => metric(api.port, 'foliograph_subscriptions_open'),
        (n) => n >= 2,
        10_000,
      );
    const publisher = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const published: string[] = [];
    await publisher.subscribe(`${prefix}quote:AAPL`);
    publisher.on('message', (_channel, message: string) => published.push((JSON.parse(message) as { timestamp: string }).timestamp));
    await eventually(() => subscribers.every((s) => s.ticks.length > 0), Boolean, 10_000);
    const windowMs = 3_000;
    const from = Date.now();
    await new Promise((r) => setTimeout(r, windowMs));
    await publisher.quit();
    // One publisher: about one tick per interval on the channel, not two.
    expect(published.length).toBeLessThanOrEqual(Math.ceil(windowMs / FEED_INTERVAL_MS) + 1);
    expect(published.length).toBeGreaterThanOrEqual(Math.floor(windowMs / FEED_INTERVAL_MS) - 3);
    expect(new Set(published).size).toBe(published.length);
    const leaders = cluster.workers.filter((w) => /price feed: publishing/.test(w.output()));
    expect(leaders).toHaveLength(1);
    // Every subscriber received every tick published in the window (it may have one more at the edges).
    const inWindow = published.slice(1, -1);
    for (const subscriber of subscribers) {
      const got = new Set(subscriber.ticks.map((t) => t.timestamp));
      for (const timestamp of inWindow) expect(got.has(timestamp)).toBe(true);
    }
    expect(Date.now() - from).toBeGreaterThanOrEqual(windowMs);
    await Promise.all(subscribers.map((s) => s.client.dispose()));
  });

  it('survives a replica SIGKILLed mid-run: clients reconnect, no accepted mutation is lost, no email sent twice', async () => {
    const { auth, email: owner } = await register();
    const portfolio = await gql(CreatePortfolioDocument, { input: { name: 'Kill test' } }, { token: auth.accessToken });
    const portfolioId = (portfolio.data!.createPortfolio as { id: string }).id;
    const victim = cluster.apis[1]!;
    // Subscribers through the balancer, until one of them is on the replica about to die.
    const subscribers: Array<ReturnType<typeof liveQuotes>> = [];
    const baseline = await metric(victim.port, 'foliograph_subscriptions_open');
    while ((await metric(victim.port, 'foliograph_subscriptions_open')) <= baseline && subscribers.length < 6) {
      const subscriber = liveQuotes(cluster.url, auth.accessToken, true);
      subscribers.push(subscriber);
      await eventually(
        () => subscriber.ticks.length,
        (n) => n > 0,
        10_000,
      );
    }
    expect(await metric(victim.port, 'foliograph_subscriptions_open')).toBeGreaterThan(baseline);

    let accepted = 0;
    let refused = 0;
    const registered: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 400; i++) {
        const result = await gql(
          AddInvestmentDocument,
          { portfolioId, input: { symbol: 'AAPL', quantity: String(i + 1), purchasePrice: '100.50', purchaseDate: '2024-01-02' } },
          { token: auth.accessToken },
        ).catch(() => null);
        if (result?.data?.addInvestment) accepted++;
        else refused++;
        if (i % 10 === 0) {
          const user = await gql(
            RegisterDocument,
            { input: { email: uniqueEmail('kill'), password: GOOD_PASSWORD, name: 'K' } },
            { ip: '198.51.100.50' },
          ).catch(() => null);
          const email = (user?.data?.register as { user: { email: string } } | undefined)?.user.email;
          if (email) registered.push(email);
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 1_000));
    const before = accepted;
    await victim.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2_000));
    // Requests kept being accepted while the replica was down (nginx skipped it).
    expect(accepted).toBeGreaterThan(before);
    // Subscribers whose socket was on the dead replica reconnected through the balancer.
    const afterKill = subscribers.map((s) => s.ticks.length);
    await eventually(() => subscribers.every((s, i) => s.ticks.length > afterKill[i]! + 1), Boolean, 15_000);
    expect(subscribers.some((s) => s.closes.length > 0)).toBe(true);

    await victim.start();
    await eventually(
      () => fetch(`http://127.0.0.1:${victim.port}/ready`).then((r) => r.status),
      (s) => s === 200,
      30_000,
    );
    // The restarted replica serves through the balancer again.
    await eventually(
      async () => (await gql('{ version }')).upstream,
      (upstream) => upstream === `127.0.0.1:${victim.port}`,
      15_000,
    );
    stop = true;
    await writer;

    // Every mutation that was answered with data is stored, once.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const rows = await db.query<{ stored: number; distinct: number }>(
      'SELECT count(*)::int AS stored, count(DISTINCT quantity)::int AS distinct FROM investments WHERE portfolio_id = $1',
      [portfolioId],
    );
    await db.end();
    const { stored, distinct } = rows.rows[0]!;
    expect(distinct).toBe(stored);
    expect(stored).toBeGreaterThanOrEqual(accepted);
    // An addInvestment in flight on the killed replica may have committed without an answer.
    expect(stored - accepted).toBeLessThanOrEqual(refused);
    expect(refused).toBeLessThanOrEqual(3);

    // Each registration's verification email was sent once, by one of the two workers (the
    // workers also mail weekly reports to owners: only verification emails count here).
    const expected = [owner, ...registered];
    const verifications = (email: string) => mailbox.messages.filter((m) => m.to.includes(email) && /confirm your email/i.test(m.subject));
    await eventually(() => expected.every((e) => verifications(e).length > 0), Boolean, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const email of expected) expect(verifications(email)).toHaveLength(1);
  }, 90_000);
});
