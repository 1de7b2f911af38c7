/**
 * The audit trail: one row per change, with who, what (before/after), IP and user agent; none
 * for a refused or empty change; gone with its portfolio.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddInvestmentDocument,
  DeletePortfolioDocument,
  PortfolioActivityDocument,
  RemoveInvestmentDocument,
  SharePortfolioDocument,
  UnsharePortfolioDocument,
  UpdateInvestmentDocument,
  UpdatePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addInvestment, createPortfolio, HOLDING, ok, seedMarketAssets } from '../../test/portfolios.js';

const t = useTestApp();
let owner: TestUser;
const USER_AGENT = 'Foliograph-SPA/1.0 (activity test)';

beforeAll(async () => {
  await seedMarketAssets(t);
  owner = await createTestUser(t);
});

async function trail(portfolioId: string, token = owner.token) {
  const activity = ok(await t.gql(PortfolioActivityDocument, { id: portfolioId, first: 100 }, { token })).portfolio!.activity;
  return activity.edges.map((e) => ({
    ...e.node,
    details: e.node.details === null ? null : (JSON.parse(e.node.details) as Record<string, unknown>),
  }));
}

describe('each change writes one row', () => {
  it('with the actor, the before/after of what changed, the IP and the user agent', async () => {
    const headers = { 'user-agent': USER_AGENT };
    const friend = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner, { name: 'Audited' });
    ok(
      await t.gql(
        UpdatePortfolioDocument,
        { id: portfolio.id, input: { name: 'Audited!', description: 'now with notes' } },
        { token: owner.token, headers },
      ),
    );
    const investment = ok(
      await t.gql(
        AddInvestmentDocument,
        { portfolioId: portfolio.id, input: { ...HOLDING, quantity: '2' } },
        { token: owner.token, headers },
      ),
    ).addInvestment;
    ok(
      await t.gql(
        UpdateInvestmentDocument,
        { id: investment.id, input: { quantity: '2.5', notes: 'topped up' } },
        { token: owner.token, headers },
      ),
    );
    ok(
      await t.gql(
        SharePortfolioDocument,
        { portfolioId: portfolio.id, email: friend.email, permission: 'VIEW' },
        { token: owner.token, headers },
      ),
    );
    ok(
      await t.gql(
        SharePortfolioDocument,
        { portfolioId: portfolio.id, email: friend.email, permission: 'EDIT' },
        { token: owner.token, headers },
      ),
    );
    ok(await t.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: friend.id }, { token: owner.token, headers }));
    ok(await t.gql(RemoveInvestmentDocument, { id: investment.id }, { token: owner.token, headers }));

    const rows = await trail(portfolio.id);
    expect(rows.map((r) => r.action)).toEqual([
      'INVESTMENT_REMOVED',
      'PORTFOLIO_UNSHARED',
      'PORTFOLIO_SHARED',
      'PORTFOLIO_SHARED',
      'INVESTMENT_UPDATED',
      'INVESTMENT_ADDED',
      'PORTFOLIO_UPDATED',
      'PORTFOLIO_CREATED',
    ]);
    for (const row of rows) expect(row.actor).toEqual({ id: owner.id, email: owner.email });
    // The request's own address and agent (the creation came without an explicit user agent).
    for (const row of rows.slice(0, -1)) expect(row).toMatchObject({ ipAddress: '127.0.0.1', userAgent: USER_AGENT });

    const [removed, unshared, reshared, shared, updated, added, renamed, created] = rows.map((r) => r.details);
    expect(created).toEqual({ after: { name: 'Audited', description: null, isPublic: false, baseCurrency: 'USD' } });
    expect(renamed).toEqual({ before: { name: 'Audited', description: null }, after: { name: 'Audited!', description: 'now with notes' } });
    expect(added).toMatchObject({
      investmentId: investment.id,
      after: { symbol: 'AAPL', quantity: '2', purchasePrice: '150.25', purchaseDate: '2024-03-15' },
    });
    expect(updated).toEqual({
      investmentId: investment.id,
      symbol: 'AAPL',
      before: { quantity: '2', notes: null },
      after: { quantity: '2.5', notes: 'topped up' },
    });
    expect(shared).toEqual({ user: { id: friend.id, email: friend.email }, before: null, after: { permission: 'VIEW' } });
    expect(reshared).toEqual({
      user: { id: friend.id, email: friend.email },
      before: { permission: 'VIEW' },
      after: { permission: 'EDIT' },
    });
    expect(unshared).toEqual({ user: { id: friend.id, email: friend.email }, before: { permission: 'EDIT' }, after: null });
    expect(removed).toMatchObject({ investmentId: investment.id, before: { symbol: 'AAPL', quantity: '2.5', notes: 'topped up' } });
  });
});

describe('no row without a change', () => {
  it('none for input refused, or for a change that changes nothing', async () => {
    const portfolio = await createPortfolio(t, owner);
    const investment = await addInvestment(t, owner, portfolio.id);
    const before = (await trail(portfolio.id)).length;

    expect(
      errorCode(
        await t.gql(AddInvestmentDocument, { portfolioId: portfolio.id, input: { ...HOLDING, quantity: '-1' } }, { token: owner.token }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(UpdatePortfolioDocument, { id: portfolio.id, input: { name: '' } }, { token: owner.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      errorCode(
        await t.gql(
          SharePortfolioDocument,
          { portfolioId: portfolio.id, email: 'nobody@example.com', permission: 'VIEW' },
          { token: owner.token },
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    // Same values again: "10" and "10.00000000" are one quantity.
    ok(
      await t.gql(
        UpdateInvestmentDocument,
        { id: investment.id, input: { quantity: '10.00000000', purchaseDate: '2024-03-15' } },
        { token: owner.token },
      ),
    );
    ok(await t.gql(UpdatePortfolioDocument, { id: portfolio.id, input: {} }, { token: owner.token }));

    expect((await trail(portfolio.id)).length).toBe(before);
  });
});

describe('actors and deletion', () => {
  it('keeps the row with a null actor once that account is deleted', async () => {
    const editor = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner);
    await t.app.services.db.portfolioShare.create({ data: { portfolioId: portfolio.id, userId: editor.id, permission: 'EDIT' } });
    await addInvestment(t, editor, portfolio.id);
    await t.app.services.db.user.delete({ where: { id: editor.id } });
    const [added] = await trail(portfolio.id);
    expect(added).toMatchObject({ action: 'INVESTMENT_ADDED', actor: null });
  });

  it('deletePortfolio takes the whole trail with it', async () => {
    const portfolio = await createPortfolio(t, owner);
    await addInvestment(t, owner, portfolio.id);
    const db = t.app.services.db;
    expect(await db.portfolioActivity.count({ where: { portfolioId: portfolio.id } })).toBe(2);
    ok(await t.gql(DeletePortfolioDocument, { id: portfolio.id }, { token: owner.token }));
    expect(await db.portfolioActivity.count({ where: { portfolioId: portfolio.id } })).toBe(0);
    expect(await db.investment.count({ where: { portfolioId: portfolio.id } })).toBe(0);
  });
});
