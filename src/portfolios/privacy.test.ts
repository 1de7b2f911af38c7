/**
 * What a public reader (signed in, not shared with) sees of a PUBLIC portfolio: the holdings and
 * the owner's name, never the owner's account fields or the investments' notes (contract README,
 * Portfolio rules; the matrix in ./roles.ts). Collaborators and the owner still see them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PortfolioDocument } from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';

const t = useTestApp();
let owner: TestUser;
let viewer: TestUser;
let reader: TestUser;
let portfolioId: string;

beforeAll(async () => {
  await seedMarketAssets(t);
  owner = await createTestUser(t, { name: 'Olivia Owner' });
  viewer = await createTestUser(t);
  reader = await createTestUser(t);
  portfolioId = (await createPortfolio(t, owner, { isPublic: true })).id;
  await addInvestment(t, owner, portfolioId, { notes: 'bought before the divorce settles' });
  await t.app.services.db.portfolioShare.create({ data: { portfolioId, userId: viewer.id, permission: 'VIEW' } });
  // Has logged in once, so lastLoginAt has something to leak.
  await t.app.services.db.user.update({ where: { id: owner.id }, data: { lastLoginAt: new Date() } });
});

const ACCOUNT_FIELDS = ['email', 'emailVerified', 'mfaEnabled', 'lastLoginAt', 'createdAt'] as const;

const portfolioQuery = (ownerFields: string) => `query ($id: ID!) {
  portfolio(id: $id) { id myRole owner { ${ownerFields} } investments { edges { node { symbol quantity notes } } } }
}`;

describe('a public reader', () => {
  it("sees the holdings and the owner's id and name, and no notes", async () => {
    const result = await t.gql(portfolioQuery('id name'), { id: portfolioId }, { token: reader.token });
    expect(result.errors).toBeUndefined();
    const portfolio = (result.data as { portfolio: { myRole: string; owner: unknown; investments: { edges: { node: unknown }[] } } })
      .portfolio;
    expect(portfolio.myRole).toBe('PUBLIC');
    expect(portfolio.owner).toEqual({ id: owner.id, name: 'Olivia Owner' });
    expect(portfolio.investments.edges.map((e) => e.node)).toEqual([{ symbol: 'AAPL', quantity: '10', notes: null }]);
  });

  it.each(ACCOUNT_FIELDS)("is refused the owner's %s (FORBIDDEN), whichever way the owner is reached", async (field) => {
    for (const query of [
      portfolioQuery(`id ${field}`),
      `query ($id: ID!) { portfolio(id: $id) { investments { edges { node { portfolio { owner { ${field} } } } } } } }`,
    ]) {
      const result = await t.gql(query, { id: portfolioId }, { token: reader.token });
      expect(errorCode(result)).toBe('FORBIDDEN');
      expect(JSON.stringify(result.data ?? null)).not.toContain(owner.email);
      expect(result.errors?.[0]?.path?.at(-1)).toBe(field);
    }
  });

  it("reads the portfolio with the SDK's own documents, which ask for nothing withheld", async () => {
    const result = ok(await t.gql(PortfolioDocument, { id: portfolioId }, { token: reader.token }));
    expect(result.portfolio).toMatchObject({ myRole: 'PUBLIC', owner: { id: owner.id, name: 'Olivia Owner' } });
    expect(result.portfolio!.investments.edges.map((e) => e.node.notes)).toEqual([null]);
    expect(JSON.stringify(result)).not.toContain(owner.email);
  });
});

describe('collaborators and the owner', () => {
  it.each([
    ['the owner', () => owner],
    ['a VIEW share', () => viewer],
  ])('%s see the account fields and the notes', async (_who, who) => {
    const result = await t.gql(portfolioQuery(`id name ${ACCOUNT_FIELDS.join(' ')}`), { id: portfolioId }, { token: who().token });
    expect(result.errors).toBeUndefined();
    const portfolio = (
      result.data as { portfolio: { owner: Record<string, unknown>; investments: { edges: { node: { notes: string | null } }[] } } }
    ).portfolio;
    expect(portfolio.owner).toMatchObject({ email: owner.email, emailVerified: true, mfaEnabled: false });
    expect(portfolio.owner.lastLoginAt).toEqual(expect.any(String));
    expect(portfolio.investments.edges[0]!.node.notes).toBe('bought before the divorce settles');
  });

  it('a reader still sees their own account fields (`me`)', async () => {
    const me = await t.gql('{ me { email mfaEnabled } }', {}, { token: reader.token });
    expect(me.data).toEqual({ me: { email: reader.email, mfaEnabled: false } });
  });
});
