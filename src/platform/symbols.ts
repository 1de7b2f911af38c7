/**
 * Symbol conventions shared by every provider. Our canonical form is Yahoo's, upper-cased:
 * "AAPL", "SAP.DE" (exchange suffix), "BRK-B" (share class), "BTC-USD" (crypto pair),
 * "EURUSD=X" (currency pair), "GC=F" (future).
 */

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
  L: 'GBp', IL: 'GBp',
  DE: 'EUR', F: 'EUR', BE: 'EUR', DU: 'EUR', HM: 'EUR', HA: 'EUR', MU: 'EUR', SG: 'EUR',
  AS: 'EUR', PA: 'EUR', BR: 'EUR', LS: 'EUR', MI: 'EUR', MC: 'EUR', VI: 'EUR', HE: 'EUR', IR: 'EUR',
  SW: 'CHF', VX: 'CHF',
  CO: 'DKK', ST: 'SEK', OL: 'NOK', WA: 'PLN',
  TO: 'CAD', V: 'CAD', NE: 'CAD',
  T: 'JPY', HK: 'HKD', SS: 'CNY', SZ: 'CNY', KS: 'KRW', TW: 'TWD', SI: 'SGD',
  AX: 'AUD', NZ: 'NZD', BO: 'INR', NS: 'INR', JO: 'ZAc', SA: 'BRL', MX: 'MXN',
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
