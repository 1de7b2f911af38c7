/**
 * Real FX sources: the ECB's daily euro reference rates (XML, ~30 currencies, business days
 * since 1999) and Yahoo Finance's currency pairs (`EURUSD=X` charts). Each answers daily series
 * of one pair; FxRates (../fx.ts) chains them before the simulated rates, caches what they
 * answer and takes the last rate on or before a date.
 */
import { Decimal } from 'decimal.js';
import { isoDateOf } from '../../platform/dates.js';
import { globalFetch, type FetchFunction } from './http.js';

/** Daily closes of one pair: units of `to` per one `from`, by YYYY-MM-DD, ascending. */
export type FxSeries = Array<{ date: string; rate: Decimal }>;

export interface FxSource {
  readonly name: string;
  /** The pair's daily rates from `from` to `to` (dates inclusive); null when the source does not have the pair. */
  series(base: string, quote: string, range: { from: string; to: string }): Promise<FxSeries | null>;
}

const TIMEOUT_MS = 5_000;

async function fetchText(fetch: FetchFunction, url: string, source: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: '*/*' } });
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status} for ${new URL(url).pathname}`);
  return response.text();
}

// ---------------------------------------------------------------------------------- ECB

/** Rates of each day in an ECB eurofxref file: currency → units per one EUR. */
export function parseEcbRates(xml: string): Map<string, Map<string, Decimal>> {
  const days = new Map<string, Map<string, Decimal>>();
  const dayPattern = /<Cube\s+time=["'](\d{4}-\d{2}-\d{2})["']\s*>([\s\S]*?)<\/Cube>\s*(?=<Cube\s+time=|<\/Cube>)/g;
  const ratePattern = /<Cube\s+currency=["']([A-Z]{3})["']\s+rate=["']([0-9.]+)["']\s*\/>/g;
  for (const [, date, body] of xml.matchAll(dayPattern)) {
    const rates = new Map<string, Decimal>([['EUR', new Decimal(1)]]);
    for (const [, currency, rate] of body!.matchAll(ratePattern)) rates.set(currency!, new Decimal(rate!));
    days.set(date!, rates);
  }
  return days;
}

export interface EcbOptions {
  fetch?: FetchFunction;
  /** The last 90 days (daily file) or the whole history since 1999. */
  url?: string;
  historyUrl?: string;
  now?: () => Date;
}

export class EcbFxSource implements FxSource {
  readonly name = 'ecb';
  private readonly fetch: FetchFunction;
  private readonly recentUrl: string;
  private readonly historyUrl: string;
  private readonly now: () => Date;

  constructor(options: EcbOptions = {}) {
    this.fetch = options.fetch ?? globalFetch;
    this.recentUrl = options.url ?? 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml';
    this.historyUrl = options.historyUrl ?? 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml';
    this.now = options.now ?? (() => new Date());
  }

  async series(base: string, quote: string, range: { from: string; to: string }): Promise<FxSeries | null> {
    const ninetyDaysAgo = isoDateOf(new Date(this.now().getTime() - 85 * 86_400_000));
    const days = parseEcbRates(await fetchText(this.fetch, range.from >= ninetyDaysAgo ? this.recentUrl : this.historyUrl, 'ecb'));
    const series: FxSeries = [];
    for (const [date, rates] of days) {
      if (date < range.from || date > range.to) continue;
      const perEurBase = rates.get(base);
      const perEurQuote = rates.get(quote);
      if (!perEurBase || !perEurQuote) continue;
      // EUR→quote / EUR→base = quote per base.
      series.push({ date, rate: perEurQuote.div(perEurBase).toSignificantDigits(10) });
    }
    const known = [...days.values()].some((rates) => rates.has(base) && rates.has(quote));
    return known ? series.sort((a, b) => (a.date < b.date ? -1 : 1)) : null;
  }
}

// ---------------------------------------------------------------------------------- Yahoo

interface YahooChart {
  chart?: {
    result?: Array<{
      meta?: { gmtoffset?: number };
      timestamp?: number[];
      indicators?: { quote?: Array<{ close?: Array<number | null> }> };
    }> | null;
    error?: { code?: string; description?: string } | null;
  };
}

/** Daily closes of a Yahoo currency-pair chart; a bar's date is its local (exchange) date. */
export function parseYahooFxChart(body: unknown): FxSeries | null {
  const result = (body as YahooChart).chart?.result?.[0];
  if (!result?.timestamp) return null;
  const offset = result.meta?.gmtoffset ?? 0;
  const closes = result.indicators?.quote?.[0]?.close ?? [];
  const series: FxSeries = [];
  result.timestamp.forEach((stamp, i) => {
    const close = closes[i];
    if (close == null || !(close > 0)) return;
    series.push({ date: isoDateOf(new Date((stamp + offset) * 1000)), rate: new Decimal(close.toString()) });
  });
  return series;
}

export class YahooFxSource implements FxSource {
  readonly name = 'yahoo';
  private readonly fetch: FetchFunction;
  private readonly baseUrl: string;

  constructor(options: { fetch?: FetchFunction; baseUrl?: string } = {}) {
    this.fetch = options.fetch ?? globalFetch;
    this.baseUrl = options.baseUrl ?? 'https://query1.finance.yahoo.com';
  }

  async series(base: string, quote: string, range: { from: string; to: string }): Promise<FxSeries | null> {
    const period1 = Math.floor(Date.parse(`${range.from}T00:00:00Z`) / 1000);
    const period2 = Math.floor(Date.parse(`${range.to}T23:59:59Z`) / 1000);
    const url = `${this.baseUrl}/v8/finance/chart/${base}${quote}=X?interval=1d&period1=${period1}&period2=${period2}`;
    const response = await this.fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`yahoo: HTTP ${response.status} for ${base}${quote}=X`);
    return parseYahooFxChart(await response.json())?.filter((p) => p.date >= range.from && p.date <= range.to) ?? null;
  }
}
