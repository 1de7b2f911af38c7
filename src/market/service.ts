/**
 * MarketService: every market figure the API serves, fetched server-side (API keys never leave
 * the server) through three cache layers in front of the provider chain:
 *
 *   L1  in-process LRU, 5 s                          quotes, fundamentals, news, today's candle
 *   L2  Redis, JSON, keys under REDIS_PREFIX          quotes 60 s, today's candle 60 s,
 *                                                     news 5 min, fundamentals 1 h
 *   L3  PostgreSQL daily_prices, permanent            daily history of market assets
 *
 * Misses of one key are loaded once however many requests wait (single flight), and quote
 * misses of a batch go to the providers in one `quotes(symbols)` call. Daily history is read
 * from daily_prices; only the days never asked before (price_history_coverage) are fetched, then
 * stored. Days before today (UTC) are final and stored; today's candle is still moving, so it
 * lives in L1/L2 only.
 *
 * Custom assets are private: every lookup that may involve one takes the owner whose custom
 * assets count (the portfolio's owner when valuing a portfolio, the caller for a direct query).
 * They are priced from their stored prices, never cached (one query) and never sent to a
 * provider. When every provider fails, quotes fall back to the latest stored close (uncached).
 */
import { Decimal } from 'decimal.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Db } from '../platform/db.js';
import type { Redis } from '../platform/redis.js';
import { TieredCache, type CacheKindOptions } from './cache.js';
import type { FxRates } from './fx.js';
import { addDays, aggregateCandles, missingRanges, type CandleInterval } from './candles.js';
import { CustomAssetProvider, customPriceDay, customQuotes, fundamentalsFromAsset } from './custom.js';
import { checkedHistory, checkedNews, checkedQuoteSymbols, checkedSearch, checkedSymbol, type HistoryInput } from './inputs.js';
import { candleSource, InstrumentedProvider } from './instrumented.js';
import { createMarketMetrics, type MarketMetrics } from './metrics.js';
import { ProviderChain, createProvider, type ProviderChainEvent } from './providers/chain.js';
import { isoDateOf } from '../platform/dates.js';
import { normalizeSymbol, uniqueSymbols } from '../platform/symbols.js';
import { badInput } from '../platform/errors.js';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './providers/types.js';
import { UNIVERSE, toProviderSymbol } from './providers/universe.js';
import { quoteFromStoredCloses, reviveQuote } from './quotes.js';
import { SingleFlight } from '../platform/single-flight.js';
import { ownedKey, PriceStore, type DateRange, type ResolvedAsset, type StoredCandle } from './store.js';
import { isCash, valuePortfolio, type HoldingInput, type PortfolioValuation } from './valuation.js';

export type Quote = ProviderQuote;
export type Candle = ProviderCandle;
export type Fundamentals = ProviderFundamentals;
export type CorporateAction = ProviderCorporateAction;
export type NewsItem = ProviderNewsItem;
export type SymbolMatch = ProviderSymbol;

/** One quote wanted: a symbol, as seen by the owner whose custom assets count (null: none). */
export interface QuoteRequest {
  symbol: string;
  ownerId: string | null;
}

/** Looks quotes up; the GraphQL layer passes its per-request dataloader. */
export type QuoteLookup = (requests: readonly QuoteRequest[]) => Promise<ReadonlyArray<Quote | null>>;

/** An owner and a symbol: one of their holdings, or one of their custom assets. */
export interface SymbolHolder {
  ownerId: string;
  symbol: string;
}

/**
 * The distinct symbols held in any portfolio, in symbol order, leaving out a holding whose owner
 * and symbol are in `except` (the owners' custom assets, which the feed never prices). Portfolios
 * owns the holdings and supplies it through the composition root: market is below portfolios, so
 * it neither imports portfolios nor reads its tables.
 */
export type HeldSymbolsSource = (except: readonly SymbolHolder[]) => Promise<string[]>;

/** The portfolio fields a valuation needs. */
export interface PortfolioHeader {
  id: string;
  ownerId: string;
  baseCurrency: string;
}

export interface MarketServiceOptions {
  config: Config;
  db: Db;
  redis: Redis;
  registry: Registry;
  logger: FastifyBaseLogger;
  /** Providers placed before the configured ones (tests put a call-counting provider here). */
  extraProviders?: readonly MarketDataProvider[];
  /** Clock (tests pin it); also the simulated provider's. */
  now?: () => Date;
  /** FX rates: with them valuations are in each portfolio's base currency. */
  fx?: FxRates;
  /** Who holds what (the ledger's door); without it nothing counts as held (only watched symbols tick). */
  heldSymbols?: HeldSymbolsSource;
}

const QUOTE: CacheKindOptions<Quote | null> = { kind: 'quote', l2TtlSeconds: 60, revive: reviveQuote };
const CANDLE: CacheKindOptions<StoredCandle | null> = { kind: 'candle', l2TtlSeconds: 60, revive: (json) => json as StoredCandle | null };
const FUNDAMENTALS: CacheKindOptions<Fundamentals | null> = {
  kind: 'fundamentals',
  l2TtlSeconds: 3_600,
  revive: (json) => json as Fundamentals | null,
};
const NEWS: CacheKindOptions<NewsItem[] | null> = {
  kind: 'news',
  l2TtlSeconds: 300,
  revive: (json) =>
    (json as Array<NewsItem & { publishedAt: string }> | null)?.map((item) => ({ ...item, publishedAt: new Date(item.publishedAt) })) ??
    null,
};

/** A symbol's whole known history of actions, asked once a day (keyed by the day): they change rarely. */
const CORPORATE_ACTIONS: CacheKindOptions<CorporateAction[] | null> = {
  kind: 'corporateActions',
  l2TtlSeconds: 6 * 3_600,
  revive: (json) => json as CorporateAction[] | null,
};
const CORPORATE_ACTIONS_SINCE = '2000-01-01';

/** Column widths of `assets`, for rows made from provider data. */
const NAME_MAX = 255;
const SECTOR_MAX = 100;
const EXCHANGE_MAX = 50;

export class MarketService {
  readonly chain: ProviderChain;
  readonly store: PriceStore;
  readonly cache: TieredCache;
  readonly metrics: MarketMetrics;
  private readonly logger: FastifyBaseLogger;
  private readonly now: () => Date;
  private readonly histories = new SingleFlight<StoredCandle[]>();
  private readonly defaultLookup: QuoteLookup = (requests) => this.lookupQuotes(requests);
  private readonly fx: FxRates | undefined;
  private readonly holders: HeldSymbolsSource;

  constructor(options: MarketServiceOptions) {
    const { config, db, redis, registry, logger } = options;
    this.logger = logger;
    this.now = options.now ?? (() => new Date());
    this.fx = options.fx;
    this.holders = options.heldSymbols ?? (() => Promise.resolve([]));
    this.metrics = createMarketMetrics(registry);
    this.store = new PriceStore(db);
    this.cache = new TieredCache({ redis, prefix: config.REDIS_PREFIX, metrics: this.metrics, logger });
    const configured = [...new Set(config.MARKET_PROVIDERS)].map((name) =>
      createProvider(name, {
        simulated: { now: this.now },
        alphaVantage: config.ALPHAVANTAGE_API_KEY
          ? { apiKey: config.ALPHAVANTAGE_API_KEY, callsPerMinute: config.ALPHAVANTAGE_CALLS_PER_MINUTE }
          : undefined,
      }),
    );
    const providers = [...(options.extraProviders ?? []), ...configured].map((p) => new InstrumentedProvider(p, this.metrics));
    this.chain = new ProviderChain(providers, { onEvent: (event) => this.onProviderEvent(event) });
  }

  /** Stops the providers' circuit-breaker timers (on app close). */
  close(): void {
    this.chain.shutdown();
  }

  // ------------------------------------------------------------------------------ symbol master

  /** Adds the built-in universe to `assets` as market assets where missing (on app start). */
  syncMarketAssets(): Promise<number> {
    return this.store.syncMarketAssets(UNIVERSE.map(toProviderSymbol));
  }

  /**
   * The closes a day's snapshot values holdings at: per holder (owner and symbol) the last stored
   * close on or before `day` (the owner's custom asset first; null: none), read from the price
   * store only. Market symbols whose stored history does not cover the week before `day` are
   * fetched first (only on a cold database). One statement when the history is stored, whatever
   * the number of holders; two and the fetches otherwise.
   */
  async storedClosesOn(holders: readonly SymbolHolder[], day: string): Promise<Map<string, string | null>> {
    if (holders.length === 0) return new Map();
    const coveredFrom = addDays(day, -7);
    let rows = await this.store.closesOn(holders, day, coveredFrom);
    const uncovered = [...new Set(rows.filter((r) => r.uncovered).map((r) => r.symbol))];
    if (uncovered.length > 0) {
      for (const symbol of uncovered) await this.dailyHistory(symbol, { from: coveredFrom, to: day }, null).catch(() => []);
      rows = await this.store.closesOn(holders, day, coveredFrom);
    }
    return new Map(rows.map((r) => [ownedKey(r.ownerId, r.symbol), r.close]));
  }

  /** Market assets and the owner's custom assets matching `query`, best first (validated). */
  searchSymbols(query: string, first: number | null | undefined, ownerId: string | null): Promise<SymbolMatch[]> {
    const input = checkedSearch(query, first);
    return this.store.searchAssets(input.query, input.first, { ownerId, marketAssets: true });
  }

  /** Of `symbols` as `ownerId` sees them, those that tick: all but the owner's custom assets. */
  async tickingSymbols(ownerId: string, symbols: readonly string[]): Promise<string[]> {
    const custom = await this.store.customSymbols(symbols.map((symbol) => ({ ownerId, symbol })));
    return symbols.filter((symbol) => !custom.has(ownedKey(ownerId, symbol)));
  }

  /**
   * Distinct market symbols held in any portfolio (what the price feed publishes), in symbol
   * order: a holding of its owner's custom asset is priced from stored prices, never by the feed.
   * Two statements whatever the number of holdings: the custom assets (market's), then the
   * symbols held apart from them (the ledger's, through the source).
   */
  async heldSymbols(): Promise<string[]> {
    return this.holders(await this.store.customAssetKeys());
  }

  // ------------------------------------------------------------------------------ quotes

  /** One symbol's quote as `ownerId` sees it (validated); null when nobody knows the symbol. */
  async quote(symbol: string, ownerId: string | null, lookup: QuoteLookup = this.defaultLookup): Promise<Quote | null> {
    const [quote] = await lookup([{ symbol: checkedSymbol(symbol), ownerId }]);
    return quote ?? null;
  }

  /**
   * Quotes of up to 100 symbols (validated), in the order asked. A symbol no asset has is refused
   * by name (BAD_USER_INPUT); a known one without a quote just now (no price yet, a provider
   * outage) is left out.
   */
  async quotes(symbols: readonly string[], ownerId: string | null, lookup: QuoteLookup = this.defaultLookup): Promise<Quote[]> {
    const wanted = checkedQuoteSymbols(symbols);
    const found = await lookup(wanted.map((symbol) => ({ symbol, ownerId })));
    await this.refuseUnknown(
      wanted.filter((_symbol, i) => found[i] == null),
      ownerId,
    );
    return found.filter((quote): quote is Quote => quote !== null);
  }

  /** BAD_USER_INPUT naming the symbols no asset has (market, or the owner's custom): they never quote or tick. */
  async refuseUnknown(unquoted: readonly string[], ownerId: string | null): Promise<void> {
    if (unquoted.length === 0) return;
    const known = await this.store.knownSymbols(unquoted, ownerId);
    const unknown = unquoted.filter((symbol) => !known.has(symbol));
    if (unknown.length > 0) throw badInput(unknown.map((symbol) => ({ field: 'symbols', message: `unknown symbol ${symbol}` })));
  }

  /**
   * The batch behind everything quote-shaped (the per-request dataloader's batch function):
   * custom assets of their owners in one query, every other symbol through the caches and, for
   * what they lack, one provider call. Answers in the order of `requests`.
   */
  async lookupQuotes(requests: readonly QuoteRequest[]): Promise<Array<Quote | null>> {
    const wanted = requests.map((r) => ({ symbol: normalizeSymbol(r.symbol), ownerId: r.ownerId }));
    const owned = wanted.filter((r): r is { symbol: string; ownerId: string } => r.ownerId !== null);
    const custom =
      owned.length > 0 ? await customQuotes(this.store, uniquePairs(owned), customPriceDay(this.now())) : new Map<string, Quote | null>();
    const isCustom = (r: QuoteRequest) => r.ownerId !== null && custom.has(ownedKey(r.ownerId, r.symbol));
    const marketSymbols = uniqueSymbols(wanted.filter((r) => !isCustom(r)).map((r) => r.symbol));
    const market = marketSymbols.length > 0 ? await this.marketQuotes(marketSymbols) : new Map<string, Quote | null>();
    return wanted.map((r) => (isCustom(r) ? custom.get(ownedKey(r.ownerId!, r.symbol)) : market.get(r.symbol)) ?? null);
  }

  /** Market quotes by symbol (normalised): L1, L2, then one provider call for the rest. */
  marketQuotes(symbols: readonly string[]): Promise<Map<string, Quote | null>> {
    return this.cache.getMany(QUOTE, uniqueSymbols(symbols), (missing) => this.fetchQuotes(missing), null);
  }

  /**
   * For the price feed: fresh quotes straight from the providers (no cache read), stored into
   * L1 and L2 so queries and subscriptions agree. Provider failures are the caller's to handle.
   */
  async refreshQuotes(symbols: readonly string[]): Promise<Quote[]> {
    const quotes = await this.chain.quotes(uniqueSymbols(symbols));
    await this.storeTicks(quotes);
    return quotes;
  }

  /**
   * Writes ticks into this process's L1 and, when `shared` (the default), into Redis for every
   * replica. A replica that receives a tick another process stored can pass shared: false.
   */
  storeTicks(quotes: readonly Quote[], options: { shared?: boolean } = {}): Promise<void> {
    const values = new Map(quotes.map((q) => [normalizeSymbol(q.symbol), q]));
    return this.cache.set(QUOTE, values, options.shared ?? true);
  }

  private async fetchQuotes(symbols: string[]) {
    try {
      const quotes = await this.chain.quotes(symbols);
      return { values: new Map<string, Quote | null>(quotes.map((q) => [normalizeSymbol(q.symbol), q])) };
    } catch (error) {
      // Every provider failed: the last stored close is better than nothing, but not cached.
      this.logger.warn({ err: error, symbols: symbols.length }, 'market: quotes unavailable from every provider; using stored closes');
      const rows = await this.store.latestMarketCloses(symbols, this.today());
      const stale = new Map(rows.map((row) => [row.symbol, quoteFromStoredCloses(row, row.source ?? 'stored')]));
      return { values: new Map<string, Quote | null>(), volatile: new Map(symbols.map((s) => [s, stale.get(s) ?? null])) };
    }
  }

  // ------------------------------------------------------------------------------ history

  /**
   * Candles of a symbol from..to inclusive (validated: from ≤ to, at most 20 years), daily or
   * aggregated into weeks or months; [] for an unknown symbol.
   */
  async history(input: HistoryInput, ownerId: string | null): Promise<Candle[]> {
    const { symbol, range, interval } = checkedHistory(input);
    return aggregateCandles(await this.dailyHistory(symbol, range, ownerId), interval);
  }

  /** Daily candles (not validated: for services that checked their input already). */
  async dailyHistory(symbol: string, range: DateRange, ownerId: string | null): Promise<Candle[]> {
    const normalized = normalizeSymbol(symbol);
    const asset = await this.store.resolve(normalized, ownerId);
    if (asset.custom) return this.customProvider(asset.custom.ownerId!).history(normalized, range.from, range.to);
    return this.histories.run(`${normalized}:${range.from}:${range.to}`, () => this.marketHistory(normalized, range, asset));
  }

  private async marketHistory(symbol: string, range: DateRange, asset: ResolvedAsset): Promise<StoredCandle[]> {
    const today = this.today();
    const final: DateRange = { from: range.from, to: minDate(range.to, addDays(today, -1)) };
    let assetId = asset.market?.id ?? null;
    const missing = missingRanges(final, asset.market?.coverage ?? null);
    this.metrics.lookups('l3', 'history', missing.length === 0 ? 1 : 0, missing.length > 0 ? 1 : 0);
    if (!assetId) {
      // Not in the symbol master: only a symbol some provider quotes is worth fetching (the
      // quote cache remembers unknown symbols, so junk does not reach the providers each time).
      const quote = (await this.marketQuotes([symbol])).get(symbol) ?? null;
      if (!quote) return [];
      if (missing.length > 0) assetId = await this.createMarketAsset(symbol, quote);
    }
    if (assetId && missing.length > 0) await this.fillHistory(assetId, symbol, missing);
    const stored = assetId && final.from <= final.to ? await this.store.dailyPrices(assetId, final) : [];
    if (range.from <= today && today <= range.to) {
      const live = await this.todaysCandle(symbol, today);
      if (live) stored.push(live);
    }
    return stored;
  }

  /** Fetches the missing ranges, stores the candles, records the ranges as asked. */
  private async fillHistory(assetId: string, symbol: string, missing: DateRange[]): Promise<void> {
    const outcomes = await Promise.allSettled(missing.map((r) => this.chain.history(symbol, r.from, r.to)));
    const candles: StoredCandle[] = [];
    const fetched: DateRange[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        this.logger.warn({ err: outcome.reason, symbol, range: missing[i] }, 'market: history unavailable; serving stored days only');
        return;
      }
      fetched.push(missing[i]!);
      const { from, to } = missing[i]!;
      for (const c of outcome.value) {
        if (c.date >= from && c.date <= to) candles.push({ ...pickCandle(c), source: candleSource(c) });
      }
    });
    await this.store.upsertDailyPrices(assetId, candles);
    for (const range of fetched) await this.store.extendCoverage(assetId, range);
  }

  private async todaysCandle(symbol: string, today: string): Promise<StoredCandle | null> {
    try {
      return await this.cache.get(CANDLE, `${symbol}:${today}`, async () => {
        const candle = (await this.chain.history(symbol, today, today)).find((c) => c.date === today);
        return candle ? { ...pickCandle(candle), source: candleSource(candle) } : null;
      });
    } catch (error) {
      this.logger.warn({ err: error, symbol }, "market: today's candle unavailable");
      return null;
    }
  }

  /** A market asset row for a symbol the providers know: from fundamentals, search, or minimal. */
  private async createMarketAsset(symbol: string, quote: Quote): Promise<string> {
    const fundamentals = await this.marketFundamentals(symbol);
    let described: ProviderSymbol | undefined;
    if (fundamentals) {
      const { name, type, currency, sector } = fundamentals;
      described = { symbol, name, type, currency, sector, exchange: null };
    } else {
      const matches = await this.chain.search(symbol, 5).catch(() => []);
      described = matches.find((m) => normalizeSymbol(m.symbol) === symbol);
    }
    const currency = (described?.currency ?? quote.currency).toUpperCase();
    return this.store.ensureMarketAsset({
      symbol,
      name: (described?.name || symbol).slice(0, NAME_MAX),
      type: described?.type ?? 'OTHER',
      currency: /^[A-Z]{3}$/.test(currency) ? currency : quote.currency.slice(0, 3).toUpperCase(),
      sector: described?.sector?.slice(0, SECTOR_MAX) ?? null,
      exchange: described?.exchange?.slice(0, EXCHANGE_MAX) ?? null,
    });
  }

  // ------------------------------------------------------------------------------ corporate actions

  /**
   * Splits and dividends of a symbol with ex-date from..to, oldest first, as the providers report
   * them (a custom asset has none: its owner records them). The symbol's whole history is asked
   * of the chain once a day and cached (Redis, 6 hours); a provider failure is thrown, not cached.
   */
  async corporateActions(symbol: string, from: string, to: string, ownerId: string | null): Promise<CorporateAction[]> {
    const normalized = checkedSymbol(symbol);
    const asset = await this.store.resolve(normalized, ownerId);
    if (asset.custom) return [];
    const today = isoDateOf(this.now());
    const all = await this.cache.get(CORPORATE_ACTIONS, `${normalized}:${today}`, () =>
      this.chain.corporateActions(normalized, CORPORATE_ACTIONS_SINCE, today),
    );
    return (all ?? []).filter((action) => action.exDate >= from && action.exDate <= to);
  }

  // ------------------------------------------------------------------------------ fundamentals, news

  /**
   * What is known about a symbol (validated): a custom asset's description; for a market symbol
   * the providers' figures, else the symbol master's description; null when unknown.
   */
  async fundamentals(symbol: string, ownerId: string | null): Promise<Fundamentals | null> {
    const normalized = checkedSymbol(symbol);
    const asset = await this.store.resolve(normalized, ownerId);
    if (asset.custom) return fundamentalsFromAsset(asset.custom);
    const fromProviders = await this.marketFundamentals(normalized);
    return fromProviders ?? (asset.market ? fundamentalsFromAsset(asset.market) : null);
  }

  private async marketFundamentals(symbol: string): Promise<Fundamentals | null> {
    try {
      return await this.cache.get(FUNDAMENTALS, symbol, () => this.chain.fundamentals(symbol));
    } catch (error) {
      this.logger.warn({ err: error, symbol }, 'market: fundamentals unavailable');
      return null;
    }
  }

  /**
   * Recent news about the symbols (validated; general market news without symbols), newest
   * first. The owner's custom symbols are never sent to a provider. [] when no source answers.
   */
  async news(symbols: readonly string[] | null | undefined, first: number | null | undefined, ownerId: string | null): Promise<NewsItem[]> {
    const input = checkedNews(symbols, first);
    let wanted = input.symbols;
    if (ownerId && wanted.length > 0) {
      const custom = await this.store.customSymbols(wanted.map((symbol) => ({ ownerId, symbol })));
      wanted = wanted.filter((symbol) => !custom.has(ownedKey(ownerId, symbol)));
      if (wanted.length === 0) return [];
    }
    const key = `${input.first}:${[...wanted].sort().join(',')}`;
    try {
      return (await this.cache.get(NEWS, key, () => this.chain.news(wanted, input.first))) ?? [];
    } catch (error) {
      this.logger.warn({ err: error }, 'market: news unavailable');
      return [];
    }
  }

  // ------------------------------------------------------------------------------ valuation

  /**
   * The valuation of holdings already loaded (the ledger's valuations and live stream, analytics).
   * With FX rates and the ledger as the holdings source, totals are in the base currency:
   * market values at today's rate of each quote's currency, costs at each transaction's own.
   */
  async valueHoldings(
    portfolio: PortfolioHeader,
    holdings: readonly HoldingInput[],
    lookup: QuoteLookup = this.defaultLookup,
    options: { costsInBaseCurrency?: boolean } = {},
  ): Promise<PortfolioValuation> {
    const symbols = [...new Set(holdings.filter((h) => !isCash(h)).map((h) => h.symbol))];
    const found = await lookup(symbols.map((symbol) => ({ symbol, ownerId: portfolio.ownerId })));
    const quotes = new Map(symbols.map((symbol, i) => [symbol, found[i] ?? null]));
    let rates: Map<string, string> | undefined;
    if (this.fx && options.costsInBaseCurrency) {
      rates = new Map();
      const today = this.today();
      const currencies = new Set([
        ...[...quotes.values()].flatMap((quote) => (quote ? [quote.currency] : [])),
        ...holdings.flatMap((h) => (h.cashCurrency !== undefined ? [h.cashCurrency] : [])),
      ]);
      for (const currency of currencies) {
        const rate = await this.fx.rate(currency, portfolio.baseCurrency, today);
        if (rate) rates.set(currency, rate.rate.toFixed());
      }
    }
    return valuePortfolio({ portfolioId: portfolio.id, baseCurrency: portfolio.baseCurrency, holdings, quotes, rates, now: this.now() });
  }

  // ------------------------------------------------------------------------------ internals

  private customProvider(ownerId: string): CustomAssetProvider {
    return new CustomAssetProvider(this.store, ownerId, this.now);
  }

  private today(): string {
    return isoDateOf(this.now());
  }

  private onProviderEvent(event: ProviderChainEvent): void {
    if (event.type === 'failure') {
      this.logger.warn({ provider: event.provider, err: event.error.message }, 'market: provider call failed');
      return;
    }
    this.metrics.breakerTransitions.inc({ provider: event.provider, state: event.type });
    const log = event.type === 'open' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ provider: event.provider, state: event.type }, 'market: provider circuit breaker changed state');
  }
}

function uniquePairs(pairs: ReadonlyArray<{ symbol: string; ownerId: string }>) {
  return [...new Map(pairs.map((p) => [ownedKey(p.ownerId, p.symbol), p])).values()];
}

/** The candle's own fields, prices in the canonical form the price store returns ("35.8", not "35.80"). */
function pickCandle({ date, open, high, low, close, volume }: ProviderCandle): ProviderCandle {
  const canonical = (price: string) => new Decimal(price).toFixed();
  return { date, open: canonical(open), high: canonical(high), low: canonical(low), close: canonical(close), volume };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

export type { CandleInterval, PortfolioValuation };
