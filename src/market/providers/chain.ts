/**
 * An ordered chain of providers behind one MarketDataProvider. Each provider sits behind its own
 * circuit breaker (opossum): a provider that keeps failing or timing out is skipped at once while
 * its breaker is open, tried again with one call after `resetTimeoutMs` (half-open), and used
 * normally again when that call succeeds.
 *
 * - quotes: the first provider is asked for every symbol, the next one for what is still missing,
 *   and so on ("alphavantage,yahoo,simulated" fills gaps).
 * - history, corporateActions, fundamentals, news, search: the first provider with a non-empty answer wins.
 * A provider's failure only moves the request on; the chain throws AllProvidersFailedError only
 * when no provider answered at all.
 */
import CircuitBreaker from 'opossum';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './types.js';
import { AllProvidersFailedError, ProviderConfigError, ProviderInvalidRequestError } from './errors.js';
import { normalizeSymbol, uniqueSymbols } from '../../platform/symbols.js';
import { SimulatedProvider, type SimulatedProviderOptions } from './simulated.js';
import { AlphaVantageProvider, type AlphaVantageOptions } from './alphavantage.js';
import { YahooProvider, type YahooOptions } from './yahoo.js';

export interface BreakerOptions {
  /** A provider call slower than this fails (and counts against the provider). */
  timeoutMs: number;
  /** Failure share of recent calls, in percent, above which the breaker opens. */
  errorThresholdPercentage: number;
  /** How long an open breaker rejects calls before letting one through (half-open). */
  resetTimeoutMs: number;
  /** Calls needed in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** Length of the rolling window the failure share is measured over. */
  rollingWindowMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  timeoutMs: 10_000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30_000,
  volumeThreshold: 5,
  rollingWindowMs: 60_000,
});

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface ProviderStatus {
  name: string;
  state: BreakerState;
  /** Counts over the rolling window. */
  recent: { calls: number; failures: number; timeouts: number; rejected: number };
}

export type ProviderChainEvent =
  { type: 'open' | 'halfOpen' | 'close'; provider: string } | { type: 'failure'; provider: string; error: Error };

export type ProviderChainListener = (event: ProviderChainEvent) => void;

export interface ProviderChainOptions {
  breaker?: Partial<BreakerOptions>;
  /** Called on breaker transitions and provider failures, e.g. to log them. */
  onEvent?: ProviderChainListener;
}

type Run = () => Promise<unknown>;

interface Link {
  provider: MarketDataProvider;
  breaker: CircuitBreaker<[Run], unknown>;
}

export class ProviderChain implements MarketDataProvider {
  readonly name = 'chain';
  private readonly links: Link[];
  private readonly listeners = new Set<ProviderChainListener>();

  constructor(providers: readonly MarketDataProvider[], options: ProviderChainOptions = {}) {
    if (providers.length === 0) throw new ProviderConfigError('a provider chain needs at least one provider');
    const settings = { ...DEFAULT_BREAKER_OPTIONS, ...options.breaker };
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.links = providers.map((provider) => ({ provider, breaker: this.createBreaker(provider.name, settings) }));
  }

  /** Subscribes to breaker transitions and failures; returns the unsubscribe function. */
  onEvent(listener: ProviderChainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Breaker state per provider, in chain order, for /metrics and logs. */
  status(): ProviderStatus[] {
    return this.links.map(({ provider, breaker }) => {
      const stats = breaker.stats;
      return {
        name: provider.name,
        state: breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed',
        recent: { calls: stats.fires, failures: stats.failures, timeouts: stats.timeouts, rejected: stats.rejects },
      };
    });
  }

  /** Stops the breakers' timers (on shutdown, and between tests). */
  shutdown(): void {
    for (const { breaker } of this.links) breaker.shutdown();
    this.listeners.clear();
  }

  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    const wanted = uniqueSymbols(symbols);
    const found = new Map<string, ProviderQuote>();
    const failures: Array<{ provider: string; error: Error }> = [];
    let answered = false;
    for (const link of this.links) {
      const missing = wanted.filter((symbol) => !found.has(symbol));
      if (missing.length === 0) break;
      try {
        const quotes = await this.call(link, (provider) => provider.quotes(missing));
        answered = true;
        const stillMissing = new Set(missing);
        for (const quote of quotes) {
          const symbol = normalizeSymbol(quote.symbol);
          if (stillMissing.delete(symbol)) found.set(symbol, quote);
        }
      } catch (error) {
        failures.push({ provider: link.provider.name, error: asError(error) });
      }
    }
    if (!answered && failures.length > 0) throw new AllProvidersFailedError('quotes', failures);
    return wanted.flatMap((symbol) => found.get(symbol) ?? []);
  }

  history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    return this.firstNonEmpty('history', (provider) => provider.history(symbol, from, to), []);
  }

  corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    return this.firstNonEmpty('corporateActions', (provider) => provider.corporateActions(symbol, from, to), []);
  }

  fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    return this.firstNonEmpty('fundamentals', (provider) => provider.fundamentals(symbol), null);
  }

  news(symbols: string[], limit: number): Promise<ProviderNewsItem[]> {
    return this.firstNonEmpty('news', (provider) => provider.news(symbols, limit), []);
  }

  search(query: string, limit: number): Promise<ProviderSymbol[]> {
    return this.firstNonEmpty('search', (provider) => provider.search(query, limit), []);
  }

  private async firstNonEmpty<T extends unknown[] | ProviderFundamentals | null>(
    operation: string,
    ask: (provider: MarketDataProvider) => Promise<T>,
    nothing: T,
  ): Promise<T> {
    const failures: Array<{ provider: string; error: Error }> = [];
    let answered = false;
    for (const link of this.links) {
      try {
        const result = await this.call(link, ask);
        answered = true;
        if (result !== null && !(Array.isArray(result) && result.length === 0)) return result;
      } catch (error) {
        failures.push({ provider: link.provider.name, error: asError(error) });
      }
    }
    if (!answered && failures.length > 0) throw new AllProvidersFailedError(operation, failures);
    return nothing;
  }

  private call<T>(link: Link, ask: (provider: MarketDataProvider) => Promise<T>): Promise<T> {
    return link.breaker.fire(() => ask(link.provider)) as Promise<T>;
  }

  private createBreaker(providerName: string, settings: BreakerOptions): CircuitBreaker<[Run], unknown> {
    const breaker = new CircuitBreaker<[Run], unknown>((run) => run(), {
      name: providerName,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      // A request the source rejects on its merits (unknown symbol, premium-only) says nothing
      // about the source's health: move on without counting it.
      errorFilter: (error: unknown) => error instanceof ProviderInvalidRequestError,
    });
    breaker.on('open', () => this.emit({ type: 'open', provider: providerName }));
    breaker.on('halfOpen', () => this.emit({ type: 'halfOpen', provider: providerName }));
    breaker.on('close', () => this.emit({ type: 'close', provider: providerName }));
    breaker.on('failure', (error) => this.emit({ type: 'failure', provider: providerName, error: asError(error) }));
    return breaker;
  }

  private emit(event: ProviderChainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A logging hook must never break market data.
      }
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export const PROVIDER_NAMES = ['simulated', 'alphavantage', 'yahoo'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderChainConfig extends ProviderChainOptions {
  simulated?: SimulatedProviderOptions;
  /** Required when "alphavantage" is named. */
  alphaVantage?: AlphaVantageOptions;
  yahoo?: YahooOptions;
  /** Ready-made providers placed before the named ones (e.g. the user's custom assets). */
  extra?: readonly MarketDataProvider[];
}

/** Builds one named provider from configuration. */
export function createProvider(name: string, config: ProviderChainConfig = {}): MarketDataProvider {
  switch (name) {
    case 'simulated':
      return new SimulatedProvider(config.simulated);
    case 'alphavantage':
      if (!config.alphaVantage?.apiKey) {
        throw new ProviderConfigError('market-data provider "alphavantage" needs an API key (alphaVantage.apiKey)');
      }
      return new AlphaVantageProvider(config.alphaVantage);
    case 'yahoo':
      return new YahooProvider(config.yahoo);
    default:
      throw new ProviderConfigError(`unknown market-data provider "${name}"; valid providers: ${PROVIDER_NAMES.join(', ')}`);
  }
}

/**
 * The chain for configured names, in order (e.g. MARKET_PROVIDERS=alphavantage,yahoo,simulated),
 * after any `extra` providers.
 */
export function createProviderChain(names: readonly string[], config: ProviderChainConfig = {}): ProviderChain {
  const normalized = names.map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const duplicate = normalized.find((name, i) => normalized.indexOf(name) !== i);
  if (duplicate) throw new ProviderConfigError(`market-data provider "${duplicate}" is listed twice`);
  const providers = [...(config.extra ?? []), ...normalized.map((name) => createProvider(name, config))];
  return new ProviderChain(providers, { breaker: config.breaker, onEvent: config.onEvent });
}
