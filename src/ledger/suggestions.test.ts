/**
 * Suggested corporate actions through the API (issue 25, "Corporate actions from the market
 * data"), against the simulated provider: its real NVDA 10-for-1 split of 2024-06-10 and its
 * quarterly KO/JNJ dividends. Entitlement is what is held at the end of the day before the
 * ex-date; accept records once (a second accept is CONFLICT); dismiss hides.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let owner: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  owner = await createTestUser(t);
  viewer = await createTestUser(t);
});

interface Suggestion {
  id: string;
  type: string;
  symbol: string;
  date: string;
  exDate: string | null;
  amountPerShare: string | null;
  amount: string | null;
  currency: string | null;
  splitFrom: string | null;
  splitTo: string | null;
  source: string;
}

const SUGGESTIONS = `query Suggestions($id: ID!) { portfolio(id: $id) { suggestedTransactions {
  id type symbol date exDate amountPerShare amount currency splitFrom splitTo source } } }`;
const RECORD = `mutation Record($portfolioId: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $portfolioId, input: $input) { id } }`;
const ACCEPT = `mutation Accept($id: ID!, $input: TransactionInput) { acceptSuggestedTransaction(id: $id, input: $input) {
  id type date symbol amount fee currency splitFrom splitTo } }`;
const DISMISS = `mutation Dismiss($id: ID!) { dismissSuggestedTransaction(id: $id) }`;

async function suggestions(portfolioId: string, user = owner): Promise<Suggestion[]> {
  const data = ok(
    await t.gql<{ portfolio: { suggestedTransactions: Suggestion[] } }>(SUGGESTIONS, { id: portfolioId }, { token: user.token }),
  );
  return data.portfolio.suggestedTransactions;
}

async function record(portfolioId: string, input: Record<string, string>) {
  ok(await t.gql(RECORD, { portfolioId, input }, { token: owner.token }));
}

describe('suggestedTransactions', () => {
  it('suggests the NVDA split once; accepted it is a SPLIT in the ledger, and a second accept is CONFLICT', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'NVDA', date: '2024-01-02', quantity: '5', price: '48.17' });
    const splits = (await suggestions(id)).filter((s) => s.type === 'SPLIT');
    // The 4-for-1 of 2021 precedes the purchase: only the 10-for-1 is offered.
    expect(splits).toEqual([
      expect.objectContaining({
        symbol: 'NVDA',
        date: '2024-06-10',
        exDate: null,
        splitFrom: '1',
        splitTo: '10',
        source: 'simulated',
        amount: null,
      }),
    ]);

    const accepted = ok(
      await t.gql<{ acceptSuggestedTransaction: Record<string, unknown> }>(ACCEPT, { id: splits[0]!.id }, { token: owner.token }),
    );
    expect(accepted.acceptSuggestedTransaction).toMatchObject({ type: 'SPLIT', date: '2024-06-10', symbol: 'NVDA' });
    expect(new Decimal(accepted.acceptSuggestedTransaction.splitTo as string).toNumber()).toBe(10);
    expect((await suggestions(id)).filter((s) => s.type === 'SPLIT')).toEqual([]);

    const again = await t.gql(ACCEPT, { id: splits[0]!.id }, { token: owner.token });
    expect(errorCode(again)).toBe('CONFLICT');
    const ledger = ok(
      await t.gql<{ portfolio: { transactions: { totalCount: number } } }>(
        `query($id: ID!) { portfolio(id: $id) { transactions(types: [SPLIT]) { totalCount } } }`,
        { id },
        { token: owner.token },
      ),
    );
    expect(ledger.portfolio.transactions.totalCount).toBe(1);
  });

  it('a dividend is entitlement (held the day before the ex-date) × the amount per share; accept may correct it', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'KO', date: '2023-01-03', quantity: '100', price: '63' });
    const before = (await suggestions(id)).filter((s) => s.type === 'DIVIDEND' && s.exDate! < '2024-01-01');
    expect(before).toHaveLength(4);
    const [first, second] = before;
    // Sell 60 the day before the second ex-date: 40 are entitled to it.
    const dayBefore = new Date(Date.parse(`${second!.exDate}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await record(id, { type: 'SELL', symbol: 'KO', date: dayBefore, quantity: '60', price: '60' });
    const after = (await suggestions(id)).filter((s) => s.type === 'DIVIDEND' && s.exDate! < '2024-01-01');
    expect(new Decimal(after[0]!.amount!).eq(new Decimal(first!.amountPerShare!).times(100))).toBe(true);
    expect(new Decimal(after[1]!.amount!).eq(new Decimal(second!.amountPerShare!).times(40))).toBe(true);
    expect(after[1]).toMatchObject({ symbol: 'KO', currency: 'USD', source: 'simulated' });
    expect(after[1]!.date > after[1]!.exDate!).toBe(true); // paid after the ex-date

    const accepted = ok(
      await t.gql<{ acceptSuggestedTransaction: Record<string, unknown> }>(
        ACCEPT,
        { id: after[1]!.id, input: { type: 'DIVIDEND', date: after[1]!.date, fee: '1.5' } },
        { token: owner.token },
      ),
    );
    expect(accepted.acceptSuggestedTransaction).toMatchObject({ type: 'DIVIDEND', symbol: 'KO', date: after[1]!.date, currency: 'USD' });
    expect(new Decimal(accepted.acceptSuggestedTransaction.amount as string).eq(after[1]!.amount!)).toBe(true);
    expect(new Decimal(accepted.acceptSuggestedTransaction.fee as string).toNumber()).toBe(1.5);
    expect((await suggestions(id)).map((s) => s.id)).not.toContain(after[1]!.id);
  });

  it('a position sold before the ex-date gets none', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'JNJ', date: '2023-01-03', quantity: '10', price: '170' });
    await record(id, { type: 'SELL', symbol: 'JNJ', date: '2023-01-04', quantity: '10', price: '171' });
    expect(await suggestions(id)).toEqual([]);
  });

  it('dismiss hides a suggestion (twice is fine); a viewer sees suggestions but may not accept or dismiss', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'KO', date: '2024-01-02', quantity: '10', price: '59' });
    const [first] = await suggestions(id);
    expect(ok(await t.gql<{ dismissSuggestedTransaction: boolean }>(DISMISS, { id: first!.id }, { token: owner.token }))).toEqual({
      dismissSuggestedTransaction: true,
    });
    ok(await t.gql(DISMISS, { id: first!.id }, { token: owner.token }));
    expect((await suggestions(id)).map((s) => s.id)).not.toContain(first!.id);

    ok(
      await t.gql(
        `mutation($p: ID!, $e: String!) { sharePortfolio(portfolioId: $p, email: $e, permission: VIEW) { permission } }`,
        { p: id, e: viewer.email },
        { token: owner.token },
      ),
    );
    const seen = await suggestions(id, viewer);
    expect(seen.length).toBeGreaterThan(0);
    expect(errorCode(await t.gql(ACCEPT, { id: seen[0]!.id }, { token: viewer.token }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(DISMISS, { id: seen[0]!.id }, { token: viewer.token }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(ACCEPT, { id: 'not-a-suggestion' }, { token: owner.token }))).toBe('NOT_FOUND');
  });
});

describe('no double adjustment across a split', () => {
  it("values a held NVDA position continuously across its recorded 10-for-1 split (the provider's closes are split-adjusted)", async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'NVDA', date: '2024-05-01', quantity: '2', price: '850' });
    const split = (await suggestions(id)).find((s) => s.type === 'SPLIT' && s.date === '2024-06-10')!;
    ok(await t.gql(ACCEPT, { id: split.id }, { token: owner.token }));

    const performance = ok(
      await t.gql<{ portfolio: { performance: { series: Array<{ date: string; value: string }> } } }>(
        `query($id: ID!) { portfolio(id: $id) { performance(from: "2024-06-03", to: "2024-06-14") { series { date value } } } }`,
        { id },
        { token: owner.token },
      ),
    );
    const value = new Map(performance.portfolio.performance.series.map((p) => [p.date, new Decimal(p.value)]));
    const history = ok(
      await t.gql<{ history: Array<{ date: string; close: string }> }>(
        `{ history(symbol: "NVDA", from: "2024-06-07", to: "2024-06-10") { date close } }`,
        {},
        { token: owner.token },
      ),
    );
    const close = new Map(history.history.map((c) => [c.date, new Decimal(c.close)]));
    // Friday before and Monday of the split: 2 pre-split shares are 20 shares at the adjusted closes.
    expect(value.get('2024-06-07')!.toNumber()).toBeCloseTo(close.get('2024-06-07')!.times(20).toNumber(), 2);
    expect(value.get('2024-06-10')!.toNumber()).toBeCloseTo(close.get('2024-06-10')!.times(20).toNumber(), 2);
    const dayMove = value.get('2024-06-10')!.div(value.get('2024-06-07')!).toNumber();
    expect(dayMove).toBeGreaterThan(0.8);
    expect(dayMove).toBeLessThan(1.25);
  });
});
