/**
 * Conformance: the ledger's money conventions against outside references, through the public
 * GraphQL API (issue #23). Each case cites its source; the figures are re-derived by hand in
 * the comments (facts and numbers carry over, no code).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../use-test-app.js';
import { createPortfolio, ok, seedLedgerAssets } from '../portfolios.js';
import { createTestUser, type TestUser } from '../users.js';

const t = useTestApp();
let me: TestUser;
beforeAll(async () => {
  await seedLedgerAssets(t);
  me = await createTestUser(t);
});

const RECORD = `mutation($portfolioId: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $portfolioId, input: $input) { id } }`;
const FIGURES = `query($id: ID!) { portfolio(id: $id) {
  holdings { symbol quantity averageCost costBasis { amount } }
  realizedGains { shortTerm { amount } longTerm { amount } items { closedOn gain { amount } longTerm } }
  valuation { totalValue totalCost unrealizedGain } } }`;

interface Figures {
  portfolio: {
    holdings: Array<{ symbol: string; quantity: string; averageCost: string; costBasis: { amount: string } }>;
    realizedGains: {
      shortTerm: { amount: string };
      longTerm: { amount: string };
      items: Array<{ closedOn: string; gain: { amount: string }; longTerm: boolean }>;
    };
    valuation: { totalValue: string; totalCost: string; unrealizedGain: string };
  };
}

async function record(portfolioId: string, input: Record<string, unknown>): Promise<void> {
  ok(await t.gql(RECORD, { portfolioId, input }, { token: me.token }));
}

async function figures(id: string): Promise<Figures['portfolio']> {
  return (ok(await t.gql(FIGURES, { id }, { token: me.token })) as Figures).portfolio;
}

async function customAsset(symbol: string, currency: string, closes: Record<string, string>): Promise<void> {
  ok(
    await t.gql(
      `mutation($input: CustomAssetInput!) { createCustomAsset(input: $input) { symbol } }`,
      { input: { symbol, name: symbol, type: 'STOCK', currency } },
      { token: me.token },
    ),
  );
  const prices = Object.entries(closes).map(([date, close]) => ({ date, close }));
  ok(
    await t.gql(
      `mutation($symbol: String!, $prices: [PricePointInput!]!) { setCustomAssetPrices(symbol: $symbol, prices: $prices) }`,
      { symbol, prices },
      { token: me.token },
    ),
  );
}

describe('holding period: IRS Publication 550, chapter 4, "Holding Period"', () => {
  it('bought February 5, sold February 5 a year later: short term; sold February 6: long term', async () => {
    // Pub. 550: "To figure if you held property more than 1 year, start counting on the date after
    // the day you acquired the property." Its example: bought on February 5, sold on February 5 of
    // the next year: not more than one year, short term; sold on February 6: long term.
    const portfolio = await createPortfolio(t, me, { name: 'Pub 550' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2021-02-05', quantity: '10', price: '100' });
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2022-02-05', quantity: '5', price: '120' }); // 5 × 20 = 100
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2022-02-06', quantity: '5', price: '130' }); // 5 × 30 = 150
    const { realizedGains } = await figures(portfolio.id);
    expect(realizedGains.items.map((i) => [i.closedOn, i.gain.amount, i.longTerm])).toEqual([
      ['2022-02-05', '100', false],
      ['2022-02-06', '150', true],
    ]);
    expect([realizedGains.shortTerm.amount, realizedGains.longTerm.amount]).toEqual(['100', '150']);
  });

  it('a leap day in between changes nothing: bought 2019-09-19, sold 2020-09-19 is short term (366 days)', async () => {
    // Same rule (Pub. 550): the period 2019-09-20 … 2020-09-19 is exactly one year, not more.
    const portfolio = await createPortfolio(t, me, { name: 'Pub 550 leap' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2019-09-19', quantity: '2', price: '100' });
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2020-09-19', quantity: '1', price: '110' });
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2020-09-20', quantity: '1', price: '110' });
    expect((await figures(portfolio.id)).realizedGains.items.map((i) => i.longTerm)).toEqual([false, true]);
  });
});

describe('splits: the cost basis is unchanged, spread over the new shares (IRS Publication 550, "Stock splits")', () => {
  it("Apple's 4-for-1 split of 2020-08-31: 10 shares at 400 become 40 at 100", async () => {
    // Apple Inc., press release of 2020-07-30: a four-for-one split, trading split-adjusted from
    // 2020-08-31. Pub. 550: a split does not change the total basis; it is divided over the shares.
    const portfolio = await createPortfolio(t, me, { name: 'Split' });
    await record(portfolio.id, { type: 'BUY', symbol: 'ABC', date: '2020-08-03', quantity: '10', price: '400' });
    await record(portfolio.id, { type: 'SPLIT', symbol: 'ABC', date: '2020-08-31', splitFrom: '1', splitTo: '4' });
    const [holding] = (await figures(portfolio.id)).holdings;
    expect([holding!.quantity, holding!.averageCost, holding!.costBasis.amount]).toEqual(['40', '100', '4000']);
  });

  it("General Electric's 1-for-8 reverse split of 2021-08-02: 10 shares at 13 become 1.25 at 104, sold to zero", async () => {
    // GE, press release of 2021-07-30: a 1-for-8 reverse stock split effective 2021-08-02.
    // 10 / 8 = 1.25 shares; basis 130 unchanged, 104 a share.
    const portfolio = await createPortfolio(t, me, { name: 'Reverse split' });
    await record(portfolio.id, { type: 'BUY', symbol: 'ABC', date: '2021-07-01', quantity: '10', price: '13' });
    await record(portfolio.id, { type: 'SPLIT', symbol: 'ABC', date: '2021-08-02', splitFrom: '8', splitTo: '1' });
    const [holding] = (await figures(portfolio.id)).holdings;
    expect([holding!.quantity, holding!.averageCost, holding!.costBasis.amount]).toEqual(['1.25', '104', '130']);
    await record(portfolio.id, { type: 'SELL', symbol: 'ABC', date: '2021-09-01', quantity: '1.25', price: '110' });
    const after = await figures(portfolio.id);
    expect(after.holdings).toEqual([]);
    // 1.25 × 110 − 130 = 7.5.
    expect(after.realizedGains.items.map((i) => i.gain.amount)).toEqual(['7.5']);
  });
});

describe('minor units: markets that quote in 1/100 of their currency', () => {
  it('London quotes in pence (GBp): 100 shares at 300p are £300', async () => {
    // London Stock Exchange: equity prices are quoted in pence sterling (GBX/GBp), 100p = £1.
    await customAsset('CONF-GBP', 'GBp', { '2024-01-02': '250', '2024-01-03': '300' });
    const portfolio = await createPortfolio(t, me, { name: 'Pence', baseCurrency: 'GBP' });
    await record(portfolio.id, { type: 'BUY', symbol: 'CONF-GBP', date: '2024-01-02', quantity: '100', price: '250' });
    const { valuation } = await figures(portfolio.id);
    expect([Number(valuation.totalValue), Number(valuation.totalCost), Number(valuation.unrealizedGain)]).toEqual([300, 250, 50]);
  });

  it('Johannesburg quotes in cents (ZAc): 100 shares at 5,000c are R5,000', async () => {
    // Johannesburg Stock Exchange: equity prices are quoted in South African cents (ZAc), 100c = R1.
    await customAsset('CONF-ZAC', 'ZAc', { '2024-01-02': '4500', '2024-01-03': '5000' });
    const portfolio = await createPortfolio(t, me, { name: 'Cents', baseCurrency: 'ZAR' });
    await record(portfolio.id, { type: 'BUY', symbol: 'CONF-ZAC', date: '2024-01-02', quantity: '100', price: '4500' });
    const { valuation } = await figures(portfolio.id);
    expect([Number(valuation.totalValue), Number(valuation.totalCost), Number(valuation.unrealizedGain)]).toEqual([5000, 4500, 500]);
  });
});

describe('FX at trade date (IRS, "Foreign currency and currency exchange rates")', () => {
  it('a EUR stock bought at 1.10 USD/EUR and sold unchanged in EUR at 1.20: a USD gain of 100, all currency', async () => {
    // irs.gov, "Foreign currency and currency exchange rates": amounts in a foreign currency are
    // translated "at the exchange rate prevailing (that is, the spot rate) when you receive, pay, or
    // accrue the item". Cost 10 × 100 EUR × 1.10 = 1,100 USD; proceeds 10 × 100 × 1.20 = 1,200 USD.
    const portfolio = await createPortfolio(t, me, { name: 'FX', baseCurrency: 'USD' });
    await record(portfolio.id, { type: 'BUY', symbol: 'SAP.DE', date: '2024-01-02', quantity: '10', price: '100', fxRate: '1.10' });
    await record(portfolio.id, { type: 'SELL', symbol: 'SAP.DE', date: '2024-06-03', quantity: '10', price: '100', fxRate: '1.20' });
    const { realizedGains } = await figures(portfolio.id);
    expect(realizedGains.items.map((i) => i.gain.amount)).toEqual(['100']);
  });
});

describe('identifying the shares sold: IRS Publication 550, "Identifying the shares sold" and "Average basis"', () => {
  it('shares not identified are the first acquired (FIFO): 100 @ 10 then 100 @ 20, 100 sold @ 25 → gain 1,500', async () => {
    // Pub. 550: "If you can't adequately identify the shares you sold, the basis of the shares
    // you sold is the basis of the shares you acquired first." Proceeds 100 × 25 = 2,500; the first
    // lot's basis 100 × 10 = 1,000; gain 1,500, long term (held 2020-03-02 … 2022-03-01).
    const portfolio = await createPortfolio(t, me, { name: 'Pub 550 FIFO', costBasisMethod: 'FIFO' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2020-03-02', quantity: '100', price: '10' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2021-06-01', quantity: '100', price: '20' });
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2022-03-01', quantity: '100', price: '25' });
    const { realizedGains, holdings } = await figures(portfolio.id);
    expect(realizedGains.items.map((i) => [i.gain.amount, i.longTerm])).toEqual([['1500', true]]);
    // What is left is the second lot: 100 shares with a basis of 2,000.
    expect(holdings.map((h) => [h.quantity, h.costBasis.amount])).toEqual([['100', '2000']]);
  });

  it('average basis (single-category method, Pub. 550 / Pub. 564): 100 @ 10 + 100 @ 20 → 15 a share; 100 sold @ 25 → gain 1,000', async () => {
    // Pub. 550, "Average basis": the basis of each share is the total cost of all shares held divided
    // by their number: (1,000 + 2,000) / 200 = 15. Proceeds 2,500 − basis 100 × 15 = 1,000; the
    // remaining 100 shares keep a basis of 1,500.
    const portfolio = await createPortfolio(t, me, { name: 'Pub 550 average', costBasisMethod: 'AVERAGE' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2020-03-02', quantity: '100', price: '10' });
    await record(portfolio.id, { type: 'BUY', symbol: 'XYZ', date: '2021-06-01', quantity: '100', price: '20' });
    await record(portfolio.id, { type: 'SELL', symbol: 'XYZ', date: '2022-03-01', quantity: '100', price: '25' });
    const { realizedGains, holdings } = await figures(portfolio.id);
    expect(realizedGains.items.map((i) => Number(i.gain.amount)).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(holdings.map((h) => [h.quantity, Number(h.costBasis.amount), Number(h.averageCost)])).toEqual([['100', 1500, 15]]);
  });
});
