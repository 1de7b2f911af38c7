/** ISO calendar dates ('YYYY-MM-DD') as whole day numbers, so day counts need no Date objects. */

/** Inclusive range of ISO dates. */
export interface DateRange {
  from: string;
  to: string;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) of an ISO date 'YYYY-MM-DD'; throws on anything else. */
export function dayNumber(isoDate: string): number {
  const match = ISO_DATE.exec(isoDate);
  if (!match) throw new RangeError(`Expected an ISO date YYYY-MM-DD, got "${isoDate}"`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/**
 * Index of the first date ≥ `date` in ascending ISO dates (dates.length when none).
 * ISO dates sort lexicographically, so plain string comparison is enough.
 */
export function firstIndexOnOrAfter(dates: ArrayLike<string>, date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((dates[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first date > `date` in ascending ISO dates (dates.length when none). */
export function firstIndexAfter(dates: ArrayLike<string>, date: string): number {
  // ISO dates are 10 characters: date + '\uffff' sorts after `date` and before every later date.
  return firstIndexOnOrAfter(dates, `${date}\uffff`);
}
