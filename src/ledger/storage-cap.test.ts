/**
 * The per-account storage cap (issue 21): an account's portfolios hold at most
 * MAX_TRANSACTIONS_PER_ACCOUNT transactions, whoever writes them and however (recordTransaction,
 * importTransactions, importPortfolio); past it the write is BAD_USER_INPUT and nothing is stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets, seedMarketAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp(() => ({ env: { MAX_TRANSACTIONS_PER_ACCOUNT: '5' } }));
let owner: TestUser;

const RECORD = `mutation Record($id: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $id, input: $input) { id } }`;
const IMPORT = `mutation Import($id: ID!, $input: ImportTransactionsInput!) { importTransactions(portfolioId: $id, input: $input) { added } }`;
const COUNT = `query Count($id: ID!) { portfolio(id: $id) { transactions(first: 1) { totalCount } } }`;

const deposit = (day: number) => ({ type: 'DEPOSIT', date: `2024-01-${String(day).padStart(2, '0')}`, amount: '100', currency: 'USD' });
const csv = (days: number[]) =>
  ['date,type,amount,currency', ...days.map((d) => `2024-02-${String(d).padStart(2, '0')},DEPOSIT,100,USD`)].join('\n');

async function count(id: string): Promise<number> {
  return ok(await t.gql<{ portfolio: { transactions: { totalCount: number } } }>(COUNT, { id }, { token: owner.token })).portfolio
    .transactions.totalCount;
}

beforeAll(async () => {
  await seedMarketAssets(t);
  await seedLedgerAssets(t);
  owner = await createTestUser(t);
});

describe('the per-account storage cap', () => {
  it('counts every portfolio of the account and refuses the write that passes it, record and import alike', async () => {
    const first = await createPortfolio(t, owner);
    const second = await createPortfolio(t, owner);
    for (const day of [1, 2, 3]) ok(await t.gql(RECORD, { id: first.id, input: deposit(day) }, { token: owner.token }));
    // Two more fit (3 + 2 = 5), in another portfolio of the same account.
    expect(
      ok(
        await t.gql<{ importTransactions: { added: number } }>(
          IMPORT,
          { id: second.id, input: { data: csv([1, 2]), format: 'FOLIOGRAPH_CSV' } },
          { token: owner.token },
        ),
      ).importTransactions.added,
    ).toBe(2);

    const sixth = await t.gql(RECORD, { id: first.id, input: deposit(4) }, { token: owner.token });
    expect(errorCode(sixth)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(sixth.errors)).toMatch(/at most 5/);
    const imported = await t.gql(IMPORT, { id: second.id, input: { data: csv([3]), format: 'FOLIOGRAPH_CSV' } }, { token: owner.token });
    expect(errorCode(imported)).toBe('BAD_USER_INPUT');
    expect([await count(first.id), await count(second.id)]).toEqual([3, 2]);

    // Room again once something is deleted: the cap bounds what is stored, not what was ever written.
    const anotherUser = await createTestUser(t);
    const theirs = await createPortfolio(t, anotherUser);
    ok(await t.gql(RECORD, { id: theirs.id, input: deposit(1) }, { token: anotherUser.token }));
  });
});
