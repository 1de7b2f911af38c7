/**
 * Listing and paging: which portfolios a user lists, cursor pagination rules, and the SQL
 * statement count of a nested page (no N+1).
 */
import { encodeBase64 } from '@pothos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buyOfInvestment } from '../ledger/buys.js';
import { PortfolioActivityDocument, PortfolioDocument, PortfolioOverviewDocument, PortfoliosDocument } from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { statementCounter } from '../platform/db.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';

const t = useTestApp({ logQueries: true });
beforeAll(async () => {
  await seedMarketAssets(t);
});

describe('portfolios', () => {
  let me: TestUser;
  const mine: string[] = [];
  let sharedWithMe: string;

  beforeAll(async () => {
    me = await createTestUser(t);
    const other = await createTestUser(t);
    for (let i = 1; i <= 4; i++) mine.push((await createPortfolio(t, me, { name: `Mine ${i}` })).id);
    const shared = await createPortfolio(t, other, { name: 'Shared with me' });
    await t.app.services.db.portfolioShare.create({ data: { portfolioId: shared.id, userId: me.id, permission: 'VIEW' } });
    sharedWithMe = shared.id;
    // Neither someone else's public portfolio nor their private one is listed.
    await createPortfolio(t, other, { name: 'Public, not mine', isPublic: true });
    await createPortfolio(t, other, { name: 'Private, not mine' });
  });

  it('lists my own and those shared with me, newest first, with totalCount', async () => {
    const page = ok(await t.gql(PortfoliosDocument, {}, { token: me.token })).portfolios;
    expect(page.totalCount).toBe(5);
    expect(page.edges.map((e) => e.node.id)).toEqual([sharedWithMe, ...[...mine].reverse()]);
    expect(page.edges.map((e) => e.node.myRole)).toEqual(['VIEW', 'OWNER', 'OWNER', 'OWNER', 'OWNER']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('pages with first/after until the end, and past the last cursor is an empty page', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    for (;;) {
      const page = ok(await t.gql(PortfoliosDocument, { first: 2, after }, { token: me.token })).portfolios;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.id));
      pages++;
      if (!page.pageInfo.hasNextPage) {
        after = page.pageInfo.endCursor;
        break;
      }
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([sharedWithMe, ...[...mine].reverse()]);

    const beyond = ok(await t.gql(PortfoliosDocument, { first: 2, after }, { token: me.token })).portfolios;
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('first: 0 returns no edges but still the count and whether there is a page', async () => {
    const page = ok(await t.gql(PortfoliosDocument, { first: 0 }, { token: me.token })).portfolios;
    expect(page.edges).toEqual([]);
    expect(page.totalCount).toBe(5);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a page size above 100 or below 0, and cursors it did not issue', async () => {
    const bad = async (variables: { first?: number; after?: string }) => {
      const result = await t.gql(PortfoliosDocument, variables, { token: me.token });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      return result.errors?.[0]?.extensions?.details;
    };
    expect(await bad({ first: 101 })).toEqual([{ field: 'first', message: 'must be between 0 and 100' }]);
    expect(await bad({ first: -1 })).toEqual([{ field: 'first', message: 'Argument "first" must be a non-negative integer' }]);
    expect(await bad({ after: 'garbage!' })).toEqual([{ field: 'after', message: 'is not a cursor from this connection' }]);
    // Well-formed cursor encoding, but no id in it.
    expect(await bad({ after: encodeBase64('GPC:S:not-a-uuid') })).toHaveLength(1);
    expect(await bad({ after: encodeBase64('GPC:N:42') })).toHaveLength(1);
    // All problems at once.
    expect(await bad({ first: 500, after: 'garbage!' })).toHaveLength(2);
  });

  it('pages nested investments the same way, and refuses a bad nested cursor', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    const added: string[] = [];
    for (const symbol of ['AAPL', 'MSFT', 'VTI']) added.push((await addInvestment(t, owner, portfolio.id, { symbol })).id);
    const first = ok(await t.gql(PortfolioDocument, { id: portfolio.id, first: 2 }, { token: owner.token })).portfolio!.investments;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e) => e.node.id)).toEqual(added.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(
      await t.gql(PortfolioDocument, { id: portfolio.id, first: 2, after: first.pageInfo.endCursor }, { token: owner.token }),
    ).portfolio!.investments;
    expect(second.edges.map((e) => e.node.id)).toEqual(added.slice(2));
    expect(second.pageInfo.hasNextPage).toBe(false);

    const bad = await t.gql(PortfolioDocument, { id: portfolio.id, after: 'nope' }, { token: owner.token });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const tooMany = await t.gql(PortfolioDocument, { id: portfolio.id, first: 1000 }, { token: owner.token });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
  });

  it('anonymous callers are UNAUTHENTICATED', async () => {
    expect(errorCode(await t.gql(PortfoliosDocument, {}))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(PortfolioDocument, { id: mine[0]! }))).toBe('UNAUTHENTICATED');
  });
});

describe('activity', () => {
  it('is paginated newest first', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    for (const symbol of ['AAPL', 'MSFT', 'VTI']) await addInvestment(t, owner, portfolio.id, { symbol });
    const expected = ['INVESTMENT_ADDED:VTI', 'INVESTMENT_ADDED:MSFT', 'INVESTMENT_ADDED:AAPL', 'PORTFOLIO_CREATED:'];
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = ok(await t.gql(PortfolioActivityDocument, { id: portfolio.id, first: 3, after }, { token: owner.token })).portfolio!
        .activity;
      expect(page.totalCount).toBe(4);
      for (const { node } of page.edges) {
        const details = JSON.parse(node.details ?? '{}') as { after?: { symbol?: string } };
        seen.push(`${node.action}:${details.after?.symbol ?? ''}`);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(expected);
  });
});

describe('statement count (no N+1)', () => {
  /** SQL statements one request runs. */
  let counter: ((run: () => Promise<unknown>) => Promise<number>) | undefined;
  async function countStatements(run: () => Promise<unknown>): Promise<number> {
    counter ??= statementCounter(t.app.services.db);
    return counter(run);
  }

  /** A user owning `n` portfolios, each shared with two people and holding three investments. */
  async function userWithPortfolios(n: number): Promise<TestUser> {
    const owner = await createTestUser(t);
    const friends = [await createTestUser(t), await createTestUser(t)];
    const db = t.app.services.db;
    for (let i = 0; i < n; i++) {
      await db.portfolio.create({
        data: {
          ownerId: owner.id,
          name: `P${i}`,
          shares: { create: friends.map((f) => ({ userId: f.id, permission: 'VIEW' as const })) },
          transactions: {
            create: ['AAPL', 'MSFT', 'VTI'].map((symbol) =>
              buyOfInvestment({ symbol, quantity: '1.5', purchasePrice: '10', purchaseDate: '2024-01-02' }),
            ),
          },
        },
      });
    }
    return owner;
  }

  it('is the same, and small, for 2 and for 20 portfolios', async () => {
    const two = await userWithPortfolios(2);
    const twenty = await userWithPortfolios(20);
    const query = (user: TestUser) => async () => {
      const page = ok(await t.gql(PortfolioOverviewDocument, { first: 20, investmentsFirst: 50 }, { token: user.token })).portfolios;
      // The data is all there, so the count below is of a full answer.
      expect(page.edges.every((e) => e.node.shares.length === 2 && e.node.investments.edges.length === 3)).toBe(true);
      return page.edges.length;
    };
    const sizes: number[] = [];
    // Mercurius runs a document's first execution as is and JIT-compiles it from the second on;
    // both ways must stay constant.
    const firstRun = await countStatements(async () => sizes.push(await query(two)()));
    const forTwo = await countStatements(async () => sizes.push(await query(two)()));
    const forTwenty = await countStatements(async () => sizes.push(await query(twenty)()));
    expect(sizes).toEqual([2, 2, 20]);
    expect(forTwenty).toBe(forTwo);
    // Portfolios (with their investment counts), their total count, owners, shares, shared users,
    // investments, the caller's roles; compiled, the shares' users reload in one more batch.
    expect(firstRun).toBeLessThanOrEqual(7);
    expect(forTwenty).toBeLessThanOrEqual(9);
    console.info(`PortfolioOverview SQL statements: first run ${firstRun}; compiled, ${forTwo} for 2 portfolios and ${forTwenty} for 20`);
  });
});
