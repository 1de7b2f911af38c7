import type { FastifyBaseLogger } from 'fastify';
import { LiveNotificationsDocument } from '../../schema/sdk/graphql.js';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox } from '../../test/mailbox.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { disposeClients, eventually, listen, subscribe, wsClient } from '../../test/ws.js';
import { publishQuotes, watchedSymbols, type LiveQuote } from '../market/quote-relay.js';
import { startAlertWorker, startNotifyEmailWorker } from './index.js';
import { QUEUE_NAMES, openQueue } from '../platform/queues.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

let mailbox: Mailbox;
type Worker = Awaited<ReturnType<typeof startAlertWorker>>;
let workers: Worker[] = [];
let mailer: { close(): Promise<void> };

afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
}, 30_000);
const t = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, ALERTS_PER_USER: '5' } }));
// A second API instance of the same deployment (same database and Redis key space).
const other = useTestApp(() => ({ database: t.database, redisPrefix: t.config.REDIS_PREFIX, env: { SMTP_URL: mailbox.url } }));
beforeAll(async () => {
  // Two workers evaluate every tick; each firing must still happen once.
  workers = await Promise.all([
    startAlertWorker(t.config, log, { reloadMs: 60_000 }),
    startAlertWorker(t.config, log, { reloadMs: 60_000 }),
  ]);
  mailer = await startNotifyEmailWorker(t.config, log);
}, 30_000);
afterEach(() => disposeClients());
afterAll(async () => {
  for (const w of workers) await w.close();
  await mailer?.close();
});

const CREATE = `mutation($input: AlertInput!) { createAlert(input: $input) { id condition symbol portfolioId threshold channels repeat active lastTriggeredAt } }`;
const ALERTS = `{ alerts { id active lastTriggeredAt } }`;
const NOTIFICATIONS = `query($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) { totalCount unreadCount edges { cursor node { id kind title body readAt } } pageInfo { hasNextPage endCursor } } }`;

function tick(symbol: string, price: string, changePercent: number | null = 0.5): LiveQuote {
  return { symbol, price, change: null, changePercent, previousClose: null, currency: 'USD', timestamp: new Date(), source: 'test' };
}

/** Every worker has read the alerts as they are now. */
async function reloadAll(): Promise<void> {
  await Promise.all(workers.map((w) => w.evaluator.reload()));
}

/** Publishes ticks as the feed does, then waits until both workers have evaluated them. */
async function publish(...quotes: LiveQuote[]): Promise<void> {
  await publishQuotes(t.app.services.redis, t.config.REDIS_PREFIX, quotes);
  await new Promise((r) => setTimeout(r, 150));
  await Promise.all(workers.map((w) => w.evaluator.idle()));
}

async function createAlert(user: TestUser, input: Record<string, unknown>) {
  const alert = ok(await t.gql<{ createAlert: { id: string } }>(CREATE, { input }, { token: user.token })).createAlert;
  await reloadAll();
  return alert;
}

function notificationsOf(user: TestUser) {
  return t.app.services.db.notification.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
}

describe('createAlert', () => {
  it('refuses bad input with every problem named, unknown symbols, and more alerts than the limit', async () => {
    const user = await createTestUser(t);
    const bad = await t.gql(
      CREATE,
      { input: { condition: 'PRICE_ABOVE', threshold: '-5', portfolioId: '00000000-0000-4000-8000-000000000000' } },
      { token: user.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const fields = (bad.errors![0]!.extensions!.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['portfolioId', 'symbol', 'threshold']);

    const unknown = await t.gql(CREATE, { input: { condition: 'PRICE_BELOW', symbol: 'NOPE123', threshold: '5' } }, { token: user.token });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'symbol' }] });

    const mine = await createPortfolio(t, user);
    const drift = await t.gql(
      CREATE,
      { input: { condition: 'PORTFOLIO_DRIFT_ABOVE', portfolioId: mine.id, threshold: '0.05' } },
      { token: user.token },
    );
    expect(drift.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'targets' }] });
    const weights = await t.gql(
      CREATE,
      { input: { condition: 'PORTFOLIO_DRIFT_ABOVE', portfolioId: mine.id, threshold: '2', targets: [{ key: 'AAPL', weight: 0.5 }] } },
      { token: user.token },
    );
    expect((weights.errors?.[0]?.extensions?.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual([
      'targets',
      'threshold',
    ]);

    const stranger = await createTestUser(t);
    const theirs = await createPortfolio(t, stranger);
    const foreign = await t.gql(
      CREATE,
      { input: { condition: 'PORTFOLIO_VALUE_BELOW', portfolioId: theirs.id, threshold: '100' } },
      { token: user.token },
    );
    expect(errorCode(foreign)).toBe('NOT_FOUND');

    for (let i = 0; i < 5; i++) await createAlert(user, { condition: 'PRICE_ABOVE', symbol: 'MSFT', threshold: String(1000 + i) });
    const sixth = await t.gql(CREATE, { input: { condition: 'PRICE_ABOVE', symbol: 'MSFT', threshold: '2000' } }, { token: user.token });
    expect(sixth.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'input' }] });
    expect(ok(await t.gql<{ alerts: unknown[] }>(ALERTS, {}, { token: user.token })).alerts).toHaveLength(5);

    const [first] = ok(await t.gql<{ alerts: Array<{ id: string }> }>(ALERTS, {}, { token: user.token })).alerts;
    expect(errorCode(await t.gql(`mutation($id: ID!) { deleteAlert(id: $id) }`, { id: first!.id }, { token: stranger.token }))).toBe(
      'NOT_FOUND',
    );
    expect(ok(await t.gql(`mutation($id: ID!) { deleteAlert(id: $id) }`, { id: first!.id }, { token: user.token }))).toEqual({
      deleteAlert: true,
    });
  });
});

describe('alert firing', () => {
  it('fires once when a tick crosses it, with two workers, and not again; the notification and the email arrive once', async () => {
    const user = await createTestUser(t);
    const alert = await createAlert(user, { condition: 'PRICE_ABOVE', symbol: 'AAPL', threshold: '200', channels: ['IN_APP', 'EMAIL'] });
    // The feed publishes the watched symbols: the alert's symbol is one of them now.
    expect(await watchedSymbols(t.app.services.redis, t.config.REDIS_PREFIX)).toContain('AAPL');

    await publish(tick('AAPL', '199.99'));
    expect(await notificationsOf(user)).toHaveLength(0);

    await publish(tick('AAPL', '200.50'));
    await publish(tick('AAPL', '201'), tick('MSFT', '1'));
    await publish(tick('AAPL', '150'), tick('AAPL', '250'));

    const notifications = await notificationsOf(user);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ kind: 'ALERT', readAt: null });
    expect(notifications[0]!.title).toContain('AAPL');
    expect(notifications[0]!.body).toContain('200.5');
    expect(workers[0]!.evaluator.fired + workers[1]!.evaluator.fired).toBe(1);

    const [listed] = ok(
      await t.gql<{ alerts: Array<{ id: string; active: boolean; lastTriggeredAt: string | null }> }>(ALERTS, {}, { token: user.token }),
    ).alerts;
    expect(listed).toMatchObject({ id: alert.id, active: false });
    expect(listed!.lastTriggeredAt).not.toBeNull();

    const mail = await mailbox.waitFor((m) => m.to.includes(user.email));
    expect(mail.subject).toContain('AAPL');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailbox.messages.filter((m) => m.to.includes(user.email))).toHaveLength(1);
  });

  it('a repeat alert fires again only after its condition has cleared', async () => {
    const user = await createTestUser(t);
    await createAlert(user, { condition: 'PRICE_BELOW', symbol: 'VTI', threshold: '100', repeat: true });

    await publish(tick('VTI', '99'));
    await publish(tick('VTI', '98'));
    expect(await notificationsOf(user)).toHaveLength(1);
    await publish(tick('VTI', '101'));
    expect(await notificationsOf(user)).toHaveLength(1);
    await publish(tick('VTI', '97'));
    expect(await notificationsOf(user)).toHaveLength(2);
    const [row] = await t.app.services.db.alert.findMany({ where: { userId: user.id } });
    expect(row).toMatchObject({ active: true, armed: false, firings: 2 });
  });

  it('day change and portfolio value conditions', async () => {
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user, { name: 'Retirement' });
    await addInvestment(t, user, portfolio.id, { symbol: 'BTC-USD', quantity: '2', purchasePrice: '100', purchaseDate: '2024-01-02' });
    await createAlert(user, { condition: 'DAY_CHANGE_PERCENT_BELOW', symbol: 'MSFT', threshold: '-3' });
    await createAlert(user, { condition: 'PORTFOLIO_VALUE_BELOW', portfolioId: portfolio.id, threshold: '1000' });

    await publish(tick('MSFT', '300', -2.5), tick('BTC-USD', '600'));
    expect(await notificationsOf(user)).toHaveLength(0);
    await publish(tick('MSFT', '290', -3.1), tick('BTC-USD', '499.5'));
    const titles = (await notificationsOf(user)).map((n) => n.title).sort();
    expect(titles).toHaveLength(2);
    expect(titles[0]).toContain('MSFT');
    expect(titles[1]).toContain('Retirement');
    expect((await notificationsOf(user)).find((n) => n.title.includes('Retirement'))!.body).toContain('999');
  });

  it('a notification reaches a graphql-ws subscriber on another API instance, and is listed, paged and marked read', async () => {
    const user = await createTestUser(t);
    await createAlert(user, { condition: 'PRICE_ABOVE', symbol: 'MSFT', threshold: '500', repeat: true });
    const url = await listen(other);
    const client = wsClient(url, user.token);
    const live = subscribe(client, LiveNotificationsDocument, {});
    // Registered once the other instance listens on the user's channel (Redis lists it then).
    const channel = `${other.config.REDIS_PREFIX}notifications:${user.id}`;
    await eventually(async () => ((await other.app.services.redis.pubsub('CHANNELS', channel)) as string[]).length > 0, Boolean);

    await publish(tick('MSFT', '501'));
    const first = await live.data();
    expect(first.notifications.title).toContain('MSFT');
    await publish(tick('MSFT', '400'));
    await publish(tick('MSFT', '502'));
    const second = await live.data();
    expect(second.notifications.id).not.toBe(first.notifications.id);

    const page1 = ok(await t.gql<any>(NOTIFICATIONS, { first: 1 }, { token: user.token })).notifications;
    expect(page1).toMatchObject({ totalCount: 2, unreadCount: 2, pageInfo: { hasNextPage: true } });
    expect(page1.edges[0].node.id).toBe(second.notifications.id);
    const page2 = ok(await t.gql<any>(NOTIFICATIONS, { first: 1, after: page1.pageInfo.endCursor }, { token: user.token })).notifications;
    expect(page2.edges[0].node.id).toBe(first.notifications.id);

    const marked = ok(
      await t.gql<any>(
        `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`,
        { ids: [first.notifications.id] },
        { token: user.token },
      ),
    );
    expect(marked.markNotificationsRead).toBe(1);
    const unread = ok(await t.gql<any>(NOTIFICATIONS, { unreadOnly: true }, { token: user.token })).notifications;
    expect(unread).toMatchObject({ totalCount: 1, unreadCount: 1 });
    expect(ok(await t.gql<any>(`mutation { markNotificationsRead }`, {}, { token: user.token })).markNotificationsRead).toBe(1);
    expect(errorCode(await t.gql(NOTIFICATIONS, { first: 500 }, { token: user.token }))).toBe('BAD_USER_INPUT');
  });
});

describe('email settings and one-click unsubscribe', () => {
  it('every alert email has RFC 8058 headers; the one-click POST stops that email, GET changes nothing', async () => {
    const user = await createTestUser(t);
    await createAlert(user, { condition: 'PRICE_ABOVE', symbol: 'AAPL', threshold: '300', channels: ['EMAIL'], repeat: true });
    await publish(tick('AAPL', '301'));
    const mail = await mailbox.waitFor((m) => m.to.includes(user.email));
    const header = /^List-Unsubscribe: <([^>]+)>/m.exec(mail.body.replace(/\r?\n[ \t]+/g, ' '));
    expect(header).not.toBeNull();
    expect(mail.body).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const link = new URL(header![1]!);
    expect(mail.links).toContain(link.toString());

    const path = `${link.pathname}${link.search}`;
    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(ok(await t.gql<any>(`{ emailSettings { alerts weeklyReports } }`, {}, { token: user.token })).emailSettings).toEqual({
      alerts: true,
      weeklyReports: true,
    });
    const forged = await t.app.inject({
      method: 'POST',
      url: `${link.pathname}?token=${encodeURIComponent(link.searchParams.get('token')!.slice(0, -2) + 'xx')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(forged.statusCode).toBe(400);
    const done = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    expect(ok(await t.gql<any>(`{ emailSettings { alerts weeklyReports } }`, {}, { token: user.token })).emailSettings).toEqual({
      alerts: false,
      weeklyReports: true,
    });

    // The alert fires again, but its email is not sent any more.
    const inspect = openQueue(QUEUE_NAMES.notifyEmail, t.config, {});
    try {
      await publish(tick('AAPL', '299'));
      await publish(tick('AAPL', '302'));
      await eventually(
        async () => (await inspect.queue.getCompleted()).map((j) => j.returnvalue as { reason?: string }),
        (values) => values.some((v) => v.reason === 'unsubscribed'),
        10_000,
      );
    } finally {
      await inspect.close();
    }
    expect(mailbox.messages.filter((m) => m.to.includes(user.email))).toHaveLength(1);

    const back = ok(
      await t.gql<any>(`mutation { updateEmailSettings(input: { alerts: true }) { alerts loginAlerts } }`, {}, { token: user.token }),
    );
    expect(back.updateEmailSettings).toEqual({ alerts: true, loginAlerts: true });
  });
});
