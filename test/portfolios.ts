/**
 * Test fixtures for portfolios (src/portfolios tests, and any test that needs a portfolio):
 * market assets (the symbol master is the market domain's to fill; tests insert the few they
 * need) and quick ways to make portfolios and holdings.
 */
import { AddInvestmentDocument, CreatePortfolioDocument, type InvestmentInput, type PortfolioInput } from '../schema/sdk/graphql.js';
import type { TestApp } from './harness.js';
import type { TestUser } from './users.js';

export const MARKET_ASSETS = [
  { symbol: 'AAPL', name: 'Apple Inc.', type: 'STOCK', currency: 'USD', sector: 'Information Technology', exchange: 'NASDAQ' },
  { symbol: 'MSFT', name: 'Microsoft Corporation', type: 'STOCK', currency: 'USD', sector: 'Information Technology', exchange: 'NASDAQ' },
  { symbol: 'VTI', name: 'Vanguard Total Stock Market ETF', type: 'ETF', currency: 'USD', sector: null, exchange: 'NYSE Arca' },
  { symbol: 'BTC-USD', name: 'Bitcoin', type: 'CRYPTO', currency: 'USD', sector: null, exchange: null },
] as const;

export async function seedMarketAssets(t: TestApp): Promise<void> {
  await t.app.services.db.asset.createMany({ data: MARKET_ASSETS.map((a) => ({ ...a })), skipDuplicates: true });
}

/** The quoted assets the ledger tests trade: dollar stocks, a euro stock and a pence-quoted one. */
export const LEDGER_ASSETS = [
  { symbol: 'XYZ', name: 'XYZ Corp', type: 'STOCK', currency: 'USD' },
  { symbol: 'ABC', name: 'ABC Inc', type: 'STOCK', currency: 'USD' },
  { symbol: 'KO', name: 'Coca-Cola', type: 'STOCK', currency: 'USD' },
  { symbol: 'SAP.DE', name: 'SAP SE', type: 'STOCK', currency: 'EUR' },
  { symbol: 'VOD.L', name: 'Vodafone', type: 'STOCK', currency: 'GBp' },
] as const;

export async function seedLedgerAssets(t: TestApp): Promise<void> {
  await t.app.services.db.asset.createMany({ data: LEDGER_ASSETS.map((a) => ({ ...a })), skipDuplicates: true });
}

/** Throws with the GraphQL errors when a call that should succeed does not. */
export function ok<T>(result: { data?: T | null; errors?: readonly unknown[] }): T {
  if (result.errors?.length || !result.data) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export async function createPortfolio(t: TestApp, user: TestUser, input: Partial<PortfolioInput> = {}) {
  const result = await t.gql(CreatePortfolioDocument, { input: { name: 'Test portfolio', ...input } }, { token: user.token });
  return ok(result).createPortfolio;
}

export const HOLDING: InvestmentInput = { symbol: 'AAPL', quantity: '10', purchasePrice: '150.25', purchaseDate: '2024-03-15' };

export async function addInvestment(t: TestApp, user: TestUser, portfolioId: string, input: Partial<InvestmentInput> = {}) {
  const result = await t.gql(AddInvestmentDocument, { portfolioId, input: { ...HOLDING, ...input } }, { token: user.token });
  return ok(result).addInvestment;
}
