/**
 * The ledger through GraphQL: the worked examples of src/ledger/core/engine.unit.test.ts (hand-
 * checked, and checked there against bench/ledger_reference.py) recorded as transactions, the
 * input rules with their field details, refusals that leave nothing half-applied, investments as
 * BUY lots, roles and the activity trail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddInvestmentDocument,
  DeleteTransactionDocument,
  PortfolioActivityDocument,
  PortfolioDocument,
  PortfolioLedgerDocument,
  PortfolioTransactionsDocument,
  RecordTransactionDocument,
  RemoveInvestmentDocument,
  SharePortfolioDocument,
  UpdateInvestmentDocument,
  UpdatePortfolioDocument,
  UpdateTransactionDocument,
  type TransactionInput,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedMarketAssets, seedLedgerAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let owner: TestUser;
let viewer: TestUser;
let stranger: TestUser;
beforeAll(async () => {
  await seedMarketAssets(t);
  await seedLedgerAssets(t);
  [owner, viewer, stranger] = await Promise.all([createTestUser(t), createTestUser(t), createTestUser(t)]);
});

type Details = { field: string; message: string }[];
const detailsOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  (result.errors?.[0]?.extensions?.details ?? []) as Details;

async function record(portfolioId: string, input: TransactionInput, user = owner) {
  return ok(await t.gql(RecordTransactionDocument, { portfolioId, input }, { token: user.token })).recordTransaction;
}

async function ledger(
  id: string,
  variables: { method?: 'FIFO' | 'LIFO' | 'HIFO' | 'AVERAGE'; includeClosed?: boolean; from?: string; to?: string } = {},
) {
  return ok(await t.gql(PortfolioLedgerDocument, { id, ...variables }, { token: owner.token })).portfolio!;
}

/** The methods case: three lots of XYZ (101, 120, 110.5 per share with fees), then 15 sold at 130 less 15 fee. */
async function methodsPortfolio(method?: 'FIFO' | 'LIFO' | 'HIFO' | 'AVERAGE') {
  const portfolio = await createPortfolio(t, owner, method ? { costBasisMethod: method } : {});
  const lot1 = await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '10', price: '100', fee: '10' });
  const lot2 = await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2023-06-01', quantity: '10', price: '120' });
  const lot3 = await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2023-09-01', quantity: '10', price: '110', fee: '5' });
  return { portfolio, lots: [lot1, lot2, lot3] };
}
const SELL_15: TransactionInput = { type: 'SELL', symbol: 'XYZ', date: '2024-03-01', quantity: '15', price: '130', fee: '15' };

describe('cost basis: the worked examples through GraphQL', () => {
  it('FIFO by default: gain 325 (280 long term), and every other method on demand', async () => {
    const { portfolio, lots } = await methodsPortfolio();
    const sell = await record(portfolio.id, SELL_15);
    expect([sell.amount, sell.fee, sell.currency, sell.fxRate]).toEqual(['1950', '15', 'USD', '1']);

    const fifo = await ledger(portfolio.id);
    expect(fifo.costBasisMethod).toBe('FIFO');
    expect([
      fifo.realizedGains.method,
      fifo.realizedGains.total.amount,
      fifo.realizedGains.longTerm.amount,
      fifo.realizedGains.shortTerm.amount,
    ]).toEqual(['FIFO', '325', '280', '45']);
    expect(
      fifo.realizedGains.items.map((i) => [
        i.lotId,
        i.quantity,
        i.proceeds.amount,
        i.costBasis.amount,
        i.gain.amount,
        i.longTerm,
        i.sellId,
      ]),
    ).toEqual([
      [lots[0]!.id, '10', '1290', '1010', '280', true, sell.id],
      [lots[1]!.id, '5', '645', '600', '45', false, sell.id],
    ]);
    expect(fifo.lots.map((l) => [l.id, l.quantity, l.remainingQuantity, l.costPerShare])).toEqual([
      [lots[1]!.id, '10', '5', '120'],
      [lots[2]!.id, '10', '10', '110.5'],
    ]);
    const [holding] = fifo.holdings;
    expect([
      holding!.symbol,
      holding!.name,
      holding!.quantity,
      holding!.averageCost,
      holding!.costBasis.amount,
      holding!.costBasis.currency,
    ]).toEqual(['XYZ', 'XYZ Corp', '15', '113.66666667', '1705', 'USD']);
    expect(fifo.cashBalances).toEqual([]);

    // What-ifs: the same ledger closed by each other method.
    const totals = await Promise.all(
      (['LIFO', 'HIFO', 'AVERAGE'] as const).map(async (method) => (await ledger(portfolio.id, { method })).realizedGains.total.amount),
    );
    expect(totals).toEqual(['230', '182.5', '277.5']);
    const closed = await ledger(portfolio.id, { includeClosed: true });
    expect(closed.lots.map((l) => [l.remainingQuantity, l.closedOn])).toEqual([
      ['0', '2024-03-01'],
      ['5', null],
      ['10', null],
    ]);
  });

  it("the portfolio's method decides: AVERAGE pools every lot at 110.5; switching to HIFO keeps the sale's gain (HIFO is a what-if)", async () => {
    const { portfolio } = await methodsPortfolio('AVERAGE');
    await record(portfolio.id, SELL_15);
    const average = await ledger(portfolio.id);
    expect([
      average.costBasisMethod,
      average.realizedGains.total.amount,
      average.holdings[0]!.costBasis.amount,
      average.holdings[0]!.averageCost,
    ]).toEqual(['AVERAGE', '277.5', '1657.5', '110.5']);
    ok(await t.gql(UpdatePortfolioDocument, { id: portfolio.id, input: { costBasisMethod: 'HIFO' } }, { token: owner.token }));
    // The SELL keeps the method it was recorded under (contract, "Ledger": an elected method applies forward).
    expect((await ledger(portfolio.id)).realizedGains.total.amount).toBe('277.5');
    expect((await ledger(portfolio.id, { method: 'HIFO' })).realizedGains.total.amount).toBe('182.5');
  });

  it('specific lots: a SELL naming lot3 then lot1 realizes 185 + 140', async () => {
    const { portfolio, lots } = await methodsPortfolio();
    const sell = await record(portfolio.id, { ...SELL_15, lotIds: [lots[2]!.id, lots[0]!.id] });
    expect(sell.lotIds).toEqual([lots[2]!.id, lots[0]!.id]);
    const report = (await ledger(portfolio.id)).realizedGains;
    expect(report.items.map((i) => [i.lotId, i.quantity, i.gain.amount, i.longTerm])).toEqual([
      [lots[2]!.id, '10', '185', false],
      [lots[0]!.id, '5', '140', true],
    ]);
    // Within a date range only: nothing was closed in 2023.
    const in2023 = (await ledger(portfolio.id, { from: '2023-01-01', to: '2023-12-31' })).realizedGains;
    expect([in2023.from, in2023.to, in2023.total.amount, in2023.items]).toEqual(['2023-01-01', '2023-12-31', '0', []]);
  });

  it('a 3-for-1 split between two buys: 30 split shares at 100 and 5 at 110 sold at 120', async () => {
    const portfolio = await createPortfolio(t, owner);
    await record(portfolio.id, { type: 'BUY', symbol: 'ABC', date: '2022-01-03', quantity: '10', price: '300' });
    const split = await record(portfolio.id, { type: 'SPLIT', symbol: 'ABC', date: '2022-06-01', splitFrom: '1', splitTo: '3' });
    expect([split.amount, split.splitFrom, split.splitTo, split.quantity]).toEqual(['0', '1', '3', null]);
    await record(portfolio.id, { type: 'BUY', symbol: 'ABC', date: '2022-08-01', quantity: '10', price: '110' });
    await record(portfolio.id, { type: 'SELL', symbol: 'ABC', date: '2023-02-01', quantity: '35', price: '120' });
    const view = await ledger(portfolio.id, { includeClosed: true });
    expect(view.realizedGains.items.map((i) => [i.quantity, i.costBasis.amount, i.gain.amount, i.longTerm])).toEqual([
      ['30', '3000', '600', true],
      ['5', '550', '50', false],
    ]);
    expect(view.lots.map((l) => [l.quantity, l.remainingQuantity, l.costPerShare])).toEqual([
      ['30', '0', '100'],
      ['10', '5', '110'],
    ]);
  });

  it('a dividend with 15 % withheld, in a portfolio that tracks cash; pence count as hundredths of a pound', async () => {
    const portfolio = await createPortfolio(t, owner);
    await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-01', amount: '10000' });
    await record(portfolio.id, { type: 'BUY', symbol: 'KO', date: '2024-01-02', quantity: '100', price: '60' });
    const dividend = await record(portfolio.id, {
      type: 'DIVIDEND',
      symbol: 'KO',
      date: '2024-04-01',
      amount: '46',
      fee: '6.9',
      notes: '15 % withheld',
    });
    expect([dividend.amount, dividend.fee, dividend.currency]).toEqual(['46', '6.9', 'USD']);
    const pence = await record(portfolio.id, {
      type: 'BUY',
      symbol: 'VOD.L',
      date: '2024-04-02',
      quantity: '100',
      price: '70',
      fxRate: '0.0127',
    });
    expect(pence.currency).toBe('GBp');
    await record(portfolio.id, { type: 'DEPOSIT', date: '2024-04-02', amount: '100', currency: 'GBP', fxRate: '1.27' });
    const view = await ledger(portfolio.id);
    expect(view.cashBalances).toEqual([
      { amount: '30', currency: 'GBP' },
      { amount: '4039.1', currency: 'USD' },
    ]);
    const vod = view.holdings.find((h) => h.symbol === 'VOD.L')!;
    expect([vod.currency, vod.averageCost, vod.costBasis.amount, vod.costBasis.currency]).toEqual(['GBp', '70', '88.9', 'USD']);
  });

  it('a EUR stock in a USD portfolio: bought at 1.09, sold at 1.12, gain 257.95 USD', async () => {
    const portfolio = await createPortfolio(t, owner);
    const buy = await record(portfolio.id, {
      type: 'BUY',
      symbol: 'SAP.DE',
      date: '2024-01-15',
      quantity: '10',
      price: '150',
      fee: '5',
      fxRate: '1.09',
    });
    expect([buy.currency, buy.fxRate]).toEqual(['EUR', '1.09']);
    await record(portfolio.id, {
      type: 'SELL',
      symbol: 'SAP.DE',
      date: '2024-07-15',
      quantity: '10',
      price: '170',
      fee: '5',
      fxRate: '1.12',
    });
    const report = (await ledger(portfolio.id)).realizedGains;
    expect(report.items.map((i) => [i.proceeds.amount, i.costBasis.amount, i.gain.amount, i.gain.currency])).toEqual([
      ['1898.4', '1640.45', '257.95', 'USD'],
    ]);
  });

  it("without fxRate a foreign transaction takes the rate of its date (a weekend: Friday's)", async () => {
    const portfolio = await createPortfolio(t, owner);
    const saturday = await record(portfolio.id, { type: 'BUY', symbol: 'SAP.DE', date: '2024-03-16', quantity: '1', price: '100' });
    const friday = (await t.app.services.fx.rate('EUR', 'USD', '2024-03-15'))!;
    expect(saturday.fxRate).toBe(friday.rate.toFixed());
    expect(Number(saturday.fxRate)).toBeGreaterThan(0.95);
    expect(Number(saturday.fxRate)).toBeLessThan(1.25);
  });
});

describe('input rules', () => {
  it('selling more than is held on that date names the quantity', async () => {
    const { portfolio } = await methodsPortfolio();
    const result = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { ...SELL_15, date: '2023-07-01', quantity: '21' } },
      { token: owner.token },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(detailsOf(result)).toEqual([{ field: 'quantity', message: 'is more than the 20 XYZ held on 2023-07-01' }]);
    // Nothing was written.
    const page = ok(await t.gql(PortfolioTransactionsDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.transactions;
    expect(page.totalCount).toBe(3);
  });

  it('every field problem at once: split ratios, currency, a future date', async () => {
    const portfolio = await createPortfolio(t, owner);
    const split = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'SPLIT', symbol: 'XYZ', date: '2024-01-01', splitFrom: '0', splitTo: '-2' } },
      { token: owner.token },
    );
    expect(detailsOf(split)).toEqual([
      { field: 'splitFrom', message: 'must be greater than 0' },
      { field: 'splitTo', message: 'must be greater than 0' },
    ]);
    const bad = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'DEPOSIT', date: '2999-01-01', amount: '5', currency: 'XYZ', symbol: 'AAPL' } },
      { token: owner.token },
    );
    expect(detailsOf(bad).map((d) => d.field)).toEqual(['date', 'symbol', 'currency']);
    const missing = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'BUY', date: '2024-01-01' } },
      { token: owner.token },
    );
    expect(detailsOf(missing).map((d) => d.field)).toEqual(['symbol', 'quantity', 'price']);
    const unknown = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'BUY', date: '2024-01-01', symbol: 'NOPE', quantity: '1', price: '1' } },
      { token: owner.token },
    );
    expect(detailsOf(unknown)[0]!.field).toBe('symbol');
  });

  it('minor units are accepted as spelled: GBp, GBX, ZAc, ILA', async () => {
    const portfolio = await createPortfolio(t, owner, { baseCurrency: 'GBP' });
    const gbx = await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '500', currency: 'GBX' });
    expect([gbx.currency, gbx.fxRate]).toEqual(['GBX', '0.01']);
    const zac = await record(portfolio.id, { type: 'INTEREST', date: '2024-01-02', amount: '500', currency: 'ZAc', fxRate: '0.0004' });
    expect(zac.currency).toBe('ZAc');
    expect((await ledger(portfolio.id)).cashBalances).toEqual([
      { amount: '5', currency: 'GBP' },
      { amount: '5', currency: 'ZAR' },
    ]);
  });

  it('a dividend of a symbol never held, and a SELL dated before the lot it names', async () => {
    const { portfolio, lots } = await methodsPortfolio();
    const dividend = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'DIVIDEND', symbol: 'KO', date: '2024-01-01', amount: '5' } },
      { token: owner.token },
    );
    expect(detailsOf(dividend)).toEqual([{ field: 'symbol', message: 'KO was never held on or before 2024-01-01' }]);
    const early = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { ...SELL_15, quantity: '1', date: '2023-05-01', lotIds: [lots[2]!.id] } },
      { token: owner.token },
    );
    expect(detailsOf(early)).toEqual([{ field: 'date', message: `is before lot ${lots[2]!.id}, opened on 2023-09-01` }]);
  });
});

describe('changes that would break a later SELL are refused, with nothing half-applied', () => {
  it('updateTransaction, deleteTransaction, updateInvestment and removeInvestment of a lot a later SELL needs', async () => {
    const { portfolio, lots } = await methodsPortfolio();
    const sell = await record(portfolio.id, { ...SELL_15, quantity: '25' });
    const activityBefore = ok(await t.gql(PortfolioActivityDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.activity
      .totalCount;

    const smaller = await t.gql(
      UpdateTransactionDocument,
      { id: lots[0]!.id, input: { type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '4', price: '100' } },
      { token: owner.token },
    );
    expect(errorCode(smaller)).toBe('BAD_USER_INPUT');
    expect(detailsOf(smaller)).toEqual([
      {
        field: 'quantity',
        message: `would break the SELL of 2024-03-01 (${sell.id}): its quantity is more than the 24 XYZ held on 2024-03-01`,
      },
    ]);
    const later = await t.gql(
      UpdateTransactionDocument,
      { id: lots[0]!.id, input: { type: 'BUY', symbol: 'XYZ', date: '2024-06-01', quantity: '10', price: '100' } },
      { token: owner.token },
    );
    expect(detailsOf(later)[0]!.field).toBe('date');
    const deleted = await t.gql(DeleteTransactionDocument, { id: lots[1]!.id }, { token: owner.token });
    expect(detailsOf(deleted)[0]!.field).toBe('id');
    const investment = await t.gql(UpdateInvestmentDocument, { id: lots[2]!.id, input: { quantity: '1' } }, { token: owner.token });
    expect(detailsOf(investment)[0]!.field).toBe('quantity');
    const removed = await t.gql(RemoveInvestmentDocument, { id: lots[2]!.id }, { token: owner.token });
    expect(detailsOf(removed)[0]!.field).toBe('id');

    // Everything as it was: the lots, their investments, the trail.
    const read = ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: owner.token })).portfolio!;
    expect(read.investments.edges.map((e) => [e.node.quantity, e.node.purchaseDate])).toEqual([
      ['10', '2023-01-10'],
      ['10', '2023-06-01'],
      ['10', '2023-09-01'],
    ]);
    expect((await ledger(portfolio.id)).realizedGains.items).toHaveLength(3);
    const activityAfter = ok(await t.gql(PortfolioActivityDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.activity
      .totalCount;
    expect(activityAfter).toBe(activityBefore);

    // Deleting the SELL first makes the rest possible.
    ok(await t.gql(DeleteTransactionDocument, { id: sell.id }, { token: owner.token }));
    ok(await t.gql(RemoveInvestmentDocument, { id: lots[2]!.id }, { token: owner.token }));
    expect((await ledger(portfolio.id)).holdings[0]!.quantity).toBe('20');
  });

  it('an update that keeps the ledger whole is applied to the BUY and its investment alike', async () => {
    const { portfolio, lots } = await methodsPortfolio();
    const updated = ok(
      await t.gql(
        UpdateTransactionDocument,
        {
          id: lots[0]!.id,
          input: { type: 'BUY', symbol: 'XYZ', date: '2023-01-11', quantity: '12', price: '99', fee: '2', notes: 'corrected' },
        },
        { token: owner.token },
      ),
    ).updateTransaction;
    expect([updated.quantity, updated.price, updated.amount, updated.fee, updated.date, updated.notes]).toEqual([
      '12',
      '99',
      '1188',
      '2',
      '2023-01-11',
      'corrected',
    ]);
    const investment = ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.investments.edges[0]!
      .node;
    expect([investment.id, investment.quantity, investment.purchasePrice, investment.purchaseDate, investment.notes]).toEqual([
      lots[0]!.id,
      '12',
      '99',
      '2023-01-11',
      'corrected',
    ]);
    const typeChange = await t.gql(
      UpdateTransactionDocument,
      { id: lots[0]!.id, input: { type: 'SELL', symbol: 'XYZ', date: '2023-01-11', quantity: '1', price: '1' } },
      { token: owner.token },
    );
    expect(detailsOf(typeChange)[0]!.field).toBe('type');
  });
});

describe('investments are BUY lots', () => {
  it('addInvestment records a BUY; a recorded BUY is an investment; deleting either removes both', async () => {
    const portfolio = await createPortfolio(t, owner);
    const investment = ok(
      await t.gql(
        AddInvestmentDocument,
        {
          portfolioId: portfolio.id,
          input: { symbol: 'AAPL', quantity: '3', purchasePrice: '150.5', purchaseDate: '2024-02-01', notes: 'n' },
        },
        { token: owner.token },
      ),
    ).addInvestment;
    const buy = await record(portfolio.id, { type: 'BUY', symbol: 'MSFT', date: '2024-02-02', quantity: '2', price: '400', fee: '1' });
    const page = ok(await t.gql(PortfolioTransactionsDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.transactions;
    expect(
      page.edges.map((e) => [
        e.node.id,
        e.node.type,
        e.node.symbol,
        e.node.quantity,
        e.node.price,
        e.node.amount,
        e.node.currency,
        e.node.fxRate,
        e.node.notes,
      ]),
    ).toEqual([
      [buy.id, 'BUY', 'MSFT', '2', '400', '800', 'USD', '1', null],
      [investment.id, 'BUY', 'AAPL', '3', '150.5', '451.5', 'USD', '1', 'n'],
    ]);
    const investments = ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.investments.edges.map(
      (e) => [e.node.id, e.node.name, e.node.quantity],
    );
    expect(investments).toEqual([
      [investment.id, 'Apple Inc.', '3'],
      [buy.id, 'Microsoft Corporation', '2'],
    ]);

    ok(await t.gql(DeleteTransactionDocument, { id: investment.id }, { token: owner.token }));
    ok(await t.gql(RemoveInvestmentDocument, { id: buy.id }, { token: owner.token }));
    const after = ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: owner.token })).portfolio!;
    expect(after.investments.totalCount).toBe(0);
    expect(
      ok(await t.gql(PortfolioTransactionsDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.transactions.totalCount,
    ).toBe(0);
  });
});

describe('listing, roles and the trail', () => {
  it('filters by type and symbol, pages by cursor, newest first', async () => {
    const { portfolio } = await methodsPortfolio();
    await record(portfolio.id, { type: 'DIVIDEND', symbol: 'XYZ', date: '2023-12-01', amount: '12' });
    await record(portfolio.id, { type: 'FEE', date: '2023-12-02', amount: '3' });
    const read = (variables: Record<string, unknown>) =>
      t
        .gql(PortfolioTransactionsDocument, { id: portfolio.id, ...variables }, { token: owner.token })
        .then((r) => ok(r).portfolio!.transactions);
    const first = await read({ first: 2 });
    expect([first.totalCount, first.pageInfo.hasNextPage, first.edges.map((e) => e.node.type)]).toEqual([5, true, ['FEE', 'DIVIDEND']]);
    const second = await read({ first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.date)).toEqual(['2023-09-01', '2023-06-01']);
    const buys = await read({ types: ['BUY', 'DIVIDEND'], symbol: 'xyz' });
    expect([buys.totalCount, buys.edges.map((e) => e.node.type)]).toEqual([4, ['DIVIDEND', 'BUY', 'BUY', 'BUY']]);
    const bad = await t.gql(PortfolioTransactionsDocument, { id: portfolio.id, first: 500 }, { token: owner.token });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('EDIT and up write; VIEW reads but may not write; others learn nothing; every change leaves an activity row', async () => {
    const portfolio = await createPortfolio(t, owner);
    ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: viewer.email, permission: 'VIEW' }, { token: owner.token }));
    const deposit = await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-01', amount: '100', notes: 'salary' });
    const asViewer = await t.gql(
      RecordTransactionDocument,
      { portfolioId: portfolio.id, input: { type: 'DEPOSIT', date: '2024-01-01', amount: '1' } },
      { token: viewer.token },
    );
    expect(errorCode(asViewer)).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(DeleteTransactionDocument, { id: deposit.id }, { token: viewer.token }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(DeleteTransactionDocument, { id: deposit.id }, { token: stranger.token }))).toBe('NOT_FOUND');
    expect(
      errorCode(
        await t.gql(
          RecordTransactionDocument,
          { portfolioId: portfolio.id, input: { type: 'DEPOSIT', date: '2024-01-01', amount: '1' } },
          { token: stranger.token },
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(DeleteTransactionDocument, { id: '00000000-0000-4000-8000-000000000000' }, { token: owner.token }))).toBe(
      'NOT_FOUND',
    );
    const seen = ok(await t.gql(PortfolioTransactionsDocument, { id: portfolio.id }, { token: viewer.token })).portfolio!.transactions
      .edges[0]!.node;
    expect([seen.amount, seen.notes]).toEqual(['100', 'salary']);

    // EDIT may write.
    ok(await t.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: viewer.email, permission: 'EDIT' }, { token: owner.token }));
    ok(
      await t.gql(
        UpdateTransactionDocument,
        { id: deposit.id, input: { type: 'DEPOSIT', date: '2024-01-01', amount: '150' } },
        { token: viewer.token },
      ),
    );
    ok(await t.gql(DeleteTransactionDocument, { id: deposit.id }, { token: viewer.token }));
    const trail = ok(await t.gql(PortfolioActivityDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.activity.edges.map(
      (e) => e.node,
    );
    expect(trail.slice(0, 4).map((a) => a.action)).toEqual([
      'TRANSACTION_DELETED',
      'TRANSACTION_UPDATED',
      'PORTFOLIO_SHARED',
      'TRANSACTION_RECORDED',
    ]);
    expect(JSON.parse(trail[1]!.details!)).toMatchObject({
      transactionId: deposit.id,
      before: { amount: '100' },
      after: { amount: '150' },
    });
  });

  it('a public reader sees transactions without their notes', async () => {
    const portfolio = await createPortfolio(t, owner, { isPublic: true });
    await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-01', amount: '100', notes: 'private' });
    const seen = ok(await t.gql(PortfolioTransactionsDocument, { id: portfolio.id }, { token: stranger.token })).portfolio!.transactions
      .edges[0]!.node;
    expect([seen.amount, seen.notes]).toEqual(['100', null]);
  });
});
