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
 * (./ledger-valuation.ts) of a BUY per lot, in one currency. So the valued days are the days in
 * [from, to] on which a symbol of a lot bought by `to` has a close and every purchase date in the
 * range; a lot is held from its purchase date, at its symbol's last close (its purchase price
 * before any close); a purchase in the range is an inflow of its own date, lots bought before
 * `from` make `startValue`.
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
  const { dates, values, inflows, outflows, startValue } = buildLedgerValuationSeries({
    events,
    prices,
    range,
    priceCurrency: new Map(),
    fx: new Map(),
  });
  return { dates, values, inflows, outflows, startValue };
}
