import type { DateRange } from './dates.js';
import { buildLedgerValuationSeries, type LedgerEvent, type ValuationSeries } from './ledger-valuation.js';
import type { PriceTable } from './prices.js';

// Defined with the ledger valuation that computes it (so the two files do not import each other).
export type { ValuationSeries };

/** One purchase (lot) of a symbol. */
export interface HoldingLot {
  symbol: string;
  quantity: number;
  purchaseDate: string;
  /** Price paid per unit; the lot's cost is quantity × purchasePrice. */
  purchasePrice: number;
}

/**
 * The daily valuation of `lots` (purchases only) over `range`: the ledger valuation
 * (./ledger-valuation.ts) of a BUY per lot, in one currency. So:
 *
 * - Valuation days: the dates in [from, to] on which any symbol of a lot bought by `to` has a
 *   close, from the first day on which a lot is held.
 * - A lot is held on day t when purchaseDate ≤ t. Without a close that day it uses its symbol's
 *   last close (carried forward, also from before `from`); before its symbol's first close ever,
 *   it is worth its purchase price (cost), the only price known for it.
 * - A purchase dated in [from, to] is a flow on the first valuation day on or after its date (so a
 *   weekend purchase counts on Monday); lots bought before `from` are part of `openingValue`;
 *   lots dated after the last valuation day are left out.
 */
export function buildValuationSeries(lots: readonly HoldingLot[], prices: PriceTable, range: DateRange): ValuationSeries {
  const events = lots
    .map((lot, i) => ({ lot, i }))
    .sort((a, b) => (a.lot.purchaseDate < b.lot.purchaseDate ? -1 : a.lot.purchaseDate > b.lot.purchaseDate ? 1 : a.i - b.i))
    .map(({ lot }): LedgerEvent => ({
      type: 'BUY',
      date: lot.purchaseDate,
      symbol: lot.symbol,
      quantity: lot.quantity,
      price: lot.purchasePrice,
      amount: lot.quantity * lot.purchasePrice,
      fee: 0,
      currency: '',
      fxRate: 1,
      splitRatio: 1,
    }));
  const { dates, values, flows, openingValue } = buildLedgerValuationSeries({
    events,
    prices,
    range,
    priceCurrency: new Map(),
    fx: new Map(),
  });
  return { dates, values, flows, openingValue };
}
