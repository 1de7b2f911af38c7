/**
 * A lot described as an investment (symbol, quantity, purchasePrice, purchaseDate) as the BUY
 * transaction that records it: the one write model for code that writes rows directly (the demo
 * seed, fixtures). The API's own writes go through LedgerService.
 */
import { Decimal } from 'decimal.js';

export interface LotOfInvestment {
  symbol: string;
  quantity: string;
  purchasePrice: string;
  /** A Date at UTC midnight, or YYYY-MM-DD. */
  purchaseDate: Date | string;
  notes?: string | null;
  /** The BUY's currency (default USD) and its rate to the portfolio's base currency (default 1). */
  currency?: string;
  fxRate?: string | null;
}

/** The `transactions` row (Prisma create input, without portfolio) of an investment's BUY. */
export function buyOfInvestment(lot: LotOfInvestment) {
  return {
    type: 'BUY' as const,
    date: typeof lot.purchaseDate === 'string' ? new Date(`${lot.purchaseDate}T00:00:00Z`) : lot.purchaseDate,
    symbol: lot.symbol,
    quantity: lot.quantity,
    price: lot.purchasePrice,
    amount: new Decimal(lot.quantity).times(lot.purchasePrice).toFixed(),
    fee: '0',
    currency: lot.currency ?? 'USD',
    fxRate: lot.fxRate === undefined ? '1' : lot.fxRate,
    notes: lot.notes ?? null,
  };
}
