import type { DateRange } from './dates.js';
import { closesOf, dayRange, type PriceTable } from './prices.js';
import type { ValuationSeries } from './valuation.js';

/** Daily simple returns, returns[i] being the return of the day dates[i] (dates ascending). */
export interface ReturnSeries {
  dates: string[];
  returns: Float64Array;
}

/**
 * Daily returns of a valuation, Portfolio Performance's true time-weighted convention: inflows
 * count at the start of the day, outflows at its end, r_t = (V_t + O_t) / (V_{t−1} + I_t) − 1,
 * V_{t−1} being the previous valued day's value (series.startValue for the first). So the first
 * day of a purchase counts from the price paid plus fee to that day's close. A day whose
 * V_{t−1} + I_t is not positive (nothing held, nothing put in) has no return and is left out.
 */
export function portfolioReturns(series: ValuationSeries): ReturnSeries {
  const { values, inflows, outflows } = series;
  const returns = new Float64Array(values.length);
  const dates = new Array<string>(returns.length);
  let count = 0;
  let previous = series.startValue;
  for (let t = 0; t < values.length; t++) {
    const base = previous + (inflows[t] as number);
    const value = values[t] as number;
    previous = value;
    if (!(base > 0)) continue;
    returns[count] = (value + (outflows[t] as number)) / base - 1;
    dates[count++] = series.dates[t] as string;
  }
  return trimmed(dates, returns, count);
}

/**
 * A symbol's simple daily returns over `range` on its own trading days: close / previous close − 1,
 * from its second close in the range (a day after a close ≤ 0 has none). Empty when the table
 * has no prices for it.
 */
export function symbolReturns(prices: PriceTable, symbol: string, range: DateRange): ReturnSeries {
  const { dates, rows } = alignedSymbolReturns(prices, [symbol], range);
  return { dates, returns: rows[0] as Float64Array };
}

/**
 * Each symbol's daily returns (as symbolReturns), kept on the dates on which every one of them
 * has a return: the rows for a correlation matrix or a simulation.
 *
 * One pass over each symbol's column, all rows in one buffer, no dates compared: the usual case,
 * every symbol trading every day, costs one division per symbol and day.
 */
export function alignedSymbolReturns(prices: PriceTable, symbols: readonly string[], range: DateRange): AlignedReturns {
  const { start, end } = dayRange(prices, range);
  const days = Math.max(end - start - 1, 0); // the days start + 1 … end − 1 can have a return
  const buffer = new Float64Array(symbols.length * days);
  const everyone = new Uint8Array(days).fill(1); // every symbol has a return that day
  symbols.forEach((symbol, s) => {
    const closes = closesOf(prices, symbol);
    if (!closes) {
      everyone.fill(0);
      return;
    }
    const offset = s * days;
    let previous = closes[start] as number; // NaN before the symbol's first close in the range
    for (let day = start + 1; day < end; day++) {
      const close = closes[day] as number;
      const value = close / previous - 1; // NaN without a close today or a usable one before
      buffer[offset + day - start - 1] = value;
      if (Number.isNaN(value) || !(previous > 0)) everyone[day - start - 1] = 0;
      if (!Number.isNaN(close)) previous = close;
    }
  });

  let common = 0;
  for (let i = 0; i < days; i++) common += everyone[i] as number;
  if (common === days) {
    const dates = prices.dates.slice(start + 1, end);
    return { dates, rows: symbols.map((_, s) => buffer.subarray(s * days, (s + 1) * days)) };
  }
  const dates: string[] = [];
  for (let i = 0; i < days; i++) if (everyone[i]) dates.push(prices.dates[start + 1 + i] as string);
  const rows = symbols.map((_, s) => {
    const row = new Float64Array(common);
    for (let i = 0, k = 0; i < days; i++) if (everyone[i]) row[k++] = buffer[s * days + i] as number;
    return row;
  });
  return { dates, rows };
}

/** The first `count` returns and dates (the loops above size them for every day, then skip some). */
function trimmed(dates: string[], returns: Float64Array, count: number): ReturnSeries {
  if (count === returns.length) return { dates, returns };
  dates.length = count;
  return { dates, returns: returns.slice(0, count) };
}

/** Time-weighted return Π(1 + r_t) − 1; null without any return. */
export function timeWeightedReturn(returns: ArrayLike<number>): number | null {
  if (returns.length === 0) return null;
  let growth = 1;
  for (let i = 0; i < returns.length; i++) growth *= 1 + (returns[i] as number);
  return growth - 1;
}

/**
 * Cumulative time-weighted return at each valued day of `series`: the TWR from the start of the
 * range to the end of that day (the first day's own return included). A day without a return
 * (see portfolioReturns) keeps the previous figure.
 */
export function cumulativeReturns(series: ValuationSeries): Float64Array {
  const { dates, returns } = portfolioReturns(series);
  const cumulative = new Float64Array(series.dates.length);
  let growth = 1;
  let next = 0; // next return to apply; its date is one of series.dates, in order
  for (let day = 0; day < series.dates.length; day++) {
    if (next < dates.length && dates[next] === series.dates[day]) growth *= 1 + (returns[next++] as number);
    cumulative[day] = growth - 1;
  }
  return cumulative;
}

/**
 * (1 + TWR)^(365 / calendarDays) − 1; null when TWR is null, calendarDays ≤ 0, or the result is
 * not a real number (1 + TWR < 0, possible when a purchase cost far more than that day's close).
 */
export function annualizedReturn(twr: number | null, calendarDays: number): number | null {
  if (twr === null || !(calendarDays > 0)) return null;
  const annualized = Math.pow(1 + twr, 365 / calendarDays) - 1;
  return Number.isFinite(annualized) ? annualized : null;
}

/** Several return series restricted to the dates they all have, in the same order. */
export interface AlignedReturns {
  dates: string[];
  /** One row per input series, each as long as dates (rows may share a buffer, or be an input's own array). */
  rows: Float64Array[];
}

/**
 * Aligns return series on their common dates (an inner join, e.g. a portfolio and a benchmark
 * with missing days). Each series' dates ascending; a series already on exactly the common dates
 * is returned as is. For symbols of a price table, alignedSymbolReturns does this without
 * comparing dates.
 */
export function alignOnCommonDates(series: readonly ReturnSeries[]): AlignedReturns {
  if (series.length === 0) return { dates: [], rows: [] };
  let common = (series[0] as ReturnSeries).dates;
  for (let s = 1; s < series.length; s++) common = intersectSorted(common, (series[s] as ReturnSeries).dates);

  const rows = series.map(({ dates, returns }) => {
    if (dates.length === common.length) return returns; // already exactly the common dates
    const row = new Float64Array(common.length);
    let i = 0;
    for (let c = 0; c < common.length; c++) {
      while (dates[i] !== common[c]) i++;
      row[c] = returns[i++] as number;
    }
    return row;
  });
  return { dates: common, rows };
}

function intersectSorted(a: string[], b: string[]): string[] {
  if (sameDates(a, b)) return a;
  const result: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as string;
    const y = b[j] as string;
    if (x === y) {
      result.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return result;
}

/** The usual case, symbols on one trading calendar: checked first, without allocating. */
function sameDates(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
