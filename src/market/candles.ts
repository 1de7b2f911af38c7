/** Pure candle arithmetic: weekly and monthly candles from daily ones, and fetch planning. */
import { Decimal } from 'decimal.js';
import { addDays, epochDayFromIsoDate, isoDateFromEpochDay } from '../platform/dates.js';

// Market's door has always offered addDays; it is platform's one date module's.
export { addDays };
import type { ProviderCandle } from './providers/types.js';
import type { DateRange } from './store.js';

export const CANDLE_INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** Monday of the ISO week a day falls in (1970-01-01 was a Thursday). */
function weekStart(date: string): string {
  const day = epochDayFromIsoDate(date);
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return isoDateFromEpochDay(day - sinceMonday);
}

const BUCKET: Record<Exclude<CandleInterval, 'DAY'>, (date: string) => string> = {
  WEEK: weekStart,
  MONTH: (date) => date.slice(0, 7),
};

/**
 * Daily candles (oldest first) grouped into calendar weeks (Monday to Sunday) or months: open of
 * the first day, highest high, lowest low, close of the last day, volumes summed (null when no
 * day has one). A candle is dated by the first trading day it covers, so it never falls before
 * the range asked for. Prices stay exact decimal strings.
 */
export function aggregateCandles<C extends ProviderCandle>(daily: readonly C[], interval: CandleInterval): ProviderCandle[] {
  if (interval === 'DAY') return daily.map(({ date, open, high, low, close, volume }) => ({ date, open, high, low, close, volume }));
  const bucketOf = BUCKET[interval];
  const candles: ProviderCandle[] = [];
  let bucket: string | null = null;
  let current: { date: string; open: string; high: Decimal; low: Decimal; close: string; volume: number | null } | null = null;
  const flush = () => {
    if (current) {
      const { date, open, high, low, close, volume } = current;
      candles.push({ date, open, high: high.toFixed(), low: low.toFixed(), close, volume });
    }
  };
  for (const day of daily) {
    const key = bucketOf(day.date);
    if (key !== bucket || !current) {
      flush();
      bucket = key;
      current = {
        date: day.date,
        open: day.open,
        high: new Decimal(day.high),
        low: new Decimal(day.low),
        close: day.close,
        volume: day.volume,
      };
      continue;
    }
    if (current.high.lessThan(day.high)) current.high = new Decimal(day.high);
    if (current.low.greaterThan(day.low)) current.low = new Decimal(day.low);
    current.close = day.close;
    if (day.volume !== null) current.volume = (current.volume ?? 0) + day.volume;
  }
  flush();
  return candles;
}

/**
 * The days of `wanted` to ask the providers for, given the contiguous run already asked
 * (`covered`): the parts before and after it. A range entirely before (or after) the covered run
 * is extended to meet it, so the covered run stays contiguous after the fetch.
 */
export function missingRanges(wanted: DateRange, covered: DateRange | null): DateRange[] {
  if (wanted.from > wanted.to) return [];
  if (!covered) return [wanted];
  const ranges: DateRange[] = [];
  if (wanted.from < covered.from) ranges.push({ from: wanted.from, to: addDays(covered.from, -1) });
  if (wanted.to > covered.to) ranges.push({ from: addDays(covered.to, 1), to: wanted.to });
  return ranges;
}
