/**
 * Input rules of the market queries. Every problem is reported at once as BAD_USER_INPUT with
 * extensions.details [{ field, message }]. Symbols follow the same rule as investments and
 * custom assets (src/ledger/validation.ts): trimmed, upper-cased, well-formed.
 */
import { checkSymbol } from '../platform/symbols.js';
import { Problems } from '../platform/errors.js';
import { CANDLE_INTERVALS, type CandleInterval } from './candles.js';
import { daysBetween } from '../platform/dates.js';
import type { DateRange } from './store.js';

export const MAX_QUOTE_SYMBOLS = 100;
export const MAX_NEWS_SYMBOLS = 20;
/** 20 years of 365.25 days. */
export const MAX_HISTORY_DAYS = 7_305;
export const DEFAULT_SEARCH_RESULTS = 10;
export const MAX_SEARCH_RESULTS = 50;
export const MAX_SEARCH_QUERY_LENGTH = 100;
export const DEFAULT_NEWS_ITEMS = 10;
export const MAX_NEWS_ITEMS = 50;

function symbolList(problems: Problems, field: string, values: readonly string[], max: number): string[] {
  if (values.length > max) {
    problems.add(field, `at most ${max} symbols at a time (got ${values.length})`);
    return [];
  }
  const symbols = values.map((value, i) => checkSymbol(problems, `${field}[${i}]`, value));
  return [...new Set(symbols)];
}

function count(problems: Problems, field: string, value: number | null | undefined, fallback: number, max: number): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) problems.add(field, `must be between 1 and ${max}`);
  return value;
}

export function checkedSymbol(value: string, field = 'symbol'): string {
  const problems = new Problems();
  const symbol = checkSymbol(problems, field, value);
  problems.throwIfAny();
  return symbol;
}

/** Distinct symbols, in the order given. */
export function checkedQuoteSymbols(values: readonly string[]): string[] {
  const problems = new Problems();
  const symbols = symbolList(problems, 'symbols', values, MAX_QUOTE_SYMBOLS);
  problems.throwIfAny();
  return symbols;
}

export interface HistoryInput {
  symbol: string;
  from: string;
  to: string;
  interval?: CandleInterval | null;
}

export function checkedHistory(input: HistoryInput): { symbol: string; range: DateRange; interval: CandleInterval } {
  const problems = new Problems();
  const symbol = checkSymbol(problems, 'symbol', input.symbol);
  const interval = input.interval ?? 'DAY';
  if (!CANDLE_INTERVALS.includes(interval)) problems.add('interval', `must be one of ${CANDLE_INTERVALS.join(', ')}`);
  const days = daysBetween(input.from, input.to);
  if (days < 0) problems.add('from', `must be on or before to (${input.to})`);
  else if (days > MAX_HISTORY_DAYS) problems.add('to', `the range may span at most 20 years (${MAX_HISTORY_DAYS} days; asked ${days})`);
  problems.throwIfAny();
  return { symbol, range: { from: input.from, to: input.to }, interval };
}

export function checkedSearch(query: string, first: number | null | undefined): { query: string; first: number } {
  const problems = new Problems();
  const text = query.trim();
  if ([...text].length > MAX_SEARCH_QUERY_LENGTH) problems.add('query', `must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`);
  const limit = count(problems, 'first', first, DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS);
  problems.throwIfAny();
  return { query: text, first: limit };
}

export function checkedNews(
  symbols: readonly string[] | null | undefined,
  first: number | null | undefined,
): { symbols: string[]; first: number } {
  const problems = new Problems();
  const wanted = symbols ? symbolList(problems, 'symbols', symbols, MAX_NEWS_SYMBOLS) : [];
  const limit = count(problems, 'first', first, DEFAULT_NEWS_ITEMS, MAX_NEWS_ITEMS);
  problems.throwIfAny();
  return { symbols: wanted, first: limit };
}
