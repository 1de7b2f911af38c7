/**
 * Calendar arithmetic on UTC dates. Candle dates are plain YYYY-MM-DD strings; internally a date is
 * an "epoch day" (whole days since 1970-01-01), which makes stepping and comparing trivial.
 */
const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD strictly (rejects 2024-02-30); throws RangeError otherwise. */
export function epochDayFromIsoDate(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const parsed = new Date(ms);
    if (parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day) {
      return ms / MS_PER_DAY;
    }
  }
  throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
}

/** Memoised: history builds thousands of candle dates per call. */
const isoDateCache = new Map<number, string>();

export function isoDateFromEpochDay(epochDay: number): string {
  let date = isoDateCache.get(epochDay);
  if (date === undefined) {
    date = new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
    isoDateCache.set(epochDay, date);
  }
  return date;
}

/** The YYYY-MM-DD date `days` after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return isoDateFromEpochDay(epochDayFromIsoDate(date) + days);
}

/** The UTC calendar day an instant falls on. */
export function epochDayOf(instant: Date): number {
  return Math.floor(instant.getTime() / MS_PER_DAY);
}

export function isoDateOf(instant: Date): string {
  return isoDateFromEpochDay(epochDayOf(instant));
}

/** Monday to Friday. 1970-01-01 was a Thursday. */
export function isWeekday(epochDay: number): boolean {
  const dayOfWeek = (((epochDay + 4) % 7) + 7) % 7; // 0 = Sunday
  return dayOfWeek >= 1 && dayOfWeek <= 5;
}

/** Whole calendar days from `from` to `to` (YYYY-MM-DD), negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return epochDayFromIsoDate(to) - epochDayFromIsoDate(from);
}

export function epochSecondsFromIsoDate(date: string): number {
  return epochDayFromIsoDate(date) * 86_400;
}

/** Whether text is a real YYYY-MM-DD calendar date (2024-02-30 is not). */
/**
 * Whether `text` is a YYYY-MM-DD date epochDayFromIsoDate accepts (a real day; years 0100 on, as
 * Date.UTC reads 00-99 as 19xx), decided from its characters without a regex match or a Date:
 * the Date scalar prints every date through it (1,000 per page of the read-path benchmark's Q2,
 * where the regex-and-Date check was ~5 % of the profile). dates.test.ts compares the two.
 */
export function isCalendarDate(text: unknown): text is string {
  if (typeof text !== 'string' || text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written with ASCII digits in text[from, to), or -1 if any other character is there. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** A YYYY-MM-DD calendar date, validated; throws RangeError otherwise. */
export function parseCalendarDate(text: unknown): string {
  if (!isCalendarDate(text)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  return text;
}

/** Dates are stored as UTC midnight (Prisma @db.Date); this is the one way to print them. */
export function formatDate(value: Date | string): string {
  return typeof value === 'string' ? parseCalendarDate(value) : isoDateOf(value);
}

/**
 * The latest calendar date anywhere on Earth right now (UTC+14): a purchase made "today" in
 * Kiribati is not in the future, even while it is still yesterday in UTC.
 */
export function latestDateOnEarth(now = new Date()): string {
  return isoDateOf(new Date(now.getTime() + 14 * 3_600_000));
}
