/**
 * Edits of old transactions that would break later ones, over GraphQL (issue 13, "Validation with
 * field details"): a split made smaller or deleted under a later SELL, a BUY moved to another
 * symbol or after the dividend it pays, a TRANSFER_OUT of more than is held. Each is one
 * BAD_USER_INPUT naming the field changed and the transaction it would break; nothing is
 * half-applied (the ledger, the investments and the activity trail are as before).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteTransactionDocument,
  PortfolioActivityDocument,
  PortfolioLedgerDocument,
  PortfolioTransactionsDocument,
  RecordTransactionDocument,
  UpdateTransactionDocument,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let owner: TestUser;

beforeAll(async () => {
  await seedLedgerAssets(t);
  owner = await createTestUser(t);
});

type Result = { errors?: readonly { extensions?: Record<string, unknown> }[] };
const detailsOf = (result: Result) => (result.errors?.[0]?.extensions?.details ?? []) as { field: string; message: string }[];

async function record(portfolioId: string, input: TransactionInput) {
  return ok(await t.gql(RecordTransactionDocument, { portfolioId, input }, { token: owner.token })).recordTransaction;
}

/** Everything an edit could touch: transactions, lots, realized gains, cash, the trail. */
async function everything(id: string) {
  const [transactions, ledger, activity] = await Promise.all([
    t.gql(PortfolioTransactionsDocument, { id, first: 50 }, { token: owner.token }),
    t.gql(PortfolioLedgerDocument, { id, includeClosed: true }, { token: owner.token }),
    t.gql(PortfolioActivityDocument, { id }, { token: owner.token }),
  ]);
  return {
    transactions: ok(transactions).portfolio!.transactions.edges.map((e) => e.node),
    lots: ok(ledger).portfolio!.lots,
    realized: ok(ledger).portfolio!.realizedGains,
    activity: ok(activity).portfolio!.activity.totalCount,
  };
}

const SPLIT: TransactionInput = { type: 'SPLIT', symbol: 'XYZ', date: '2022-06-01', splitFrom: '1', splitTo: '3' };

describe('edits that would break a later transaction are refused under the field changed', () => {
  it('a split made smaller, or deleted, under the SELL of the split shares', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'XYZ', date: '2022-01-03', quantity: '10', price: '300' });
    const split = await record(id, SPLIT);
    await record(id, { type: 'BUY', symbol: 'XYZ', date: '2022-08-01', quantity: '10', price: '110' });
    const sell = await record(id, { type: 'SELL', symbol: 'XYZ', date: '2023-02-01', quantity: '35', price: '120' });
    const before = await everything(id);

    const smaller = await t.gql(UpdateTransactionDocument, { id: split.id, input: { ...SPLIT, splitTo: '2' } }, { token: owner.token });
    expect(errorCode(smaller)).toBe('BAD_USER_INPUT');
    expect(detailsOf(smaller)).toEqual([
      {
        field: 'splitTo',
        message: `would break the SELL of 2023-02-01 (${sell.id}): its quantity is more than the 30 XYZ held on 2023-02-01`,
      },
    ]);
    const reversed = await t.gql(
      UpdateTransactionDocument,
      { id: split.id, input: { ...SPLIT, splitFrom: '3', splitTo: '3' } },
      { token: owner.token },
    );
    expect(detailsOf(reversed)[0]!.field).toBe('splitFrom');
    const deleted = await t.gql(DeleteTransactionDocument, { id: split.id }, { token: owner.token });
    expect(detailsOf(deleted)).toEqual([
      { field: 'id', message: `would break the SELL of 2023-02-01 (${sell.id}): its quantity is more than the 20 XYZ held on 2023-02-01` },
    ]);
    expect(await everything(id)).toEqual(before);

    // A larger split keeps the ledger whole, and the lots follow it.
    ok(await t.gql(UpdateTransactionDocument, { id: split.id, input: { ...SPLIT, splitTo: '4' } }, { token: owner.token }));
    const lots = ok(await t.gql(PortfolioLedgerDocument, { id }, { token: owner.token })).portfolio!.lots;
    // 40 split shares and 10 bought, 35 sold first in first out: 5 of the split lot and the 10 left.
    expect(lots.map((lot) => [lot.quantity, lot.remainingQuantity, lot.costPerShare])).toEqual([
      ['40', '5', '75'],
      ['10', '10', '110'],
    ]);
  });

  it('a BUY moved to another symbol, or after the dividend it pays', async () => {
    const { id } = await createPortfolio(t, owner);
    const buy: TransactionInput = { type: 'BUY', symbol: 'XYZ', date: '2024-01-02', quantity: '10', price: '50' };
    const lot = await record(id, buy);
    const dividend = await record(id, { type: 'DIVIDEND', symbol: 'XYZ', date: '2024-03-01', amount: '12', fee: '1.8' });
    const before = await everything(id);

    const moved = await t.gql(UpdateTransactionDocument, { id: lot.id, input: { ...buy, symbol: 'ABC' } }, { token: owner.token });
    expect(detailsOf(moved)).toEqual([
      {
        field: 'symbol',
        message: `would break the DIVIDEND of 2024-03-01 (${dividend.id}): its symbol XYZ was never held on or before 2024-03-01`,
      },
    ]);
    const later = await t.gql(UpdateTransactionDocument, { id: lot.id, input: { ...buy, date: '2024-04-01' } }, { token: owner.token });
    expect(detailsOf(later)).toEqual([
      {
        field: 'date',
        message: `would break the DIVIDEND of 2024-03-01 (${dividend.id}): its symbol XYZ was never held on or before 2024-03-01`,
      },
    ]);
    expect(await everything(id)).toEqual(before);
  });

  it('a TRANSFER_OUT of more than is held on its date', async () => {
    const { id } = await createPortfolio(t, owner);
    await record(id, { type: 'BUY', symbol: 'XYZ', date: '2024-01-02', quantity: '10', price: '50' });
    const out = await t.gql(
      RecordTransactionDocument,
      { portfolioId: id, input: { type: 'TRANSFER_OUT', symbol: 'XYZ', date: '2024-02-01', quantity: '11', price: '50' } },
      { token: owner.token },
    );
    expect(detailsOf(out)).toEqual([{ field: 'quantity', message: 'is more than the 10 XYZ held on 2024-02-01' }]);
  });
});
