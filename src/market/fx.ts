/**
 * Foreign-exchange rates: units of `to` per one unit of `from` on a date (the last rate on or
 * before it: weekends and holidays take the previous business day's).
 *
 * The built-in source is simulated (like the simulated quotes: deterministic, labelled
 * `simulated`): a daily USD rate for each major currency, a slow, smooth walk around a realistic
 * level, published on weekdays. Other pairs are crossed through USD. Minor units (GBp, GBX,
 * ZAc, ILA) are 1/100 of their major currency.
 */
import { Decimal } from 'decimal.js';
import { majorUnit } from '../platform/currency-units.js';
import { addDays, isoDateOf } from '../platform/dates.js';
import { EcbFxSource, YahooFxSource, type FxSeries, type FxSource } from './providers/fx-sources.js';
import type { FetchFunction } from './providers/http.js';

export const FX_SOURCE_SIMULATED = 'simulated';

/** USD per unit, around 2024. */
const USD_LEVELS: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.085,
  GBP: 1.27,
  JPY: 0.0068,
  CHF: 1.13,
  CAD: 0.74,
  AUD: 0.66,
  NZD: 0.61,
  SEK: 0.095,
  NOK: 0.094,
  DKK: 0.1455,
  HKD: 0.128,
  SGD: 0.745,
  CNY: 0.139,
  INR: 0.012,
  KRW: 0.00075,
  TWD: 0.031,
  ZAR: 0.054,
  ILS: 0.27,
  BRL: 0.2,
  MXN: 0.058,
  PLN: 0.25,
};

const Rate = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
const SIGNIFICANT = 10;

function dayNumber(ymd: string): number {
  return Math.round(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);
}

/** The last weekday on or before `ymd`. */
export function lastBusinessDay(ymd: string): string {
  const weekday = new Date(`${ymd}T00:00:00Z`).getUTCDay();
  return addDays(ymd, weekday === 0 ? -2 : weekday === 6 ? -1 : 0);
}

function seedOf(code: string): number {
  let h = 0;
  for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return h;
}

/** USD per one unit of a major currency on a business day; null for currencies it does not know. */
function simulatedUsdRate(currency: string, businessDay: string): Decimal | null {
  const level = USD_LEVELS[currency];
  if (level === undefined) return null;
  if (currency === 'USD') return new Rate(1);
  const t = dayNumber(businessDay);
  const s = seedOf(currency);
  // Within about ±8 % of the level: two slow waves (months, years) and a small daily ripple.
  const drift = 0.05 * Math.sin(t / 97 + s) + 0.025 * Math.sin(t / 523 + s / 7) + 0.004 * Math.sin(t * 1.7 + s);
  return new Rate(level * Math.exp(drift)).toSignificantDigits(SIGNIFICANT);
}

export interface FxQuote {
  rate: Decimal;
  /** The business day whose rate it is. */
  date: string;
  source: string;
}

/** A pair's fetched series as the shared layers keep it (see ./fx-store.ts). */
export interface CachedSeries {
  /** The earliest date whose rate (with its look-back) the series answers. */
  coveredFrom: string;
  from: string;
  to: string;
  points: FxSeries;
  source: string;
  fetchedAt: number;
}

/** Where fetched series are shared between processes (./fx-store.ts); failures read as misses. */
export interface FxSeriesStore {
  read(pair: string): Promise<CachedSeries | null>;
  write(pair: string, series: CachedSeries): Promise<void>;
}

/** A day without a rate takes the last one at most this many days earlier (long holidays). */
const LOOKBACK_DAYS = 10;
/** A cached series that reaches today is fetched again after this long. */
const TODAY_TTL_MS = 3_600_000;

/**
 * The FX rates the API serves: the configured real sources in order (FX_PROVIDERS, e.g.
 * `ecb,yahoo`), each pair's daily series cached in memory once fetched, then the simulated rates
 * for pairs and days the real sources do not answer (or when they fail).
 */
export class FxRates {
  private readonly cache = new Map<string, CachedSeries>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly sources: readonly FxSource[] = [],
    private readonly onError: (source: string, error: unknown) => void = () => {},
    /** The shared layers under this memory (Redis, then PostgreSQL): what one replica fetched, all read. */
    private readonly store: FxSeriesStore | null = null,
  ) {}

  private today(): string {
    return isoDateOf(this.now());
  }

  /**
   * Units of `to` per one `from` on `date` (today when omitted): the last rate on or before it;
   * null when no source knows the pair. Fetches the pair's series first when a real source is
   * configured and it is not cached for that date.
   */
  async rate(from: string, to: string, date?: string | null): Promise<FxQuote | null> {
    const day = date ?? this.today();
    await this.prefetch(from, to, day);
    return this.cachedRate(from, to, day);
  }

  /** Loads the pair's daily series from `since` to today from the real sources (no-op without any). */
  async prefetch(from: string, to: string, since: string): Promise<void> {
    const a = majorUnit(from).currency;
    const b = majorUnit(to).currency;
    if (this.sources.length === 0 || a === b) return;
    const key = `${a}${b}`;
    const cached = this.cache.get(key);
    const today = this.today();
    if (cached && this.isFresh(cached) && cached.coveredFrom <= since) return;
    let loading = this.inFlight.get(key);
    if (!loading) {
      const coveredFrom = cached && cached.coveredFrom < since ? cached.coveredFrom : since;
      loading = this.load(key, a, b, coveredFrom, { from: addDays(coveredFrom, -LOOKBACK_DAYS), to: today }).finally(() =>
        this.inFlight.delete(key),
      );
      this.inFlight.set(key, loading);
    }
    await loading;
  }

  private async load(key: string, base: string, quote: string, coveredFrom: string, range: { from: string; to: string }): Promise<void> {
    const stored = await this.store?.read(key);
    if (stored && stored.coveredFrom <= coveredFrom && this.isFresh(stored)) {
      this.cache.set(key, stored);
      return;
    }
    for (const source of this.sources) {
      try {
        const points = await source.series(base, quote, range);
        if (points && points.length > 0) {
          const series = { ...range, coveredFrom, points, source: source.name, fetchedAt: Date.now() };
          this.cache.set(key, series);
          await this.store?.write(key, series);
          return;
        }
      } catch (error) {
        this.onError(source.name, error);
      }
    }
  }

  /** Whether a series still answers: it ends before today, or was fetched within the hour. */
  private isFresh(series: CachedSeries): boolean {
    return series.to < this.today() || Date.now() - series.fetchedAt < TODAY_TTL_MS;
  }

  /** The rate from what is cached (real sources), else the simulated rates; never fetches. */
  cachedRate(from: string, to: string, date?: string | null): FxQuote | null {
    const day = date ?? this.today();
    const a = majorUnit(from);
    const b = majorUnit(to);
    const scale = (rate: Decimal) => new Rate(rate).times(a.factor).div(b.factor).toSignificantDigits(SIGNIFICANT);
    if (a.currency === b.currency) return { rate: new Rate(a.factor).div(b.factor), date: day, source: 'identity' };
    const cached = this.cache.get(`${a.currency}${b.currency}`);
    if (cached && cached.from <= day) {
      const point = lastOnOrBefore(cached.points, day);
      if (point && point.date >= addDays(day, -LOOKBACK_DAYS)) return { rate: scale(point.rate), date: point.date, source: cached.source };
    }
    const business = lastBusinessDay(day);
    const usdPerA = simulatedUsdRate(a.currency, business);
    const usdPerB = simulatedUsdRate(b.currency, business);
    if (!usdPerA || !usdPerB) return null;
    return { rate: scale(usdPerA.div(usdPerB)), date: business, source: FX_SOURCE_SIMULATED };
  }
}

function lastOnOrBefore(points: FxSeries, day: string): FxSeries[number] | null {
  let lo = 0;
  let hi = points.length - 1;
  let found: FxSeries[number] | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.date <= day) {
      found = points[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The FX sources FX_PROVIDERS names, in order ("simulated" is always last, implicitly). */
export function createFxSources(names: readonly string[], options: { fetch?: FetchFunction; now?: () => Date } = {}): FxSource[] {
  return names
    .filter((name) => name !== 'simulated')
    .map((name) => (name === 'ecb' ? new EcbFxSource(options) : new YahooFxSource(options)));
}
