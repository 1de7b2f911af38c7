import { firstIndexOnOrAfter, type DateRange } from './dates.js';
import { closesOf, dayRange, type PriceTable } from './prices.js';

/** One purchase (lot) of a symbol. */
export interface HoldingLot {
  symbol: string;
  quantity: number;
  purchaseDate: string;
  /** Price paid per unit; the lot's cost is quantity × purchasePrice. */
  purchasePrice: number;
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

/**
 * Builds the daily valuation of `lots` over `range` from the closes in `prices`.
 *
 * - Valuation days: the dates in [from, to] on which any symbol of a lot bought by `to` has a
 *   close, from the first day on which a lot is held (earlier days are worth 0 and carry no
 *   information, so they are left out).
 * - A lot is held on day t when purchaseDate ≤ t. Without a close that day it uses its symbol's
 *   last close (carried forward, also from before `from`); before its symbol's first close ever,
 *   it is worth its purchase price (cost), the only price known for it.
 * - A purchase dated in [from, to] is a flow on the first valuation day on or after its date (so a
 *   weekend purchase counts on Monday); lots bought before `from` are part of `openingValue`;
 *   lots dated after the last valuation day are left out.
 *
 * - `stored`: values already known for some days (the daily snapshots, checked by the caller to
 *   be of the same holdings): a valuation day found there takes that value, the others are
 *   computed. The days themselves and the flows are the same either way.
 *
 * Cost: lots are grouped by symbol once, then each symbol's column is walked once.
 */
export function buildValuationSeries(
  lots: readonly HoldingLot[],
  prices: PriceTable,
  range: DateRange,
  stored?: ReadonlyMap<string, number>,
): ValuationSeries {
  const series = computeValuationSeries(lots, prices, range);
  if (stored && stored.size > 0) {
    series.dates.forEach((date, t) => {
      const value = stored.get(date);
      if (value !== undefined) series.values[t] = value;
    });
  }
  return series;
}

function computeValuationSeries(lots: readonly HoldingLot[], prices: PriceTable, range: DateRange): ValuationSeries {
  const lotsBySymbol = new Map<string, HoldingLot[]>();
  for (const lot of lots) {
    if (lot.purchaseDate > range.to) continue;
    const group = lotsBySymbol.get(lot.symbol);
    if (group) group.push(lot);
    else lotsBySymbol.set(lot.symbol, [lot]);
  }

  // Work on every table day of the range, then keep the valuation days (see keptDays).
  const { start, end } = dayRange(prices, range);
  const dayCount = Math.max(end - start, 0);
  const values = new Float64Array(dayCount);
  const flows = new Float64Array(dayCount);
  const traded = new Uint8Array(dayCount);
  const openingLots: { lot: HoldingLot; closes: Float64Array | undefined }[] = [];
  let firstHeld = dayCount;
  for (const [symbol, symbolLots] of lotsBySymbol) {
    const closes = closesOf(prices, symbol);
    const changes: HeldChange[] = [];
    for (const lot of symbolLots) {
      const cost = lot.quantity * lot.purchasePrice;
      if (lot.purchaseDate < range.from) {
        changes.push({ day: 0, quantity: lot.quantity, cost });
        openingLots.push({ lot, closes });
      } else {
        const day = firstIndexOnOrAfter(prices.dates, lot.purchaseDate) - start;
        if (day >= dayCount) continue; // after the table's last day in the range
        changes.push({ day, quantity: lot.quantity, cost });
        flows[day]! += cost;
      }
    }
    changes.sort((a, b) => a.day - b.day);
    if (changes.length > 0) firstHeld = Math.min(firstHeld, (changes[0] as HeldChange).day);
    addSymbolValues(values, traded, closes, start, changes);
  }

  const days = keptDays(traded, firstHeld);
  if (days.length === 0) return { dates: [], values: new Float64Array(0), flows: new Float64Array(0), openingValue: 0 };
  const firstTableDay = start + (days[0] as number);
  let openingValue = 0;
  for (const { lot, closes } of openingLots) {
    const close = closes ? lastClose(closes, firstTableDay + 1) : Number.NaN;
    openingValue += Number.isNaN(close) ? lot.quantity * lot.purchasePrice : lot.quantity * close;
  }
  if (days.length === dayCount) return { dates: prices.dates.slice(start, end), values, flows, openingValue };

  const keptValues = new Float64Array(days.length);
  const keptFlows = new Float64Array(days.length);
  let day = 0;
  days.forEach((kept, k) => {
    keptValues[k] = values[kept] as number;
    // A purchase on a day that is not kept counts on the next kept day.
    for (; day <= kept; day++) keptFlows[k]! += flows[day] as number;
  });
  return { dates: Array.from(days, (kept) => prices.dates[start + kept] as string), values: keptValues, flows: keptFlows, openingValue };
}

/** From day `day` (of the range) on, `quantity` more units are held, bought for `cost`. */
interface HeldChange {
  day: number;
  quantity: number;
  cost: number;
}

/**
 * Marks the days the symbol traded and adds its value on each day of the range, in one walk of
 * its column (kept apart from buildValuationSeries so this hot loop is small and optimises well).
 * `closes` undefined: the table has no price for it, so it never trades and is valued at cost.
 */
function addSymbolValues(
  values: Float64Array,
  traded: Uint8Array,
  closes: Float64Array | undefined,
  start: number,
  changes: readonly HeldChange[],
): void {
  let close = closes ? lastClose(closes, start) : Number.NaN; // NaN: no close yet
  let change = 0;
  let quantity = 0;
  let cost = 0;
  for (let day = 0; day < values.length; day++) {
    const today = closes ? (closes[start + day] as number) : Number.NaN;
    if (!Number.isNaN(today)) {
      close = today;
      traded[day] = 1;
    }
    while (change < changes.length && (changes[change] as HeldChange).day === day) {
      quantity += (changes[change] as HeldChange).quantity;
      cost += (changes[change] as HeldChange).cost;
      change++;
    }
    if (change > 0) values[day]! += Number.isNaN(close) ? cost : quantity * close;
  }
}

/** The valuation days: days of the range on which a held symbol traded, from the first day a lot is held. */
function keptDays(traded: Uint8Array, firstHeld: number): Int32Array {
  let count = 0;
  for (let day = firstHeld; day < traded.length; day++) count += traded[day] as number;
  const days = new Int32Array(count);
  for (let day = firstHeld, k = 0; day < traded.length; day++) if (traded[day]) days[k++] = day;
  return days;
}

/** The last close before table day `before`, NaN when there is none. */
function lastClose(closes: Float64Array, before: number): number {
  for (let day = before - 1; day >= 0; day--) if (!Number.isNaN(closes[day])) return closes[day] as number;
  return Number.NaN;
}
