/**
 * Portfolios and investments as plain JSON: the audit trail's before/after and the export
 * file use the same shapes (decimals as exact text, dates as YYYY-MM-DD).
 */
import type { Investment, Portfolio } from '../generated/prisma/client.js';
import { formatDate } from '../platform/dates.js';

export function portfolioSnapshot(p: Pick<Portfolio, 'name' | 'description' | 'isPublic' | 'baseCurrency'>) {
  return { name: p.name, description: p.description, isPublic: p.isPublic, baseCurrency: p.baseCurrency };
}

export function investmentSnapshot(i: Omit<Investment, 'id' | 'portfolioId' | 'createdAt' | 'updatedAt'>) {
  return {
    symbol: i.symbol,
    name: i.name,
    type: i.type,
    quantity: i.quantity.toFixed(),
    purchasePrice: i.purchasePrice.toFixed(),
    purchaseDate: formatDate(i.purchaseDate),
    sector: i.sector,
    notes: i.notes,
  };
}
