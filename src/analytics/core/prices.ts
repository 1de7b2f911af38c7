import { firstIndexAfter, firstIndexOnOrAfter, type DateRange } from './dates.js';

/** One daily close, the shape rows usually arrive in. */
export interface PricePoint {
  date: string;
  close: number;
}

/**
 * Daily closes of several symbols on one calendar: the union of their dates. Built once from the
 * rows; then every figure reads typed columns by day index, like a numpy days × symbols matrix,
 * without comparing dates.
 */
export interface PriceTable {
  /** Every date on which any symbol has a close, ascending. */
  dates: string[];
  /** Symbol → its column in closes. */
  columns: ReadonlyMap<string, number>;
  /** closes[column][day]: the symbol's close on dates[day]; NaN when it has none that day. */
  closes: Float64Array[];
}

/** Range of day indexes [start, end) of a table. */
export interface DayRange {
  start: number;
  end: number;
}

/**
 * The table of `pricesBySymbol`, each symbol's points sorted by date with one point per date.
 * Cost: each symbol's dates are read once to build the calendar and its closes once to fill its
 * column (by position, without comparing dates, when it has a close on every date).
 */
export function buildPriceTable(pricesBySymbol: ReadonlyMap<string, readonly PricePoint[]>): PriceTable {
  let dates: string[] = [];
  for (const points of pricesBySymbol.values()) dates = mergeDates(dates, points);
  const columns = new Map<string, number>();
  const closes: Float64Array[] = [];
  for (const [symbol, points] of pricesBySymbol) {
    columns.set(symbol, closes.length);
    closes.push(fillColumn(symbol, points, dates));
  }
  return { dates, columns, closes };
}

/** The day indexes of `table` inside `range` (inclusive dates). */
export function dayRange(table: PriceTable, range: DateRange): DayRange {
  return { start: firstIndexOnOrAfter(table.dates, range.from), end: firstIndexAfter(table.dates, range.to) };
}

/** The symbol's closes, or undefined when the table has none for it. */
export function closesOf(table: PriceTable, symbol: string): Float64Array | undefined {
  const column = table.columns.get(symbol);
  return column === undefined ? undefined : table.closes[column];
}

function fillColumn(symbol: string, points: readonly PricePoint[], dates: readonly string[]): Float64Array {
  const column = new Float64Array(dates.length);
  // The symbol's dates are a subset of `dates`: as many means the very same days.
  if (points.length === dates.length) {
    for (let day = 0; day < points.length; day++) column[day] = (points[day] as PricePoint).close;
    return column;
  }
  column.fill(Number.NaN);
  let day = 0;
  for (const point of points) {
    while (day < dates.length && dates[day] !== point.date) day++;
    if (day === dates.length) throw new RangeError(`Prices of ${symbol} must be sorted by date, one per date`);
    column[day++] = point.close;
  }
  return column;
}

/**
 * Union of the sorted `dates` and the points' dates, sorted. Returns `dates` itself when it
 * already holds them all (the usual case: symbols share a trading calendar).
 */
function mergeDates(dates: string[], points: readonly PricePoint[]): string[] {
  let i = 0;
  let p = 0;
  while (p < points.length && i < dates.length) {
    const date = (points[p] as PricePoint).date;
    const existing = dates[i] as string;
    if (existing === date) {
      i++;
      p++;
    } else if (existing < date) i++;
    else break; // a date `dates` lacks
  }
  if (p === points.length) return dates;

  const merged: string[] = dates.slice(0, i);
  while (p < points.length || i < dates.length) {
    const date = p < points.length ? (points[p] as PricePoint).date : undefined;
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

/**
 * The table with `extra` dates added (ascending ISO dates; those it has already are skipped),
 * every symbol without a close on them: so a valuation can take each transaction date's own FX
 * rate (the rates are given per table date). Returns `table` itself when nothing is added.
 */
export function withDates(table: PriceTable, extra: readonly string[]): PriceTable {
  const dates = mergeDates(
    table.dates,
    extra.map((date) => ({ date, close: Number.NaN })),
  );
  if (dates === table.dates) return table;
  const closes = table.closes.map((column) => {
    const wider = new Float64Array(dates.length).fill(Number.NaN);
    for (let day = 0, old = 0; old < column.length; day++) if (dates[day] === table.dates[old]) wider[day] = column[old++] as number;
    return wider;
  });
  return { dates, columns: table.columns, closes };
}
