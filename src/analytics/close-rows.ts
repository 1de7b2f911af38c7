/**
 * Stored closes as the read model receives them (one row per symbol: its days and closes as two
 * comma-separated texts) and the price points they hold. Parsing them is the larger part of a
 * long report's work outside the core, so it is kept apart from the read model: the worker
 * threads (./compute-worker.ts) run it for reports over the size threshold.
 */
import { isoDateFromEpochDay } from '../platform/dates.js';
import type { PricePoint } from './core/index.js';

export interface ClosesRow {
  symbol: string;
  /** Days since 1970-01-01, ascending, comma-separated. */
  days: string;
  /** Exact decimal texts, one per day, comma-separated. */
  closes: string;
}

/** Each row's symbol and its price points, oldest first. */
export function pricesFromRows(rows: readonly ClosesRow[]): Map<string, PricePoint[]> {
  const prices = new Map<string, PricePoint[]>();
  for (const row of rows) {
    const days = row.days.split(',');
    const closes = row.closes.split(',');
    const points = new Array<PricePoint>(days.length);
    for (let i = 0; i < days.length; i++) points[i] = { date: isoDateFromEpochDay(Number(days[i])), close: Number(closes[i]) };
    prices.set(row.symbol, points);
  }
  return prices;
}
