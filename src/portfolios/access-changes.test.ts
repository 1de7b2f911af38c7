/**
 * Access changes take effect at once: share changes are atomic (an ADMIN's concurrent downgrade
 * cannot undo the owner's grant of ADMIN), and unshare, role change, deletion and making a
 * portfolio private end (or re-authorize) the affected live valuations immediately, on every
 * instance, long before the 30-second periodic access check.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeletePortfolioDocument,
  LivePortfolioValuationDocument,
  SharePortfolioDocument,
  UnsharePortfolioDocument,
  UpdatePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { disposeClients, eventually, listen, subscribe, wsClient, type LiveSubscription } from '../../test/ws.js';

let urlB: string;

const a = useTestApp();
// Instance B serves the subscriptions with the default 30 s resync: only the announcement can end them quickly.
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX }));
beforeAll(async () => {
  urlB = await listen(b);
  await seedMarketAssets(a);
});
afterEach(async () => {
  await disposeClients();
});

describe('share changes are atomic', () => {
  it("an ADMIN's downgrade racing the owner's grant of ADMIN never leaves the share downgraded", async () => {
    const owner = await createTestUser(a);
    const admin = await createTestUser(a);
    const target = await createTestUser(a);
    const rounds = 20;
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const portfolio = await createPortfolio(a, owner);
      const db = a.app.services.db;
      await db.portfolioShare.createMany({
        data: [
          { portfolioId: portfolio.id, userId: admin.id, permission: 'ADMIN' },
          { portfolioId: portfolio.id, userId: target.id, permission: 'EDIT' },
        ],
      });
      const share = (user: TestUser, permission: 'ADMIN' | 'VIEW', app: TestApp) =>
        app.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: target.email, permission }, { token: user.token });
      const [grant, downgrade] = await Promise.all([share(owner, 'ADMIN', round % 2 ? a : b), share(admin, 'VIEW', round % 2 ? b : a)]);
      expect(grant.errors).toBeUndefined();
      const after = await db.portfolioShare.findUniqueOrThrow({
        where: { portfolioId_userId: { portfolioId: portfolio.id, userId: target.id } },
      });
      // Either the downgrade came first (and the grant then made it ADMIN) or it was refused.
      expect(after.permission).toBe('ADMIN');
      outcomes.push(String(errorCode(downgrade) ?? 'ok'));
      if (errorCode(downgrade)) expect(errorCode(downgrade)).toBe('FORBIDDEN');
      // The trail never shows the ADMIN changing an ADMIN share.
      const trail = await db.portfolioActivity.findMany({
        where: { portfolioId: portfolio.id, userId: admin.id, action: 'PORTFOLIO_SHARED' },
      });
      for (const row of trail) expect((row.details as { before: { permission: string } | null }).before?.permission).not.toBe('ADMIN');
    }
    console.info(
      `ADMIN downgrade vs owner's grant, ${rounds} rounds: ${outcomes.filter((o) => o === 'ok').length} serialized first, ${outcomes.filter((o) => o === 'FORBIDDEN').length} refused`,
    );
  });
});

describe('live valuations follow access changes at once', () => {
  type Valuation = { portfolioValuation: { portfolioId: string } };

  async function livePortfolio(options: { isPublic?: boolean } = {}) {
    const owner = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner, { isPublic: options.isPublic ?? false });
    await addInvestment(a, owner, portfolio.id, { symbol: 'AAPL', quantity: '10', purchasePrice: '100' });
    return { owner, portfolioId: portfolio.id };
  }

  async function watch(user: TestUser, portfolioId: string): Promise<LiveSubscription<Valuation>> {
    const live = subscribe(wsClient(urlB, user.token), LivePortfolioValuationDocument, { id: portfolioId });
    expect((await live.data()).portfolioValuation.portfolioId).toBe(portfolioId);
    return live;
  }

  /** The subscription ends with NOT_FOUND within `withinMs` of now. */
  async function endsWithNotFound(live: LiveSubscription<Valuation>, withinMs = 2_000): Promise<number> {
    const started = Date.now();
    const event = await eventually(
      () => live.next(withinMs),
      (e) => e.type !== 'next',
    );
    expect(event).toMatchObject({ type: 'error', error: [{ extensions: { code: 'NOT_FOUND' } }] });
    return Date.now() - started;
  }

  it('unshare ends that viewer’s subscription on another instance at once, and only theirs', async () => {
    const { owner, portfolioId } = await livePortfolio();
    const viewer = await createTestUser(a);
    const other = await createTestUser(a);
    for (const user of [viewer, other])
      ok(await a.gql(SharePortfolioDocument, { portfolioId, email: user.email, permission: 'VIEW' }, { token: owner.token }));
    const forViewer = await watch(viewer, portfolioId);
    const forOther = await watch(other, portfolioId);
    const forOwner = await watch(owner, portfolioId);

    ok(await a.gql(UnsharePortfolioDocument, { portfolioId, userId: viewer.id }, { token: owner.token }));
    const tookMs = await endsWithNotFound(forViewer);
    expect(tookMs).toBeLessThan(2_000);
    // The others carry on: nothing ends their streams.
    await expect(forOther.next(500)).rejects.toThrow(/no subscription event/);
    await expect(forOwner.next(100)).rejects.toThrow(/no subscription event/);
    await eventually(
      () => b.app.services.liveValuations.valuationSubscriptionCount(),
      (n) => n === 2,
    );
  });

  it('a role change re-authorizes: the subscription goes on', async () => {
    const { owner, portfolioId } = await livePortfolio();
    const viewer = await createTestUser(a);
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
    const live = await watch(viewer, portfolioId);
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'EDIT' }, { token: owner.token }));
    await expect(live.next(800)).rejects.toThrow(/no subscription event/);
    expect(b.app.services.liveValuations.valuationSubscriptionCount()).toBe(1);
  });

  it("deletion ends every subscriber's stream at once, the owner's included", async () => {
    const { owner, portfolioId } = await livePortfolio();
    const viewer = await createTestUser(a);
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'EDIT' }, { token: owner.token }));
    const streams = [await watch(viewer, portfolioId), await watch(owner, portfolioId)];
    ok(await a.gql(DeletePortfolioDocument, { id: portfolioId }, { token: owner.token }));
    for (const live of streams) await endsWithNotFound(live);
  });

  it("deleting the owner's account ends every collaborator's stream of its portfolios at once", async () => {
    const { owner, portfolioId } = await livePortfolio();
    const viewer = await createTestUser(a);
    const editor = await createTestUser(a);
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: editor.email, permission: 'EDIT' }, { token: owner.token }));
    const streams = [await watch(viewer, portfolioId), await watch(editor, portfolioId)];
    ok(
      await a.gql(
        `mutation($password: String!) { deleteAccount(password: $password) }`,
        { password: owner.password },
        { token: owner.token },
      ),
    );
    // Instance B re-checks every 30 s: only the announcement ends them this soon.
    for (const live of streams) expect(await endsWithNotFound(live)).toBeLessThan(2_000);
  });

  it("deleting a collaborator's account ends that collaborator's access, not the others'", async () => {
    const { owner, portfolioId } = await livePortfolio();
    const leaving = await createTestUser(a);
    const staying = await createTestUser(a);
    for (const user of [leaving, staying])
      ok(await a.gql(SharePortfolioDocument, { portfolioId, email: user.email, permission: 'VIEW' }, { token: owner.token }));
    const theirs = await watch(leaving, portfolioId);
    const others = await watch(staying, portfolioId);
    ok(
      await a.gql(
        `mutation($password: String!) { deleteAccount(password: $password) }`,
        { password: leaving.password },
        { token: leaving.token },
      ),
    );
    const event = await eventually(
      () => theirs.next(2_000),
      (e) => e.type !== 'next',
    );
    expect(event.type).not.toBe('next');
    await expect(others.next(500)).rejects.toThrow(/no subscription event/);
  });

  it('making a public portfolio private ends its public readers’ streams, not its collaborators’', async () => {
    const { owner, portfolioId } = await livePortfolio({ isPublic: true });
    const reader = await createTestUser(a);
    const viewer = await createTestUser(a);
    ok(await a.gql(SharePortfolioDocument, { portfolioId, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
    const forReader = await watch(reader, portfolioId);
    const forViewer = await watch(viewer, portfolioId);
    ok(await a.gql(UpdatePortfolioDocument, { id: portfolioId, input: { isPublic: false } }, { token: owner.token }));
    await endsWithNotFound(forReader);
    await expect(forViewer.next(500)).rejects.toThrow(/no subscription event/);
  });
});
