/**
 * A market-data provider that records every call it gets and answers from a simulated provider
 * (or fails, for outage tests). Pass it as `marketProviders: [provider]` to startTestApp: it sits
 * first in the chain, so it sees every provider call the market service makes.
 */
import { SimulatedProvider } from '../src/market/providers/simulated.js';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from '../src/market/providers/types.js';

export interface ProviderCall {
  operation: 'quotes' | 'history' | 'corporateActions' | 'fundamentals' | 'news' | 'search';
  args: unknown[];
}

export class CountingProvider implements MarketDataProvider {
  readonly name: string;
  readonly calls: ProviderCall[] = [];
  /** When set, every call fails with this error (a provider outage). */
  failWith: Error | null = null;

  constructor(
    private readonly inner: MarketDataProvider = new SimulatedProvider({ tickSeed: 42 }),
    name = 'simulated',
  ) {
    this.name = name;
  }

  /** Calls of one operation. */
  of(operation: ProviderCall['operation']): ProviderCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  reset(): void {
    this.calls.length = 0;
  }

  quotes(symbols: string[]): Promise<ProviderQuote[]> {
    return this.record('quotes', [symbols], () => this.inner.quotes(symbols));
  }

  history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    return this.record('history', [symbol, from, to], () => this.inner.history(symbol, from, to));
  }

  corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    return this.record('corporateActions', [symbol, from, to], () => this.inner.corporateActions(symbol, from, to));
  }

  fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    return this.record('fundamentals', [symbol], () => this.inner.fundamentals(symbol));
  }

  news(symbols: string[], limit: number): Promise<ProviderNewsItem[]> {
    return this.record('news', [symbols, limit], () => this.inner.news(symbols, limit));
  }

  search(query: string, limit: number): Promise<ProviderSymbol[]> {
    return this.record('search', [query, limit], () => this.inner.search(query, limit));
  }

  private async record<T>(operation: ProviderCall['operation'], args: unknown[], call: () => Promise<T>): Promise<T> {
    this.calls.push({ operation, args });
    if (this.failWith) throw this.failWith;
    return call();
  }
}
