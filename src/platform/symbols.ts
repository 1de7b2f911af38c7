/**
 * Symbol conventions shared by every provider. Our canonical form is Yahoo's, upper-cased:
 * "AAPL", "SAP.DE" (exchange suffix), "BRK-B" (share class), "BTC-USD" (crypto pair),
 * "EURUSD=X" (currency pair), "GC=F" (future).
 */

import type { Problems } from './errors.js';

/** The one symbol normaliser: trims and upper-cases. */
export function normalizeSymbol(symbol: string): string {
  return symbol.trim().toUpperCase();
}

/** Normalised, blank-free, first-occurrence-ordered list. */
export function uniqueSymbols(symbols: readonly string[]): string[] {
  return [...new Set(symbols.map(normalizeSymbol).filter((s) => s !== ''))];
}

/**
 * Quote currency by exchange suffix, for sources that do not say (Alpha Vantage quotes, search
 * results). London and Johannesburg quote in minor units (pence, cents): see toMajorCurrencyUnits.
 */
const CURRENCY_BY_SUFFIX: Readonly<Record<string, string>> = {
  L: 'GBp',
  IL: 'GBp',
  DE: 'EUR',
  F: 'EUR',
  BE: 'EUR',
  DU: 'EUR',
  HM: 'EUR',
  HA: 'EUR',
  MU: 'EUR',
  SG: 'EUR',
  AS: 'EUR',
  PA: 'EUR',
  BR: 'EUR',
  LS: 'EUR',
  MI: 'EUR',
  MC: 'EUR',
  VI: 'EUR',
  HE: 'EUR',
  IR: 'EUR',
  SW: 'CHF',
  VX: 'CHF',
  CO: 'DKK',
  ST: 'SEK',
  OL: 'NOK',
  WA: 'PLN',
  TO: 'CAD',
  V: 'CAD',
  NE: 'CAD',
  T: 'JPY',
  HK: 'HKD',
  SS: 'CNY',
  SZ: 'CNY',
  KS: 'KRW',
  TW: 'TWD',
  SI: 'SGD',
  AX: 'AUD',
  NZ: 'NZD',
  BO: 'INR',
  NS: 'INR',
  JO: 'ZAc',
  SA: 'BRL',
  MX: 'MXN',
};

export function currencyForSymbol(symbol: string): string {
  const normalized = normalizeSymbol(symbol);
  // Crypto pairs name their quote currency: BTC-USD, ETH-EUR.
  const pair = /^[A-Z0-9]+-([A-Z]{3})$/.exec(normalized);
  if (pair?.[1]) return pair[1];
  // Currency pairs: EURUSD=X is priced in USD.
  const fx = /^[A-Z]{3}([A-Z]{3})=X$/.exec(normalized);
  if (fx?.[1]) return fx[1];
  const dot = normalized.lastIndexOf('.');
  if (dot > 0) return CURRENCY_BY_SUFFIX[normalized.slice(dot + 1)] ?? 'USD';
  return 'USD';
}

export const SYMBOL_MAX = 20;

/** Tickers as the market writes them (AAPL, SAP.DE, BRK-B, BTC-USD, EURUSD=X, ^GSPC) plus "_". */
const SYMBOL_PATTERN = /^[A-Z0-9^][A-Z0-9._\-=^]*$/;

/** A ticker, normalised (trimmed, upper case) and well-formed; whether it is known is checked elsewhere. */
export function checkSymbol(problems: Problems, field: string, value: string): string {
  const symbol = normalizeSymbol(value);
  if (symbol === '') problems.add(field, 'must not be empty');
  else if (symbol.length > SYMBOL_MAX) problems.add(field, `must be at most ${SYMBOL_MAX} characters`);
  else if (!SYMBOL_PATTERN.test(symbol)) problems.add(field, 'may hold only letters, digits and . _ - = ^');
  return symbol;
}
