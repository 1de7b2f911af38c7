import { lowerBound } from './dates.js';

/** One daily close of a symbol. Arrays of these are sorted by date, one point per date. */
export interface PricePoint {
  date: string;
  close: number;
}

/** One purchase (lot) of a symbol. */
export interface HoldingLot {
  symbol: string;
  quantity: number;
  purchaseDate: string;
  /** Price paid per unit; the lot's cost is quantity × purchasePrice. */
  purchasePrice: number;
}

/** Inclusive range of ISO dates. */
export interface DateRange {
  from: string;
  to: string;
}

/** Daily portfolio valuation; values and flows are indexed like dates. */
export interface ValuationSeries {
  /** Valued days, ascending. */
  dates: string[];
  /** V_t: Σ quantity × close of the lots held on day t. */
  values: Float64Array;
  /** F_t: Σ cost of the purchases that count on day t. */
  flows: Float64Array;
  /**
   * Value on dates[0] of the lots bought before range.from (held at the start, so not flows):
   * the opening investment for a money-weighted return over the range.
   */
  openingValue: number;
}

const dateOfPoint = (point: PricePoint): string => point.date;
const identity = (date: string): string => date;

/**
 * Builds the daily valuation of `lots` over `range` from each symbol's closes.
 *
 * - Valuation days: the union of the dates in [from, to] on which any symbol of a lot bought by
 *   `to` has a close, starting at the first day on which a lot is held (earlier days are worth 0
 *   and carry no information, so they are left out).
 * - A lot is held on day t when purchaseDate ≤ t. Without a close that day it uses its symbol's
 *   last close (carried forward, also from before `from`); before its symbol's first close ever,
 *   it is worth its purchase price (cost), the only price known for it.
 * - A purchase dated in [from, to] is a flow on the first valuation day on or after its date (so a
 *   weekend purchase counts on Monday); lots bought before `from` are part of `openingValue`;
 *   lots dated after the last valuation day are left out.
 *
 * Cost: symbols are indexed once, and each symbol's prices are walked once.
 */
export function buildValuationSeries(
  lots: readonly HoldingLot[],
  pricesBySymbol: ReadonlyMap<string, readonly PricePoint[]>,
  range: DateRange,
): ValuationSeries {
  const lotsBySymbol = new Map<string, HoldingLot[]>();
  for (const lot of lots) {
    if (lot.purchaseDate > range.to) continue;
    const group = lotsBySymbol.get(lot.symbol);
    if (group) group.push(lot);
    else lotsBySymbol.set(lot.symbol, [lot]);
  }

  // Each symbol's closes: [start, end) is the part inside the range.
  const symbols: { lots: HoldingLot[]; prices: readonly PricePoint[]; start: number; end: number }[] = [];
  let dates: string[] = [];
  for (const [symbol, symbolLots] of lotsBySymbol) {
    const prices = pricesBySymbol.get(symbol) ?? [];
    const start = lowerBound(prices, range.from, dateOfPoint);
    const end = lowerBound(prices, nextDateString(range.to), dateOfPoint);
    symbols.push({ lots: symbolLots, prices, start, end });
    dates = mergeDates(dates, prices, start, end);
  }

  const dayCount = dates.length;
  const values = new Float64Array(dayCount);
  const flows = new Float64Array(dayCount);
  let firstHeldDay = dayCount;
  let openingValue = 0;

  for (const { lots: symbolLots, prices, start, end } of symbols) {
    // Day on which each lot starts being held; lots past the last valuation day are dropped.
    const heldFrom = new Map<HoldingLot, number>();
    for (const lot of symbolLots) {
      const day = lot.purchaseDate < range.from ? 0 : lowerBound(dates, lot.purchaseDate, identity);
      if (day >= dayCount) continue;
      heldFrom.set(lot, day);
      if (day < firstHeldDay) firstHeldDay = day;
      if (lot.purchaseDate >= range.from) flows[day]! += lot.quantity * lot.purchasePrice;
    }
    const startingLots = [...heldFrom].sort((a, b) => a[1] - b[1]);

    let close = start > 0 ? (prices[start - 1] as PricePoint).close : Number.NaN; // NaN: no close yet
    let next = start; // next close to consume
    let lotIndex = 0;
    let quantity = 0;
    let cost = 0;
    for (let day = 0; day < dayCount; day++) {
      // `dates` holds every in-range close date of this symbol, so a close is either today or later.
      if (next < end && (prices[next] as PricePoint).date === dates[day]) {
        close = (prices[next] as PricePoint).close;
        next++;
      }
      while (lotIndex < startingLots.length && (startingLots[lotIndex] as [HoldingLot, number])[1] === day) {
        const lot = (startingLots[lotIndex] as [HoldingLot, number])[0];
        quantity += lot.quantity;
        cost += lot.quantity * lot.purchasePrice;
        lotIndex++;
        if (lot.purchaseDate < range.from) {
          openingValue += Number.isNaN(close) ? lot.quantity * lot.purchasePrice : lot.quantity * close;
        }
      }
      if (quantity !== 0) values[day]! += Number.isNaN(close) ? cost : quantity * close;
    }
  }

  if (firstHeldDay === 0) return { dates, values, flows, openingValue };
  return {
    dates: dates.slice(firstHeldDay),
    values: values.slice(firstHeldDay),
    flows: flows.slice(firstHeldDay),
    openingValue,
  };
}

/**
 * Union of the sorted `dates` and the dates of prices[start, end), sorted. Returns `dates` itself
 * when it already holds them all (the usual case: symbols share a trading calendar).
 */
function mergeDates(dates: string[], prices: readonly PricePoint[], start: number, end: number): string[] {
  let i = 0;
  let p = start;
  while (p < end && i < dates.length) {
    const date = (prices[p] as PricePoint).date;
    const existing = dates[i] as string;
    if (existing < date) i++;
    else if (existing === date) {
      i++;
      p++;
    } else break; // a date `dates` lacks
  }
  if (p === end) return dates;

  const merged: string[] = dates.slice(0, i);
  while (p < end || i < dates.length) {
    const date = p < end ? (prices[p] as PricePoint).date : undefined;
    const existing = dates[i];
    if (date === undefined || (existing !== undefined && existing < date)) {
      merged.push(existing as string);
      i++;
    } else {
      merged.push(date);
      if (existing === date) i++;
      p++;
    }
  }
  return merged;
}

/** The smallest string greater than every string that starts with `date`'s 10 characters. */
function nextDateString(date: string): string {
  return `${date}\uffff`;
}
