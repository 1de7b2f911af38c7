import { generate } from 'otplib';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { disposeClients, listen, RawSocket } from '../../test/ws.js';

const t = useTestApp();
afterEach(() => disposeClients());

const ME = `{ me { id } }`;
const DELETE = `mutation($password: String!, $code: String) { deleteAccount(password: $password, code: $code) }`;

/** Rows of any table that still name the user (every user_id / owner_id column, and users). */
async function rowsNaming(userId: string): Promise<Record<string, number>> {
  const db = t.app.services.db;
  const columns = await db.$queryRaw<Array<{ table_name: string; column_name: string }>>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name IN ('user_id', 'owner_id') AND data_type = 'uuid'`;
  const found: Record<string, number> = {};
  for (const { table_name, column_name } of [...columns, { table_name: 'users', column_name: 'id' }]) {
    const [row] = await db.$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}" = $1::uuid`,
      userId,
    );
    if (Number(row!.n) > 0) found[`${table_name}.${column_name}`] = Number(row!.n);
  }
  return found;
}

async function populatedAccount(): Promise<{ user: TestUser; other: TestUser; othersPortfolioId: string; apiToken: string }> {
  await seedMarketAssets(t);
  const user = await createTestUser(t);
  const other = await createTestUser(t);
  const own = await createPortfolio(t, user, { name: 'Mine' });
  await addInvestment(t, user, own.id);
  ok(
    await t.gql(
      `mutation($id: ID!, $email: String!) { sharePortfolio(portfolioId: $id, email: $email, permission: VIEW) { id } }`,
      { id: own.id, email: other.email },
      { token: user.token },
    ),
  );
  // A portfolio of someone else's that the user edits: their activity rows stay, actor gone.
  const theirs = await createPortfolio(t, other, { name: 'Theirs' });
  ok(
    await t.gql(
      `mutation($id: ID!, $email: String!) { sharePortfolio(portfolioId: $id, email: $email, permission: EDIT) { id } }`,
      { id: theirs.id, email: user.email },
      { token: other.token },
    ),
  );
  await addInvestment(t, user, theirs.id, { symbol: 'MSFT' });
  ok(
    await t.gql(
      `mutation { createCustomAsset(input: { symbol: "HOUSE1", name: "House", type: REAL_ESTATE, currency: "USD" }) { symbol } }`,
      {},
      { token: user.token },
    ),
  );
  ok(
    await t.gql(
      `mutation { setCustomAssetPrices(symbol: "HOUSE1", prices: [{ date: "2024-01-02", close: "500000" }]) }`,
      {},
      { token: user.token },
    ),
  );
  const created = ok(
    await t.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "script", scopes: [READ] }) { token } }`,
      {},
      { token: user.token },
    ),
  );
  return { user, other, othersPortfolioId: theirs.id, apiToken: created.createApiToken.token };
}

describe('deleteAccount', () => {
  it('leaves no row of the user, keeps others’ portfolios with the activity actor deleted, and stops every token and subscription at once', async () => {
    const { user, other, othersPortfolioId, apiToken } = await populatedAccount();
    expect(Object.keys(await rowsNaming(user.id)).sort()).toEqual(
      expect.arrayContaining([
        'api_tokens.user_id',
        'assets.owner_id',
        'portfolio_activities.user_id',
        'portfolio_shares.user_id',
        'portfolios.owner_id',
        'sessions.user_id',
        'users.id',
      ]),
    );
    const customAssets = await t.app.services.db.asset.findMany({ where: { ownerId: user.id }, select: { id: true } });
    const priceRows = () => t.app.services.db.dailyPrice.count({ where: { assetId: { in: customAssets.map((a) => a.id) } } });
    expect(await priceRows()).toBe(1);
    const url = await listen(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);

    const result = await t.gql<{ deleteAccount: boolean }>(DELETE, { password: user.password }, { token: user.token });
    expect(result.errors).toBeUndefined();
    expect(result.data?.deleteAccount).toBe(true);

    expect(await rowsNaming(user.id)).toEqual({});
    expect(await priceRows()).toBe(0);
    expect((await socket.closed).code).toBe(4403);
    expect((await t.gql(ME, {}, { token: user.token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(ME, {}, { token: apiToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The old access token cannot write either: UNAUTHENTICATED, not an internal error.
    expect(errorCode(await t.gql(`mutation { createPortfolio(input: { name: "ghost" }) { id } }`, {}, { token: user.token }))).toBe(
      'UNAUTHENTICATED',
    );

    const activity = await t.gql<{
      portfolio: { investments: { totalCount: number }; activity: { edges: Array<{ node: { action: string; actor: unknown } }> } };
    }>(
      `query($id: ID!) { portfolio(id: $id) { investments { totalCount } activity(first: 10) { edges { node { action actor { id } } } } } }`,
      { id: othersPortfolioId },
      { token: other.token },
    );
    const portfolio = ok(activity).portfolio;
    expect(portfolio.investments.totalCount).toBe(1);
    const actions = portfolio.activity.edges.map((e) => e.node);
    expect(actions).toContainEqual({ action: 'INVESTMENT_ADDED', actor: null });
    expect((await t.gql<{ me: { id: string } }>(ME, {}, { token: other.token })).data?.me?.id).toBe(other.id);
  });

  it('needs the right password, and with MFA on a code', async () => {
    const user = await createTestUser(t);
    const wrong = await t.gql(DELETE, { password: 'not-the-password' }, { token: user.token });
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(DELETE, { password: user.password }))).toBe('UNAUTHENTICATED');

    const setup = ok(await t.gql<{ setupMfa: { secret: string } }>(`mutation { setupMfa { secret } }`, {}, { token: user.token }));
    const secret = setup.setupMfa.secret;
    const enabled = ok(
      await t.gql<{ verifyMfa: { backupCodes: string[] } }>(
        `mutation($code: String!) { verifyMfa(code: $code) { backupCodes } }`,
        { code: await generate({ secret }) },
        { token: user.token },
      ),
    );
    expect(errorCode(await t.gql(DELETE, { password: user.password }, { token: user.token }))).toBe('MFA_REQUIRED');
    expect(errorCode(await t.gql(DELETE, { password: user.password, code: '000000' }, { token: user.token }))).toBe('INVALID_MFA_CODE');
    expect(await t.app.services.db.user.count({ where: { id: user.id } })).toBe(1);
    const done = await t.gql<{ deleteAccount: boolean }>(
      DELETE,
      { password: user.password, code: enabled.verifyMfa.backupCodes[0] },
      { token: user.token },
    );
    expect(done.data?.deleteAccount).toBe(true);
    expect(await rowsNaming(user.id)).toEqual({});
  });
});
