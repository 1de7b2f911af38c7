/**
 * Access ends everything it gave (issue 21): a collaborator's portfolio alerts stop with their
 * access, through the real API, the real evaluator (worker part) and ticks over Redis. The
 * evaluators here reload only when told (every 60 s otherwise), as a busy deployment might.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharePortfolioDocument, UnsharePortfolioDocument } from '../../schema/sdk/graphql.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { publishQuotes, type LiveQuote } from '../market/quote-relay.js';
import { startAlertWorker } from './index.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
type Worker = Awaited<ReturnType<typeof startAlertWorker>>;
let worker: Worker;

const t = useTestApp();
beforeAll(async () => {
  worker = await startAlertWorker(t.config, log, { reloadMs: 60_000 });
}, 30_000);
afterAll(async () => {
  await worker?.close();
});

const CREATE = `mutation($input: AlertInput!) { createAlert(input: $input) { id } }`;

function tick(symbol: string, price: string): LiveQuote {
  return { symbol, price, change: null, changePercent: 0.5, previousClose: null, currency: 'USD', timestamp: new Date(), source: 'test' };
}

/** Publishes a tick as the feed does and waits until the evaluator has handled it. */
async function publish(quote: LiveQuote): Promise<void> {
  await publishQuotes(t.app.services.redis, t.config.REDIS_PREFIX, [quote]);
  await new Promise((r) => setTimeout(r, 150));
  await worker.evaluator.idle();
}

function notificationsOf(user: TestUser) {
  return t.app.services.db.notification.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
}

/** An owner's portfolio holding 2 BTC-USD, shared with a VIEW user who set a repeating value alert below 1,000. */
async function sharedWithAlert() {
  const owner = await createTestUser(t);
  const viewer = await createTestUser(t);
  const portfolio = await createPortfolio(t, owner, { name: 'Family fund' });
  await addInvestment(t, owner, portfolio.id, { symbol: 'BTC-USD', quantity: '2', purchasePrice: '100', purchaseDate: '2024-01-02' });
  ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
  const input = {
    condition: 'PORTFOLIO_VALUE_BELOW',
    portfolioId: portfolio.id,
    threshold: '1000',
    repeat: true,
    channels: ['IN_APP', 'EMAIL'],
  };
  const alert = ok(await t.gql<{ createAlert: { id: string } }>(CREATE, { input }, { token: viewer.token })).createAlert;
  await worker.evaluator.reload();
  // It fires while the viewer has access, and re-arms when the value recovers.
  await publish(tick('BTC-USD', '499.5'));
  expect(await notificationsOf(viewer)).toHaveLength(1);
  await publish(tick('BTC-USD', '600'));
  return { owner, viewer, portfolioId: portfolio.id, alertId: alert.id };
}

describe("a collaborator's alerts end with their access", () => {
  it('unsharePortfolio: the repeating value alert stops firing at once and becomes inactive; no notification or email tells the value', async () => {
    const { owner, viewer, portfolioId, alertId } = await sharedWithAlert();
    ok(await t.gql(UnsharePortfolioDocument, { portfolioId, userId: viewer.id }, { token: owner.token }));

    await publish(tick('BTC-USD', '400'));
    await publish(tick('BTC-USD', '600'));
    await publish(tick('BTC-USD', '300'));
    const notifications = await notificationsOf(viewer);
    expect(notifications).toHaveLength(1);
    expect(notifications.some((n) => /800|600/.test(n.body))).toBe(false);
    const alerts = ok(
      await t.gql<{ alerts: Array<{ id: string; active: boolean }> }>(`{ alerts { id active } }`, {}, { token: viewer.token }),
    );
    expect(alerts.alerts).toEqual([{ id: alertId, active: false }]);
    // One firing in all: the email of a firing is queued with it, so none went out later either.
    expect(await t.app.services.db.alert.findUniqueOrThrow({ where: { id: alertId } })).toMatchObject({ active: false, firings: 1 });
  });

  it('a role change keeps them: the alert goes on firing', async () => {
    const { owner, viewer } = await sharedWithAlert();
    const { portfolioId } = (await t.app.services.db.alert.findFirstOrThrow({ where: { userId: viewer.id } })) as { portfolioId: string };
    ok(await t.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'EDIT' }, { token: owner.token }));
    await publish(tick('BTC-USD', '450'));
    expect(await notificationsOf(viewer)).toHaveLength(2);
  });

  it('deleting the portfolio or the owner’s account takes the alert with it: nothing fires afterwards', async () => {
    const first = await sharedWithAlert();
    ok(await t.gql(`mutation($id: ID!) { deletePortfolio(id: $id) }`, { id: first.portfolioId }, { token: first.owner.token }));
    const second = await sharedWithAlert();
    ok(
      await t.gql(
        `mutation($password: String!) { deleteAccount(password: $password) }`,
        { password: second.owner.password },
        {
          token: second.owner.token,
        },
      ),
    );
    await publish(tick('BTC-USD', '250'));
    for (const { viewer, alertId } of [first, second]) {
      expect(await notificationsOf(viewer)).toHaveLength(1);
      expect(await t.app.services.db.alert.findUnique({ where: { id: alertId } })).toBeNull();
    }
  });
});
