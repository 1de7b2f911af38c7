import type { PricePoint, ValuationSeries } from './valuation.js';

/** Daily simple returns, returns[i] being the return of the day dates[i] (dates ascending). */
export interface ReturnSeries {
  dates: string[];
  returns: Float64Array;
}

/**
 * Flow-adjusted daily returns of a valuation: r_t = (V_t − F_t) / V_{t−1} − 1 for t ≥ 1.
 * A day whose previous value is not positive (nothing held yet, or everything worth 0) has no
 * return and is left out: there is no base to measure it against.
 */
export function portfolioReturns(series: ValuationSeries): ReturnSeries {
  const { values, flows } = series;
  const dates: string[] = [];
  const returns = new Float64Array(Math.max(values.length - 1, 0));
  let count = 0;
  for (let t = 1; t < values.length; t++) {
    const previous = values[t - 1] as number;
    if (!(previous > 0)) continue;
    returns[count++] = ((values[t] as number) - (flows[t] as number)) / previous - 1;
    dates.push(series.dates[t] as string);
  }
  return { dates, returns: count === returns.length ? returns : returns.slice(0, count) };
}

/** Simple daily returns of a symbol's closes: close_t / close_{t−1} − 1 (days after a 0 close are left out). */
export function priceReturns(prices: readonly PricePoint[]): ReturnSeries {
  const dates: string[] = [];
  const returns = new Float64Array(Math.max(prices.length - 1, 0));
  let count = 0;
  for (let t = 1; t < prices.length; t++) {
    const previous = (prices[t - 1] as PricePoint).close;
    if (!(previous > 0)) continue;
    const point = prices[t] as PricePoint;
    returns[count++] = point.close / previous - 1;
    dates.push(point.date);
  }
  return { dates, returns: count === returns.length ? returns : returns.slice(0, count) };
}

/** Time-weighted return Π(1 + r_t) − 1; null without any return. */
export function timeWeightedReturn(returns: ArrayLike<number>): number | null {
  if (returns.length === 0) return null;
  let growth = 1;
  for (let i = 0; i < returns.length; i++) growth *= 1 + (returns[i] as number);
  return growth - 1;
}

/**
 * Cumulative time-weighted return at each valued day of `series` (first day 0): the TWR from
 * dates[0] to that day. A day without a return (see portfolioReturns) keeps the previous figure.
 */
export function cumulativeReturns(series: ValuationSeries): Float64Array {
  const { dates, returns } = portfolioReturns(series);
  const cumulative = new Float64Array(series.dates.length);
  let growth = 1;
  let next = 0; // next return to apply; its date is one of series.dates, in order
  for (let day = 1; day < series.dates.length; day++) {
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
  /** One row per input series, each as long as dates. */
  rows: Float64Array[];
}

/**
 * Aligns return series on their common dates (an inner join; e.g. a portfolio and a benchmark
 * with missing days, or every holding for a correlation matrix). Each series' dates ascending.
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
  if (a === b) return a;
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
  // Keep the original array when nothing was dropped, so rows of the same calendar are reused as is.
  return result.length === a.length ? a : result;
}
