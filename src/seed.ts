/**
 * Demo data for a fresh development database: one account with a portfolio, so GraphiQL has
 * something to show. Runs only when the database has no users at all.
 */
import { hashPassword } from './auth/index.js';
import type { Db } from './platform/db.js';
import { buyOfInvestment } from './ledger/index.js';

export const DEMO_EMAIL = 'demo@foliograph.dev';
export const DEMO_PASSWORD = 'demo-password-2026';

const DEMO_HOLDINGS = [
  {
    symbol: 'AAPL',
    name: 'Apple Inc.',
    type: 'STOCK',
    sector: 'Information Technology',
    quantity: '25',
    purchasePrice: '150.00',
    purchaseDate: '2023-03-15',
  },
  {
    symbol: 'MSFT',
    name: 'Microsoft Corporation',
    type: 'STOCK',
    sector: 'Information Technology',
    quantity: '12',
    purchasePrice: '280.50',
    purchaseDate: '2023-06-01',
  },
  {
    symbol: 'VTI',
    name: 'Vanguard Total Stock Market ETF',
    type: 'ETF',
    sector: null,
    quantity: '40',
    purchasePrice: '205.10',
    purchaseDate: '2022-11-20',
  },
  {
    symbol: 'BND',
    name: 'Vanguard Total Bond Market ETF',
    type: 'ETF',
    sector: null,
    quantity: '60',
    purchasePrice: '72.30',
    purchaseDate: '2024-01-10',
  },
  {
    symbol: 'BTC-USD',
    name: 'Bitcoin',
    type: 'CRYPTO',
    sector: null,
    quantity: '0.15',
    purchasePrice: '42000.00',
    purchaseDate: '2024-02-05',
  },
] as const;

/** Returns true when it seeded. */
export async function seedDemo(db: Db): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const user = await db.user.create({
    data: {
      email: DEMO_EMAIL,
      name: 'Demo Investor',
      passwordHash,
      emailVerified: true,
      portfolios: {
        create: {
          name: 'Demo portfolio',
          description: 'A diversified starter portfolio (demo data)',
          baseCurrency: 'USD',
          // Each holding is a BUY (the asset's name, type and sector come from the market).
          transactions: { create: DEMO_HOLDINGS.map((h) => buyOfInvestment(h)) },
        },
      },
    },
    include: { portfolios: { select: { id: true } } },
  });
  await seedDemoAlerts(db, user.id, user.portfolios[0]!.id);
  return true;
}

/**
 * The demo's alerts (src/alerts): two that the first simulated ticks fire (an in-app
 * notification each, shown by `notifications` and pushed on Subscription.notifications), a
 * repeat drift alert against equal weights (it also drives the weekly rebalancing reminder),
 * and one that stays armed.
 */
async function seedDemoAlerts(db: Db, userId: string, portfolioId: string): Promise<void> {
  const equalWeights = DEMO_HOLDINGS.map((h) => ({ key: h.symbol, weight: 1 / DEMO_HOLDINGS.length }));
  await db.alert.createMany({
    data: [
      { userId, condition: 'PRICE_ABOVE', symbol: 'AAPL', threshold: '1', channels: ['IN_APP', 'EMAIL'] },
      { userId, condition: 'PORTFOLIO_VALUE_BELOW', portfolioId, threshold: '10000000', channels: ['IN_APP'] },
      {
        userId,
        condition: 'PORTFOLIO_DRIFT_ABOVE',
        portfolioId,
        threshold: '0.05',
        channels: ['IN_APP'],
        repeat: true,
        targets: equalWeights,
      },
      { userId, condition: 'PRICE_BELOW', symbol: 'BTC-USD', threshold: '1', channels: ['IN_APP'], repeat: true },
    ],
  });
}
