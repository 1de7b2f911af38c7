/**
 * Turning upstream numbers (floats with binary noise, padded strings, minor currency units) into
 * the exact decimal strings of the provider interface, the same way for every provider.
 */
import { Decimal } from 'decimal.js';

/** Cents for prices of 1 and above; about four significant digits below that (cheap crypto). */
export function priceDecimals(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude >= 1 || magnitude === 0 || !Number.isFinite(magnitude)) return 2;
  return Math.min(12, Math.ceil(-Math.log10(magnitude)) + 3);
}

/**
 * Rounds to at most `maxDecimals` places and keeps at least two ("189.20", "0.001234"), in plain
 * notation (never "1e-7"). Strings and Decimals round half-up exactly; floats go through toFixed
 * (fast, and exact for the float's true binary value), which is what upstream floats and the
 * simulation need.
 */
export function formatPrice(value: Decimal.Value, maxDecimals: number): string {
  const fixed =
    typeof value === 'number'
      ? value.toFixed(maxDecimals)
      : new Decimal(value).toDecimalPlaces(maxDecimals, Decimal.ROUND_HALF_UP).toFixed(maxDecimals);
  return trimTrailingZeros(fixed, Math.min(2, maxDecimals));
}

function trimTrailingZeros(fixed: string, minDecimals: number): string {
  const point = fixed.indexOf('.');
  if (point < 0) return fixed;
  let end = fixed.length;
  while (end > point + 1 + minDecimals && fixed[end - 1] === '0') end--;
  const trimmed = fixed.slice(0, end === point + 1 ? point : end);
  return trimmed.startsWith('-') && /^-0(\.0*)?$/.test(trimmed) ? trimmed.slice(1) : trimmed; // no "-0.00"
}

/** A whole number as a decimal string (market capitalisation). */
export function formatInteger(value: Decimal.Value): string {
  return new Decimal(value).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0);
}

export function roundNumber(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Quotes in pence or cents (London, Johannesburg, Tel Aviv) are reported in the major unit. */
const MINOR_CURRENCY_UNITS: Readonly<Record<string, { major: string; divisor: number }>> = {
  GBp: { major: 'GBP', divisor: 100 },
  GBX: { major: 'GBP', divisor: 100 },
  ZAc: { major: 'ZAR', divisor: 100 },
  ZAC: { major: 'ZAR', divisor: 100 },
  ILA: { major: 'ILS', divisor: 100 },
};

/** The ISO 4217 code for a currency as upstreams spell it ("GBp" and "GBX" are GBP). */
export function majorCurrency(upstreamCurrency: string): string {
  return MINOR_CURRENCY_UNITS[upstreamCurrency]?.major ?? upstreamCurrency.toUpperCase();
}

export interface PriceFormatter {
  /** ISO 4217 code of the formatted figures (GBP for an upstream GBp). */
  currency: string;
  format(value: Decimal.Value): string;
}

/**
 * Formats every price figure of one upstream answer in the same currency and precision:
 * minor units are converted to major ones, gaining the two decimals they need.
 */
export function priceFormatter(upstreamCurrency: string, maxDecimals: number): PriceFormatter {
  const minor = MINOR_CURRENCY_UNITS[upstreamCurrency];
  if (!minor) {
    return { currency: majorCurrency(upstreamCurrency), format: (value) => formatPrice(value, maxDecimals) };
  }
  return {
    currency: minor.major,
    format: (value) => formatPrice(new Decimal(value).div(minor.divisor), maxDecimals + 2),
  };
}
