/**
 * The simulated provider's corporate actions: the real split history of its universe and
 * invented quarterly dividends consistent with each payer's yield.
 *
 * Simulated closes are split-adjusted (universe base prices are split-adjusted closes), like
 * Yahoo's, so a dividend's as-paid amount per share is the adjusted one times the splits after its
 * ex-date: yield / 4 × the adjusted close before the ex-date × those splits.
 */
import { Decimal } from 'decimal.js';
import { epochDayFromIsoDate, isWeekday, isoDateFromEpochDay } from '../../platform/dates.js';
import { fnv1a32 } from '../../platform/random.js';
import type { ProviderCorporateAction } from './types.js';

/**
 * Real splits (effective date = first day trading split-adjusted), from the companies' investor
 * relations announcements: NVIDIA 4-for-1 2021-07-20 and 10-for-1 2024-06-10; Apple 4-for-1
 * 2020-08-31; Tesla 5-for-1 2020-08-31 and 3-for-1 2022-08-25; Alphabet 20-for-1 2022-07-18;
 * Amazon 20-for-1 2022-06-06; Walmart 3-for-1 2024-02-26; Broadcom 10-for-1 2024-07-15.
 */
export const SIMULATED_SPLITS: Readonly<Record<string, ReadonlyArray<{ date: string; from: number; to: number }>>> = {
  NVDA: [
    { date: '2021-07-20', from: 1, to: 4 },
    { date: '2024-06-10', from: 1, to: 10 },
  ],
  AAPL: [{ date: '2020-08-31', from: 1, to: 4 }],
  TSLA: [
    { date: '2020-08-31', from: 1, to: 5 },
    { date: '2022-08-25', from: 1, to: 3 },
  ],
  GOOGL: [{ date: '2022-07-18', from: 1, to: 20 }],
  AMZN: [{ date: '2022-06-06', from: 1, to: 20 }],
  WMT: [{ date: '2024-02-26', from: 1, to: 3 }],
  AVGO: [{ date: '2024-07-15', from: 1, to: 10 }],
};

/** How many shares one share held before `date` became, through the splits after it. */
export function splitsAfter(symbol: string, exDate: string): Decimal {
  let factor = new Decimal(1);
  for (const split of SIMULATED_SPLITS[symbol] ?? []) if (split.date > exDate) factor = factor.times(split.to).div(split.from);
  return factor;
}

export interface DividendPayer {
  symbol: string;
  currency: string;
  /** Fraction: 0.03 = 3 %. */
  dividendYield: number;
  /** Adjusted close of the last trading day before `epochDay`. */
  closeBefore(epochDay: number): number;
}

/** Splits and quarterly dividends with ex-date in first..last (epoch days), oldest first. */
export function simulatedActions(
  symbol: string,
  payer: DividendPayer | null,
  firstDay: number,
  lastDay: number,
  source: string,
): ProviderCorporateAction[] {
  const actions: ProviderCorporateAction[] = [];
  for (const split of SIMULATED_SPLITS[symbol] ?? []) {
    const day = epochDayFromIsoDate(split.date);
    if (day < firstDay || day > lastDay) continue;
    actions.push({
      type: 'SPLIT',
      symbol,
      exDate: split.date,
      payDate: null,
      amountPerShare: null,
      currency: null,
      splitFrom: String(split.from),
      splitTo: String(split.to),
      source,
    });
  }
  if (payer && payer.dividendYield > 0) {
    const hash = fnv1a32(symbol);
    // Each payer's own quarter cycle (first ex-month January, February or March) and day.
    const firstMonth = hash % 3;
    const dayOfMonth = 1 + ((hash >>> 8) % 20);
    const firstYear = new Date(firstDay * 86_400_000).getUTCFullYear();
    const lastYear = new Date(lastDay * 86_400_000).getUTCFullYear();
    for (let year = firstYear; year <= lastYear; year++) {
      for (let month = firstMonth; month < 12; month += 3) {
        const exDay = nextWeekday(Math.floor(Date.UTC(year, month, dayOfMonth) / 86_400_000));
        if (exDay < firstDay || exDay > lastDay) continue;
        const exDate = isoDateFromEpochDay(exDay);
        const adjusted = new Decimal(payer.closeBefore(exDay)).times(payer.dividendYield).div(4);
        actions.push({
          type: 'DIVIDEND',
          symbol,
          exDate,
          payDate: isoDateFromEpochDay(nextWeekday(exDay + 14)),
          amountPerShare: adjusted.times(splitsAfter(symbol, exDate)).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4),
          currency: payer.currency,
          splitFrom: null,
          splitTo: null,
          source,
        });
      }
    }
  }
  return actions.sort((a, b) => a.exDate.localeCompare(b.exDate) || a.type.localeCompare(b.type));
}

function nextWeekday(day: number): number {
  while (!isWeekday(day)) day++;
  return day;
}
