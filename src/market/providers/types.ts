/**
 * The one interface every market-data source implements (simulated, Alpha Vantage, Yahoo,
 * the user's custom assets). Prices are exact decimal strings ("189.23"), never floats.
 */
export type AssetType = 'STOCK' | 'ETF' | 'BOND' | 'CRYPTO' | 'FUND' | 'CASH' | 'COMMODITY' | 'REAL_ESTATE' | 'OTHER';

export interface ProviderQuote {
  symbol: string;
  price: string;
  /** Change against the previous close, when the source knows it. */
  change: string | null;
  /** Percent, not a fraction: 1.25 means +1.25 %. */
  changePercent: number | null;
  previousClose: string | null;
  currency: string;
  timestamp: Date;
  /** Where the figure came from, e.g. "simulated", "alphavantage", "yahoo". */
  source: string;
}

export interface ProviderCandle {
  /** Trading day, YYYY-MM-DD. */
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number | null;
}

export interface ProviderFundamentals {
  symbol: string;
  name: string;
  type: AssetType;
  sector: string | null;
  currency: string;
  marketCap: string | null;
  peRatio: number | null;
  /** Trailing annual yield as a fraction: 0.0392 means 3.92 %. */
  dividendYield: number | null;
}

export interface ProviderNewsItem {
  id: string;
  title: string;
  url: string | null;
  source: string;
  symbols: string[];
  publishedAt: Date;
}

export interface ProviderSymbol {
  symbol: string;
  name: string;
  type: AssetType;
  currency: string;
  exchange: string | null;
  sector: string | null;
}

/**
 * A split or a dividend as the source reports it. Amounts are as paid per share held on the
 * ex-date (not adjusted for later splits), so entitlement × amountPerShare is what was received.
 */
export interface ProviderCorporateAction {
  type: 'SPLIT' | 'DIVIDEND';
  symbol: string;
  /** A dividend's ex-date; a split's effective date (YYYY-MM-DD). */
  exDate: string;
  /** A dividend's payment date when the source knows it. */
  payDate: string | null;
  /** DIVIDEND: cash per share, exact decimal string. */
  amountPerShare: string | null;
  currency: string | null;
  /** SPLIT: splitFrom old shares became splitTo new ones (10-for-1: from 1, to 10). */
  splitFrom: string | null;
  splitTo: string | null;
  /** The provider that reported it. */
  source: string;
}

export interface MarketDataProvider {
  readonly name: string;
  /** Quotes for many symbols in as few upstream calls as the source allows; unknown symbols are left out. */
  quotes(symbols: string[]): Promise<ProviderQuote[]>;
  /** Daily candles from..to inclusive (YYYY-MM-DD), oldest first. */
  history(symbol: string, from: string, to: string): Promise<ProviderCandle[]>;
  fundamentals(symbol: string): Promise<ProviderFundamentals | null>;
  news(symbols: string[], limit: number): Promise<ProviderNewsItem[]>;
  search(query: string, limit: number): Promise<ProviderSymbol[]>;
  /** Splits and dividends whose ex-date is from..to inclusive, oldest first. */
  corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]>;
}
