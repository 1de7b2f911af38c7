/** Sharing by email: who can be shared with, sharing again, unsharing, and what that changes. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PortfolioDocument,
  PortfoliosDocument,
  PortfolioSharesDocument,
  SharePortfolioDocument,
  UnsharePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { createPortfolio, ok } from '../../test/portfolios.js';

const t = useTestApp();
let owner: TestUser;
let friend: TestUser;
beforeAll(async () => {
  owner = await createTestUser(t);
  friend = await createTestUser(t);
});

const detailsOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.details;

describe('sharePortfolio', () => {
  it('finds the account by email whatever its case, and the portfolio then lists for them', async () => {
    const portfolio = await createPortfolio(t, owner, { name: 'For my friend' });
    const share = ok(
      await t.gql(
        SharePortfolioDocument,
        { portfolioId: portfolio.id, email: `  ${friend.email.toUpperCase()} `, permission: 'VIEW' },
        { token: owner.token },
      ),
    ).sharePortfolio;
    expect(share).toMatchObject({ permission: 'VIEW', user: { id: friend.id, email: friend.email } });
    const listed = ok(await t.gql(PortfoliosDocument, {}, { token: friend.token })).portfolios.edges.map((e) => e.node);
    expect(listed.find((p) => p.id === portfolio.id)).toMatchObject({ name: 'For my friend', myRole: 'VIEW' });
  });

  it('refuses yourself, the owner, and unknown addresses, each clearly', async () => {
    const portfolio = await createPortfolio(t, owner);
    const admin = await createTestUser(t);
    await t.app.services.db.portfolioShare.create({ data: { portfolioId: portfolio.id, userId: admin.id, permission: 'ADMIN' } });
    const share = (email: string, token: string) =>
      t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email, permission: 'VIEW' }, { token });

    expect(detailsOf(await share(owner.email, owner.token))).toEqual([
      { field: 'email', message: 'You cannot share a portfolio with yourself' },
    ]);
    expect(detailsOf(await share(admin.email, admin.token))).toEqual([
      { field: 'email', message: 'You cannot share a portfolio with yourself' },
    ]);
    expect(detailsOf(await share(owner.email, admin.token))).toEqual([
      { field: 'email', message: 'This is the owner, who already has full access' },
    ]);
    const unknown = await share('nobody-here@example.com', owner.token);
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(detailsOf(unknown)).toEqual([{ field: 'email', message: 'No account uses this email address; ask them to sign up first' }]);
  });

  it('sharing again changes the permission (one share, not two)', async () => {
    const portfolio = await createPortfolio(t, owner);
    const first = ok(
      await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: friend.email, permission: 'VIEW' }, { token: owner.token }),
    );
    const again = ok(
      await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: friend.email, permission: 'EDIT' }, { token: owner.token }),
    );
    expect(again.sharePortfolio.id).toBe(first.sharePortfolio.id);
    expect(again.sharePortfolio.permission).toBe('EDIT');
    const shares = ok(await t.gql(PortfolioSharesDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.shares;
    expect(shares.map((s) => [s.user.id, s.permission])).toEqual([[friend.id, 'EDIT']]);
    expect(ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: friend.token })).portfolio!.myRole).toBe('EDIT');
  });
});

describe('unsharePortfolio', () => {
  it('removes access at once, and unsharing someone not shared is NOT_FOUND', async () => {
    const portfolio = await createPortfolio(t, owner);
    ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: friend.email, permission: 'EDIT' }, { token: owner.token }));
    expect(
      ok(await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: owner.token })).unsharePortfolio,
    ).toBe(true);
    expect(ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: friend.token })).portfolio).toBeNull();
    const listed = ok(await t.gql(PortfoliosDocument, {}, { token: friend.token })).portfolios.edges.map((e) => e.node.id);
    expect(listed).not.toContain(portfolio.id);

    const again = await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: owner.token });
    expect(errorCode(again)).toBe('NOT_FOUND');
    expect(again.errors?.[0]?.message).toBe('Share not found');
  });

  it('anyone shared may leave: unsharing yourself needs no more than VIEW', async () => {
    const portfolio = await createPortfolio(t, owner);
    ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: friend.email, permission: 'VIEW' }, { token: owner.token }));
    expect(
      ok(await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: friend.token })).unsharePortfolio,
    ).toBe(true);
    expect(ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: friend.token })).portfolio).toBeNull();
    // Gone now: a second try is a stranger's, so the portfolio is not found.
    expect(
      errorCode(await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: friend.token })),
    ).toBe('NOT_FOUND');
  });

  it('a public portfolio stays readable to someone unshared, as PUBLIC', async () => {
    const portfolio = await createPortfolio(t, owner, { isPublic: true });
    ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: friend.email, permission: 'VIEW' }, { token: owner.token }));
    ok(await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: owner.token }));
    expect(ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: friend.token })).portfolio!.myRole).toBe('PUBLIC');
    // Nor does it list among theirs.
    const listed = ok(await t.gql(PortfoliosDocument, {}, { token: friend.token })).portfolios.edges.map((e) => e.node.id);
    expect(listed).not.toContain(portfolio.id);
  });
});
