/**
 * Portfolio.rebalance over GraphQL: trades at current prices, whole units for exchange-listed
 * stocks, fractions for funds, by symbol, type or sector. The expected plans are worked out by
 * hand in the comments.
 */
import { Decimal } from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PortfolioRebalanceDocument, type AllocationDimension } from '../../schema/sdk/graphql.js';
import { customAsset, storedMarketAsset } from '../../test/analytics.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let alice: TestUser;
let portfolioId: string;

beforeAll(async () => {
  alice = await createTestUser(t);
  // A listed stock no provider quotes: valued at its purchase price, 100 (as the valuation does).
  await storedMarketAsset(
    t,
    'WHOLE',
    { '2024-01-02': '90' },
    { from: '2024-01-01', to: '2024-01-31' },
    { type: 'STOCK', exchange: 'TEST', sector: 'Tech' },
  );
  // A fund of the user's: its quote is its latest stored close, 50.
  await customAsset(t, alice, 'FND', { '2024-01-02': '40', '2024-01-03': '50' }, { type: 'FUND' });
  portfolioId = (await createPortfolio(t, alice)).id;
  await addInvestment(t, alice, portfolioId, {
    symbol: 'WHOLE',
    quantity: '10',
    purchasePrice: '100',
    purchaseDate: '2024-01-02',
    sector: 'Tech',
  });
  await addInvestment(t, alice, portfolioId, { symbol: 'FND', quantity: '30', purchasePrice: '45', purchaseDate: '2024-01-02' });
});

async function rebalance(targets: Array<{ key: string; weight: number }>, by?: AllocationDimension, driftTolerance?: number) {
  return ok(await t.gql(PortfolioRebalanceDocument, { id: portfolioId, targets, by, driftTolerance }, { token: alice.token })).portfolio!
    .rebalance;
}

/*
 * WHOLE 10 × 100 = 1000 and FND 30 × 50 = 1500 of 2500: weights 0.4 and 0.6. Toward 0.55 / 0.45
 * (drift 0.15 > 0.05): WHOLE buys (0.55 − 0.4) × 2500 = 375, 3.75 units, rounded to 4 whole units
 * (400); FND sells 375, 7.5 units (a fund: fractions). Sells first. Net cash 375 − 400 = −25.
 * After: 1400 and 1125 of 2525, drift 1400 / 2525 − 0.55 = 0.0044554455…
 */
const EXPECTED_TRADES = [
  { symbol: 'FND', action: 'SELL', quantity: '7.5', price: '50', value: '375' },
  { symbol: 'WHOLE', action: 'BUY', quantity: '4', price: '100', value: '400' },
];

describe('rebalance', () => {
  it('trades whole units of listed stocks and fractions of funds, by symbol', async () => {
    const plan = await rebalance([
      { key: 'whole', weight: 0.55 },
      { key: 'FND', weight: 0.45 },
    ]);
    expect(plan).toMatchObject({ dimension: 'SYMBOL', driftTolerance: 0.05, trades: EXPECTED_TRADES, unreachable: [], netCash: '-25' });
    expect(plan.driftBefore).toBeCloseTo(0.15, 12);
    expect(plan.driftAfter).toBeCloseTo(1400 / 2525 - 0.55, 12);
  });

  it('groups by asset type and by sector (no sector: "Unclassified")', async () => {
    const byType = await rebalance(
      [
        { key: 'stock', weight: 0.55 },
        { key: 'FUND', weight: 0.45 },
      ],
      'TYPE',
    );
    expect(byType).toMatchObject({ dimension: 'TYPE', trades: EXPECTED_TRADES, netCash: '-25' });
    const bySector = await rebalance(
      [
        { key: 'Tech', weight: 0.55 },
        { key: 'Unclassified', weight: 0.45 },
      ],
      'SECTOR',
    );
    expect(bySector).toMatchObject({ dimension: 'SECTOR', trades: EXPECTED_TRADES, netCash: '-25' });
  });

  it('leaves weights within the tolerance alone', async () => {
    const plan = await rebalance([
      { key: 'WHOLE', weight: 0.42 },
      { key: 'FND', weight: 0.58 },
    ]);
    expect(plan.trades).toEqual([]);
    expect(plan.driftAfter).toBe(plan.driftBefore);
    expect(plan.driftBefore).toBeCloseTo(0.02, 12);
    // …unless the tolerance is tighter.
    expect(
      (
        await rebalance(
          [
            { key: 'WHOLE', weight: 0.42 },
            { key: 'FND', weight: 0.58 },
          ],
          'SYMBOL',
          0.01,
        )
      ).trades,
    ).not.toEqual([]);
  });

  it('names targets it has nothing to buy for', async () => {
    const plan = await rebalance([
      { key: 'WHOLE', weight: 0.4 },
      { key: 'FND', weight: 0.4 },
      { key: 'ZZZ', weight: 0.2 },
    ]);
    expect(plan.unreachable).toEqual(['ZZZ']);
  });

  it('prices market symbols at their quotes, value = quantity × price exactly', async () => {
    const other = (await createPortfolio(t, alice, { name: 'Quoted' })).id;
    await addInvestment(t, alice, other, { symbol: 'AAPL', quantity: '3', purchasePrice: '150', purchaseDate: '2024-01-02' });
    await addInvestment(t, alice, other, { symbol: 'FND', quantity: '1', purchasePrice: '45', purchaseDate: '2024-01-02' });
    const plan = ok(
      await t.gql(
        PortfolioRebalanceDocument,
        {
          id: other,
          targets: [
            { key: 'AAPL', weight: 0.2 },
            { key: 'FND', weight: 0.8 },
          ],
        },
        { token: alice.token },
      ),
    ).portfolio!.rebalance;
    const aapl = plan.trades.find((trade) => trade.symbol === 'AAPL')!;
    expect(aapl.action).toBe('SELL');
    expect(aapl.quantity).toMatch(/^\d+$/); // a listed stock: whole units
    expect(new Decimal(aapl.value).equals(new Decimal(aapl.quantity).times(aapl.price))).toBe(true);
    const fund = plan.trades.find((trade) => trade.symbol === 'FND')!;
    expect(fund).toMatchObject({ action: 'BUY', price: '50' });
    expect(new Decimal(fund.value).equals(new Decimal(fund.quantity).times(50))).toBe(true);
  });
});
