/**
 * Money as a user reads it through the API (issue #23): minor units wherever a currency is
 * accepted, an investment's figures in its own currency, an elected cost basis method that
 * applies forward, split quantities that sell to zero, and CONVERSION between currencies
 * (GraphQL, portfolio files and REST). Prices are pinned by custom assets; figures by hand in
 * the comments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets, seedMarketAssets } from '../../test/portfolios.js';
import { restClient } from '../../test/rest-client.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let me: TestUser;
beforeAll(async () => {
  await seedMarketAssets(t);
  await seedLedgerAssets(t);
  me = await createTestUser(t);
});

const CREATE_ASSET = `mutation($input: CustomAssetInput!) { createCustomAsset(input: $input) { symbol currency } }`;
const SET_PRICES = `mutation($symbol: String!, $prices: [PricePointInput!]!) { setCustomAssetPrices(symbol: $symbol, prices: $prices) }`;
const RECORD = `mutation($portfolioId: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $portfolioId, input: $input) {
  id type currency amount toAmount toCurrency costBasisMethod } }`;
const LEDGER = `query($id: ID!) { portfolio(id: $id) {
  holdings { symbol quantity costBasis { amount currency } marketValue { amount currency } }
  lots(includeClosed: true) { id quantity remainingQuantity closedOn }
  cashBalances { amount currency }
  realizedGains { total { amount } items { sellId gain { amount } longTerm } }
  valuation { totalValue totalCost unrealizedGain unrealizedGainPercent }
  allocation(by: CURRENCY) { key weight value }
  investments(first: 10) { edges { node { symbol currency costBasis marketValue unrealizedGain } } }
  transactions(first: 20) { edges { node { type costBasisMethod toAmount toCurrency } } } } }`;

interface Ledger {
  portfolio: {
    holdings: Array<{ symbol: string; quantity: string; costBasis: { amount: string }; marketValue: { amount: string } | null }>;
    lots: Array<{ id: string; quantity: string; remainingQuantity: string; closedOn: string | null }>;
    cashBalances: Array<{ amount: string; currency: string }>;
    realizedGains: { total: { amount: string }; items: Array<{ sellId: string; gain: { amount: string }; longTerm: boolean }> };
    valuation: { totalValue: string; totalCost: string; unrealizedGain: string; unrealizedGainPercent: number | null };
    allocation: Array<{ key: string; weight: number; value: string }>;
    investments: {
      edges: Array<{
        node: { symbol: string; currency: string; costBasis: string; marketValue: string | null; unrealizedGain: string | null };
      }>;
    };
    transactions: {
      edges: Array<{ node: { type: string; costBasisMethod: string | null; toAmount: string | null; toCurrency: string | null } }>;
    };
  };
}

async function asset(symbol: string, currency: string, closes: Record<string, string>) {
  const created = ok(await t.gql(CREATE_ASSET, { input: { symbol, name: symbol, type: 'STOCK', currency } }, { token: me.token })) as {
    createCustomAsset: { currency: string };
  };
  const prices = Object.entries(closes).map(([date, close]) => ({ date, close }));
  ok(await t.gql(SET_PRICES, { symbol, prices }, { token: me.token }));
  return created.createCustomAsset;
}

async function record(portfolioId: string, input: Record<string, unknown>) {
  return (ok(await t.gql(RECORD, { portfolioId, input }, { token: me.token })) as { recordTransaction: Record<string, unknown> })
    .recordTransaction;
}

async function ledger(id: string): Promise<Ledger['portfolio']> {
  return (ok(await t.gql(LEDGER, { id }, { token: me.token })) as Ledger).portfolio;
}

const num = (text: string | null | undefined) => Number(text);

describe('minor units wherever a currency is accepted', () => {
  it('a custom asset in GBp stays GBp: 100 shares closing at 300p are worth £300, bought at 250p a gain of £50', async () => {
    expect(await asset('PENCE-1', 'GBp', { '2024-01-02': '280', '2024-01-03': '300' })).toEqual({ symbol: 'PENCE-1', currency: 'GBp' });
    const portfolio = await createPortfolio(t, me, { name: 'Pence', baseCurrency: 'GBP' });
    const buy = await record(portfolio.id, { type: 'BUY', date: '2024-01-02', symbol: 'PENCE-1', quantity: '100', price: '250' });
    expect(buy).toMatchObject({ currency: 'GBp', amount: '25000' });
    const view = await ledger(portfolio.id);
    expect(num(view.valuation.totalValue)).toBe(300);
    expect(num(view.valuation.totalCost)).toBe(250);
    expect(num(view.valuation.unrealizedGain)).toBe(50);
    expect(num(view.holdings[0]!.marketValue!.amount)).toBe(300);
    // Investment: in pounds (the quote's major unit), cost and value alike.
    expect(view.investments.edges[0]!.node).toMatchObject({ currency: 'GBP' });
    expect(num(view.investments.edges[0]!.node.costBasis)).toBe(250);
    expect(num(view.investments.edges[0]!.node.marketValue)).toBe(300);
    expect(num(view.investments.edges[0]!.node.unrealizedGain)).toBe(50);
  });

  it('accepts GBX, ZAc and ILA as the contract spells them, and refuses what is neither ISO nor a minor unit', async () => {
    expect(await asset('PENCE-X', 'gbx', { '2024-01-02': '1' })).toMatchObject({ currency: 'GBX' });
    expect(await asset('CENTS-Z', 'ZAc', { '2024-01-02': '1' })).toMatchObject({ currency: 'ZAc' });
    expect(await asset('AGOROT-I', 'ILA', { '2024-01-02': '1' })).toMatchObject({ currency: 'ILA' });
    const bad = await t.gql(
      CREATE_ASSET,
      { input: { symbol: 'BAD-CUR', name: 'x', type: 'STOCK', currency: 'GBPP' } },
      { token: me.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });
});

describe("Investment's figures in its own currency", () => {
  it('BTC paid in EUR in a USD portfolio: cost converted at its BUY, value at the quote, both in USD', async () => {
    await asset('COIN-1', 'USD', { '2024-01-02': '40000' });
    const portfolio = await createPortfolio(t, me, { name: 'Coin', baseCurrency: 'USD' });
    // 1 COIN at 30,000 EUR, 1.1 USD per EUR on the day: cost 33,000 USD, worth 40,000: +7,000.
    await record(portfolio.id, {
      type: 'BUY',
      date: '2024-01-02',
      symbol: 'COIN-1',
      quantity: '1',
      price: '30000',
      currency: 'EUR',
      fxRate: '1.1',
    });
    const [node] = (await ledger(portfolio.id)).investments.edges.map((e) => e.node);
    expect(node).toMatchObject({ currency: 'USD' });
    expect([num(node!.costBasis), num(node!.marketValue), num(node!.unrealizedGain)]).toEqual([33000, 40000, 7000]);
  });
});

describe('an elected cost basis method applies forward', () => {
  it("a SELL keeps the method it was recorded under; switching the portfolio's method changes later SELLs only", async () => {
    await asset('FWD-1', 'USD', { '2023-01-02': '100', '2023-04-03': '250' });
    const portfolio = await createPortfolio(t, me, { name: 'Forward', baseCurrency: 'USD', costBasisMethod: 'AVERAGE' });
    await record(portfolio.id, { type: 'BUY', date: '2023-01-02', symbol: 'FWD-1', quantity: '10', price: '100' });
    await record(portfolio.id, { type: 'BUY', date: '2023-02-01', symbol: 'FWD-1', quantity: '10', price: '200' });
    // AVERAGE: 5 × 250 − 5 × 150 = 500.
    const s1 = await record(portfolio.id, { type: 'SELL', date: '2023-03-01', symbol: 'FWD-1', quantity: '5', price: '250' });
    expect(s1.costBasisMethod).toBe('AVERAGE');
    ok(
      await t.gql(
        `mutation($id: ID!) { updatePortfolio(id: $id, input: { costBasisMethod: FIFO }) { costBasisMethod } }`,
        { id: portfolio.id },
        { token: me.token },
      ),
    );
    // Before: the switch re-closed s1 by FIFO (5 × (250 − 100) = 750). Now it stays 500.
    expect(num((await ledger(portfolio.id)).realizedGains.total.amount)).toBe(500);
    const s2 = await record(portfolio.id, { type: 'SELL', date: '2023-04-03', symbol: 'FWD-1', quantity: '5', price: '250' });
    expect(s2.costBasisMethod).toBe('FIFO');
    const view = await ledger(portfolio.id);
    expect(view.transactions.edges.map((e) => [e.node.type, e.node.costBasisMethod])).toEqual([
      ['SELL', 'FIFO'],
      ['SELL', 'AVERAGE'],
      ['BUY', null],
      ['BUY', null],
    ]);
    // s2 by FIFO takes the first lot's 5 shares at the 150 the pool left them: 500.
    expect(view.realizedGains.items.map((i) => [i.sellId, num(i.gain.amount)])).toEqual([
      [s1.id, 500],
      [s2.id, 500],
    ]);
    // realizedGains(method:) stays a what-if over every sale: FIFO throughout is 750 + 750.
    const whatIf = ok(
      await t.gql(
        `query($id: ID!) { portfolio(id: $id) { realizedGains(method: FIFO) { total { amount } } } }`,
        { id: portfolio.id },
        { token: me.token },
      ),
    ) as { portfolio: { realizedGains: { total: { amount: string } } } };
    expect(num(whatIf.portfolio.realizedGains.total.amount)).toBe(1500);
  });
});

describe('split quantities to 8 places', () => {
  it('10 shares after a 1-for-3 reverse split report 3.33333333, which sell to zero and leave nothing behind', async () => {
    await asset('REV-1', 'USD', { '2023-01-02': '30', '2023-03-01': '90' });
    const portfolio = await createPortfolio(t, me, { name: 'Reverse', baseCurrency: 'USD' });
    await record(portfolio.id, { type: 'BUY', date: '2023-01-02', symbol: 'REV-1', quantity: '10', price: '30' });
    await record(portfolio.id, { type: 'SPLIT', date: '2023-02-01', symbol: 'REV-1', splitFrom: '3', splitTo: '1' });
    const held = (await ledger(portfolio.id)).holdings[0]!;
    expect(held.quantity).toBe('3.33333333');
    await record(portfolio.id, { type: 'SELL', date: '2023-03-01', symbol: 'REV-1', quantity: held.quantity, price: '90' });
    const view = await ledger(portfolio.id);
    expect(view.holdings).toEqual([]);
    expect(view.lots.map((lot) => [lot.remainingQuantity, lot.closedOn])).toEqual([['0', '2023-03-01']]);
    expect(num(view.valuation.totalValue)).toBe(0);
    expect(num(view.valuation.totalCost)).toBe(0);
    expect(view.valuation.unrealizedGainPercent ?? 0).toBe(0);
    // 3.33333333 × 90 − 300 = −0.0000003.
    expect(num(view.realizedGains.total.amount)).toBeCloseTo(-0.0000003, 10);
  });
});

describe('CONVERSION', () => {
  it('a USD-funded portfolio changes dollars into euros and buys a EUR stock: no negative cash, a sane allocation', async () => {
    const portfolio = await createPortfolio(t, me, { name: 'Converted', baseCurrency: 'USD' });
    await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '10000' });
    const conversion = await record(portfolio.id, {
      type: 'CONVERSION',
      date: '2024-01-03',
      amount: '8800',
      fee: '5',
      currency: 'USD',
      toAmount: '8000',
      toCurrency: 'eur',
    });
    expect(conversion).toMatchObject({ type: 'CONVERSION', currency: 'USD', amount: '8800', toAmount: '8000', toCurrency: 'EUR' });
    await record(portfolio.id, { type: 'BUY', date: '2024-01-04', symbol: 'SAP.DE', quantity: '40', price: '180', fxRate: '1.1' });
    const view = await ledger(portfolio.id);
    expect(view.cashBalances.map((c) => [c.currency, num(c.amount)])).toEqual([
      ['EUR', 800],
      ['USD', 1195],
    ]);
    for (const slice of view.allocation) {
      expect(slice.weight, slice.key).toBeGreaterThanOrEqual(0);
      expect(slice.weight, slice.key).toBeLessThanOrEqual(1);
    }
    expect(view.allocation.reduce((sum, s) => sum + s.weight, 0)).toBeCloseTo(1, 9);
  });

  it('is checked field by field', async () => {
    const portfolio = await createPortfolio(t, me, { name: 'Conversion rules', baseCurrency: 'USD' });
    const bad = await t.gql(
      RECORD,
      { portfolioId: portfolio.id, input: { type: 'CONVERSION', date: '2024-01-03', symbol: 'XYZ', amount: '10' } },
      { token: me.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const fields = (bad.errors?.[0]?.extensions?.details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['symbol', 'toAmount', 'toCurrency']));
    const same = await t.gql(
      RECORD,
      { portfolioId: portfolio.id, input: { type: 'CONVERSION', date: '2024-01-03', amount: '10', toAmount: '10', toCurrency: 'USD' } },
      { token: me.token },
    );
    expect((same.errors?.[0]?.extensions?.details as Array<{ field: string }>).map((d) => d.field)).toEqual(['toCurrency']);
    const onTrade = await t.gql(
      RECORD,
      { portfolioId: portfolio.id, input: { type: 'DEPOSIT', date: '2024-01-03', amount: '10', toCurrency: 'EUR' } },
      { token: me.token },
    );
    expect((onTrade.errors?.[0]?.extensions?.details as Array<{ field: string }>).map((d) => d.field)).toEqual(['toCurrency']);
  });

  it('travels through portfolio files (CSV and JSON) and the REST facade', async () => {
    const portfolio = await createPortfolio(t, me, { name: 'Files', baseCurrency: 'USD' });
    await record(portfolio.id, { type: 'DEPOSIT', date: '2024-01-02', amount: '1000' });
    await record(portfolio.id, { type: 'CONVERSION', date: '2024-01-03', amount: '1000', toAmount: '78000', toCurrency: 'GBp' });
    for (const format of ['CSV', 'JSON'] as const) {
      const file = (
        ok(
          await t.gql(
            `query($id: ID!, $format: PortfolioFileFormat!) { exportPortfolio(id: $id, format: $format) { data } }`,
            { id: portfolio.id, format },
            { token: me.token },
          ),
        ) as { exportPortfolio: { data: string } }
      ).exportPortfolio.data;
      expect(file).toContain('78000');
      const imported = ok(
        await t.gql(
          `mutation($input: ImportPortfolioInput!) { importPortfolio(input: $input) { portfolio { id cashBalances { amount currency } transactions(first: 5) { edges { node { type toAmount toCurrency } } } } } }`,
          { input: { format, data: file, name: `Files ${format}` } },
          { token: me.token },
        ),
      ) as {
        importPortfolio: {
          portfolio: { cashBalances: Array<{ amount: string; currency: string }>; transactions: Ledger['portfolio']['transactions'] };
        };
      };
      const copy = imported.importPortfolio.portfolio;
      expect(
        copy.cashBalances.map((c) => [c.currency, num(c.amount)]),
        format,
      ).toEqual([
        ['GBP', 780],
        ['USD', 0],
      ]);
      expect(copy.transactions.edges[0]!.node, format).toEqual({ type: 'CONVERSION', toAmount: '78000', toCurrency: 'GBp' });
    }

    const rest = restClient(t);
    const created = await rest('POST', `/api/v1/portfolios/${portfolio.id}/transactions`, {
      token: me.token,
      body: { type: 'CONVERSION', date: '2024-01-04', amount: '100', toAmount: '90', toCurrency: 'EUR' },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'CONVERSION', toAmount: '90', toCurrency: 'EUR' });
  });
});
