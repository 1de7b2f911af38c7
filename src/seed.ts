/**
 * Demo data for a fresh development database: one account with a portfolio, so GraphiQL has
 * something to show. Runs only when the database has no users at all.
 */
import { hashPassword } from './auth/index.js';
import type { Db } from './platform/db.js';

export const DEMO_EMAIL = 'demo@foliograph.dev';
export const DEMO_PASSWORD = 'demo-password-2026';

const DEMO_HOLDINGS = [
  { symbol: 'AAPL', name: 'Apple Inc.', type: 'STOCK', sector: 'Information Technology', quantity: '25', purchasePrice: '150.00', purchaseDate: '2023-03-15' },
  { symbol: 'MSFT', name: 'Microsoft Corporation', type: 'STOCK', sector: 'Information Technology', quantity: '12', purchasePrice: '280.50', purchaseDate: '2023-06-01' },
  { symbol: 'VTI', name: 'Vanguard Total Stock Market ETF', type: 'ETF', sector: null, quantity: '40', purchasePrice: '205.10', purchaseDate: '2022-11-20' },
  { symbol: 'BND', name: 'Vanguard Total Bond Market ETF', type: 'ETF', sector: null, quantity: '60', purchasePrice: '72.30', purchaseDate: '2024-01-10' },
  { symbol: 'BTC-USD', name: 'Bitcoin', type: 'CRYPTO', sector: null, quantity: '0.15', purchasePrice: '42000.00', purchaseDate: '2024-02-05' },
] as const;

/** Returns true when it seeded. */
export async function seedDemo(db: Db): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.user.create({
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
          investments: {
            create: DEMO_HOLDINGS.map((h) => ({ ...h, purchaseDate: new Date(`${h.purchaseDate}T00:00:00Z`) })),
          },
        },
      },
    },
  });
  return true;
}
