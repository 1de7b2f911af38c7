/**
 * Wraps each provider of the chain: counts its calls in the metrics, and labels the candles it
 * returns with its name, because the chain answers history from whichever provider had data and
 * the price store records where each stored candle came from (daily_prices.source).
 */
import type { MarketMetrics } from './metrics.js';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './providers/types.js';

/** A candle together with the provider that produced it. */
export interface SourcedCandle extends ProviderCandle {
  source: string;
}

/** The source of a candle returned through an instrumented provider. */
export function candleSource(candle: ProviderCandle): string {
  return (candle as Partial<SourcedCandle>).source ?? 'unknown';
}

export class InstrumentedProvider implements MarketDataProvider {
  readonly name: string;

  constructor(
    private readonly inner: MarketDataProvider,
    private readonly metrics: MarketMetrics,
  ) {
    this.name = inner.name;
  }

  quotes(symbols: string[]): Promise<ProviderQuote[]> {
    return this.count('quotes', () => this.inner.quotes(symbols));
  }

  history(symbol: string, from: string, to: string): Promise<SourcedCandle[]> {
    return this.count('history', async () =>
      (await this.inner.history(symbol, from, to)).map((candle) => ({ ...candle, source: this.name })),
    );
  }

  corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    return this.count('corporateActions', () => this.inner.corporateActions(symbol, from, to));
  }

  fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    return this.count('fundamentals', () => this.inner.fundamentals(symbol));
  }

  news(symbols: string[], limit: number): Promise<ProviderNewsItem[]> {
    return this.count('news', () => this.inner.news(symbols, limit));
  }

  search(query: string, limit: number): Promise<ProviderSymbol[]> {
    return this.count('search', () => this.inner.search(query, limit));
  }

  private async count<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.metrics.providerCalls.inc({ provider: this.name, operation, outcome: 'ok' });
      return result;
    } catch (error) {
      this.metrics.providerCalls.inc({ provider: this.name, operation, outcome: 'error' });
      throw error;
    }
  }
}
