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
import { majorUnit } from '../portfolios/ledger/currency.js';

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
  const date = new Date(`${ymd}T00:00:00Z`);
  const weekday = date.getUTCDay();
  const back = weekday === 0 ? 2 : weekday === 6 ? 1 : 0;
  return new Date(date.getTime() - back * 86_400_000).toISOString().slice(0, 10);
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

/** The FX rates the API serves (the simulated source; one place to add real ones). */
export class FxRates {
  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Codes the rates know (major currencies; minor units of them are known too). */
  knows(currency: string): boolean {
    return majorUnit(currency).currency in USD_LEVELS;
  }

  /** Units of `to` per one `from` on `date` (today when omitted); null for an unknown currency. */
  rate(from: string, to: string, date?: string | null): FxQuote | null {
    const day = lastBusinessDay(date ?? this.now().toISOString().slice(0, 10));
    const a = majorUnit(from);
    const b = majorUnit(to);
    if (a.currency === b.currency) return { rate: new Rate(a.factor).div(b.factor), date: day, source: 'identity' };
    const usdPerA = simulatedUsdRate(a.currency, day);
    const usdPerB = simulatedUsdRate(b.currency, day);
    if (!usdPerA || !usdPerB) return null;
    const rate = usdPerA.times(a.factor).div(usdPerB.times(b.factor)).toSignificantDigits(SIGNIFICANT);
    return { rate, date: day, source: FX_SOURCE_SIMULATED };
  }
}
