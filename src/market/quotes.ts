/** Quotes built from stored daily closes, and quotes read back from the Redis cache. */
import { Decimal } from 'decimal.js';
import { roundNumber } from './providers/numbers.js';
import type { ProviderQuote } from './providers/types.js';
import type { LatestClose } from './store.js';

/**
 * A quote from an asset's latest stored close: the change is against the previous stored close
 * (null when there is only one), the timestamp is the close's day (UTC midnight).
 */
export function quoteFromStoredCloses(row: LatestClose, source: string): ProviderQuote | null {
  const [latest, previous] = row.closes;
  if (latest === undefined || row.date === null) return null;
  const change = previous === undefined ? null : new Decimal(latest).minus(previous);
  return {
    symbol: row.symbol,
    price: new Decimal(latest).toFixed(),
    change: change === null ? null : change.toFixed(),
    changePercent: change === null || new Decimal(previous!).isZero() ? null : roundNumber(change.div(previous!).times(100).toNumber(), 4),
    previousClose: previous === undefined ? null : new Decimal(previous).toFixed(),
    currency: row.currency,
    timestamp: new Date(`${row.date}T00:00:00.000Z`),
    source,
  };
}

/** A quote as JSON.parse gives it back (or null, a cached "no such symbol"). */
export function reviveQuote(json: unknown): ProviderQuote | null {
  if (json === null) return null;
  const quote = json as ProviderQuote & { timestamp: string };
  return { ...quote, timestamp: new Date(quote.timestamp) };
}
