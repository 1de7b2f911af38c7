/**
 * Alpha Vantage adapter (https://www.alphavantage.co/documentation/): GLOBAL_QUOTE, TIME_SERIES_DAILY,
 * OVERVIEW, NEWS_SENTIMENT, SYMBOL_SEARCH, DIVIDENDS and SPLITS.
 *
 * Every call spends one unit of a local budget (default 5 a minute, the free tier; optionally a
 * daily cap too, 25 on the free tier). Over budget, a call fails at once with
 * ProviderRateLimitedError instead of waiting; fanned-out calls (quotes and news per symbol) return
 * what fit in the budget and leave the rest to the next provider of the chain.
 *
 * The API key travels in the query string, so it is kept out of every error message and log.
 */
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type {
  AssetType,
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './types.js';
import { ProviderAuthError, ProviderInvalidRequestError, ProviderRateLimitedError, successesOrThrow } from './errors.js';
import { fetchJson, globalFetch, parseResponse, type FetchFunction } from './http.js';
import { RateLimiter, type RateWindow } from './rate-limiter.js';
import { daysBetween, isoDateOf } from '../../platform/dates.js';
import { formatInteger, majorCurrency, priceFormatter, roundNumber } from './numbers.js';
import { currencyForSymbol, normalizeSymbol, uniqueSymbols } from '../../platform/symbols.js';

export const ALPHA_VANTAGE_SOURCE = 'alphavantage';

export interface AlphaVantageOptions {
  /** Server-side secret from configuration. */
  apiKey: string;
  /** Calls allowed per rolling minute (free tier: 5). */
  callsPerMinute?: number;
  /** Calls allowed per rolling 24 hours (free tier: 25); unlimited when omitted. */
  callsPerDay?: number;
  timeoutMs?: number;
  fetch?: FetchFunction;
  baseUrl?: string;
  now?: () => Date;
}

/** Alpha Vantage prices carry four decimals. */
const PRICE_DECIMALS = 4;
/** "compact" returns the latest 100 trading days; this many calendar days stay safely inside it. */
const COMPACT_CALENDAR_DAYS = 130;
const MAX_NEWS_PER_CALL = 1000;

/**
 * Alpha Vantage's exchange suffixes as documented ("TSCO.LON", "MBG.DEX", "SHOP.TRT",
 * "RELIANCE.BSE", "600104.SHH") against ours (Yahoo's). Other suffixes pass through unchanged.
 */
const AV_SUFFIX_BY_OURS: Readonly<Record<string, string>> = {
  L: 'LON',
  DE: 'DEX',
  F: 'FRK',
  TO: 'TRT',
  V: 'TRV',
  BO: 'BSE',
  SS: 'SHH',
  SZ: 'SHZ',
};
const OUR_SUFFIX_BY_AV: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(AV_SUFFIX_BY_OURS).map(([ours, theirs]) => [theirs, ours]),
);

export function toAlphaVantageSymbol(symbol: string): string {
  return replaceSuffix(normalizeSymbol(symbol), AV_SUFFIX_BY_OURS);
}

export function fromAlphaVantageSymbol(symbol: string): string {
  return replaceSuffix(normalizeSymbol(symbol), OUR_SUFFIX_BY_AV);
}

function replaceSuffix(symbol: string, map: Readonly<Record<string, string>>): string {
  const dot = symbol.lastIndexOf('.');
  const replacement = dot > 0 ? map[symbol.slice(dot + 1)] : undefined;
  return replacement ? `${symbol.slice(0, dot)}.${replacement}` : symbol;
}

// Documented answer shapes. Fields are strings; unknown symbols give empty objects.
const globalQuoteSchema = z.object({
  'Global Quote': z
    .object({
      '05. price': z.string(),
      '07. latest trading day': z.string(),
      '08. previous close': z.string(),
      '09. change': z.string(),
      '10. change percent': z.string(),
    })
    .partial()
    .optional(),
});

const dailySeriesSchema = z.object({
  'Time Series (Daily)': z.record(
    z.string(),
    z.object({
      '1. open': z.string(),
      '2. high': z.string(),
      '3. low': z.string(),
      '4. close': z.string(),
      '5. volume': z.string(),
    }),
  ),
});

const overviewSchema = z
  .object({
    Symbol: z.string(),
    AssetType: z.string(),
    Name: z.string(),
    Exchange: z.string(),
    Currency: z.string(),
    Sector: z.string(),
    MarketCapitalization: z.string(),
    PERatio: z.string(),
    DividendYield: z.string(),
  })
  .partial();

const newsSchema = z.object({
  feed: z.array(
    z.object({
      title: z.string(),
      url: z.string(),
      time_published: z.string(),
      source: z.string(),
      ticker_sentiment: z.array(z.object({ ticker: z.string() })).optional(),
    }),
  ),
});

const searchSchema = z.object({
  bestMatches: z.array(
    z.object({
      '1. symbol': z.string(),
      '2. name': z.string(),
      '3. type': z.string(),
      '4. region': z.string(),
      '8. currency': z.string(),
    }),
  ),
});

export class AlphaVantageProvider implements MarketDataProvider {
  readonly name = ALPHA_VANTAGE_SOURCE;
  private readonly apiKey: string;
  private readonly limiter: RateLimiter;
  private readonly fetch: FetchFunction;
  private readonly timeoutMs: number;
  private readonly baseUrl: string;
  private readonly now: () => Date;

  constructor(options: AlphaVantageOptions) {
    if (!options.apiKey) throw new ProviderAuthError(ALPHA_VANTAGE_SOURCE, 'an API key is required');
    this.apiKey = options.apiKey;
    this.now = options.now ?? (() => new Date());
    const windows: RateWindow[] = [{ maxCalls: options.callsPerMinute ?? 5, windowMs: 60_000 }];
    if (options.callsPerDay !== undefined) windows.push({ maxCalls: options.callsPerDay, windowMs: 86_400_000 });
    this.limiter = new RateLimiter(windows, () => this.now().getTime());
    this.fetch = options.fetch ?? globalFetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.baseUrl = options.baseUrl ?? 'https://www.alphavantage.co/query';
  }

  /** One GLOBAL_QUOTE call per symbol (the API has no batch quote). */
  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    const outcomes = await Promise.allSettled(uniqueSymbols(symbols).map((symbol) => this.quote(symbol)));
    return successesOrThrow(outcomes).filter((quote): quote is ProviderQuote => quote !== null);
  }

  async history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    if (daysBetween(from, to) < 0) return [];
    const canonical = normalizeSymbol(symbol);
    const outputSize = daysBetween(from, isoDateOf(this.now())) > COMPACT_CALENDAR_DAYS ? 'full' : 'compact';
    const body = await this.call('TIME_SERIES_DAILY', { symbol: toAlphaVantageSymbol(canonical), outputsize: outputSize });
    const series = parseResponse(dailySeriesSchema, body, this.name, 'TIME_SERIES_DAILY')['Time Series (Daily)'];
    const prices = priceFormatter(currencyForSymbol(canonical), PRICE_DECIMALS);
    return Object.entries(series)
      .filter(([date]) => date >= from && date <= to)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([date, day]) => ({
        date,
        open: prices.format(day['1. open']),
        high: prices.format(day['2. high']),
        low: prices.format(day['3. low']),
        close: prices.format(day['4. close']),
        volume: presentNumber(day['5. volume']),
      }));
  }

  /** Two calls (DIVIDENDS, SPLITS); amounts are as paid; a split_factor of 4 is 1 share becoming 4. */
  async corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    if (daysBetween(from, to) < 0) return [];
    const canonical = normalizeSymbol(symbol);
    const avSymbol = toAlphaVantageSymbol(canonical);
    const dividends = parseResponse(dividendsSchema, await this.call('DIVIDENDS', { symbol: avSymbol }), this.name, 'DIVIDENDS').data ?? [];
    const splits = parseResponse(splitsSchema, await this.call('SPLITS', { symbol: avSymbol }), this.name, 'SPLITS').data ?? [];
    const currency = majorCurrency(currencyForSymbol(canonical));
    const actions: ProviderCorporateAction[] = [];
    for (const d of dividends) {
      const amount = presentText(d.amount ?? undefined);
      if (amount === null || !isDecimal(amount)) continue;
      actions.push({
        type: 'DIVIDEND',
        symbol: canonical,
        exDate: d.ex_dividend_date,
        payDate: isIsoDate(d.payment_date) ? d.payment_date : null,
        amountPerShare: new Decimal(amount).toFixed(),
        currency,
        splitFrom: null,
        splitTo: null,
        source: this.name,
      });
    }
    for (const s of splits) {
      const factor = presentText(s.split_factor ?? undefined);
      if (factor === null || !isDecimal(factor) || new Decimal(factor).lte(0)) continue;
      actions.push({
        type: 'SPLIT',
        symbol: canonical,
        exDate: s.effective_date,
        payDate: null,
        amountPerShare: null,
        currency: null,
        splitFrom: '1',
        splitTo: new Decimal(factor).toFixed(),
        source: this.name,
      });
    }
    return actions
      .filter((a) => isIsoDate(a.exDate) && a.exDate >= from && a.exDate <= to)
      .sort((a, b) => a.exDate.localeCompare(b.exDate) || a.type.localeCompare(b.type));
  }

  async fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    const canonical = normalizeSymbol(symbol);
    const body = await this.call('OVERVIEW', { symbol: toAlphaVantageSymbol(canonical) });
    const overview = parseResponse(overviewSchema, body, this.name, 'OVERVIEW');
    if (!overview.Symbol || !overview.Name) return null;
    const marketCap = presentNumber(overview.MarketCapitalization);
    return {
      symbol: canonical,
      name: overview.Name,
      type: assetTypeFromLabel(overview.AssetType),
      sector: titleCase(presentText(overview.Sector)),
      currency: majorCurrency(presentText(overview.Currency) ?? currencyForSymbol(canonical)),
      marketCap: marketCap === null || marketCap <= 0 ? null : formatInteger(marketCap),
      peRatio: positiveOrNull(presentNumber(overview.PERatio)),
      dividendYield: presentNumber(overview.DividendYield),
    };
  }

  /** One NEWS_SENTIMENT call per symbol: with several tickers the API only returns articles naming all of them. */
  async news(symbols: string[], limit: number): Promise<ProviderNewsItem[]> {
    if (limit <= 0) return [];
    const tickers = uniqueSymbols(symbols);
    const calls = tickers.length === 0 ? [this.newsFor(null, limit)] : tickers.map((t) => this.newsFor(t, limit));
    const batches = successesOrThrow(await Promise.allSettled(calls));
    const byUrl = new Map<string, ProviderNewsItem>();
    for (const item of batches.flat()) byUrl.set(item.url ?? item.id, item);
    return [...byUrl.values()].sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime()).slice(0, limit);
  }

  async search(query: string, limit: number): Promise<ProviderSymbol[]> {
    if (query.trim() === '' || limit <= 0) return [];
    const body = await this.call('SYMBOL_SEARCH', { keywords: query.trim() });
    return parseResponse(searchSchema, body, this.name, 'SYMBOL_SEARCH')
      .bestMatches.slice(0, limit)
      .map((match) => ({
        symbol: fromAlphaVantageSymbol(match['1. symbol']),
        name: match['2. name'],
        type: assetTypeFromLabel(match['3. type']),
        currency: majorCurrency(match['8. currency']),
        exchange: null, // the API names a region ("United Kingdom"), not an exchange
        sector: null,
      }));
  }

  private async quote(symbol: string): Promise<ProviderQuote | null> {
    const body = await this.call('GLOBAL_QUOTE', { symbol: toAlphaVantageSymbol(symbol) });
    const quote = parseResponse(globalQuoteSchema, body, this.name, 'GLOBAL_QUOTE')['Global Quote'];
    const price = quote?.['05. price'];
    if (!quote || !price) return null; // unknown symbol: {"Global Quote": {}}
    const prices = priceFormatter(currencyForSymbol(symbol), PRICE_DECIMALS);
    const change = presentText(quote['09. change']);
    const previousClose = presentText(quote['08. previous close']);
    const changePercent = presentNumber(quote['10. change percent']?.replace('%', ''));
    return {
      symbol,
      price: prices.format(price),
      change: change === null ? null : prices.format(change),
      changePercent: changePercent === null ? null : roundNumber(changePercent, 4),
      previousClose: previousClose === null ? null : prices.format(previousClose),
      currency: prices.currency,
      timestamp: this.quoteTime(quote['07. latest trading day']),
      source: this.name,
    };
  }

  /** The API dates a quote by trading day only: today's is "now", an older one the end of that day. */
  private quoteTime(tradingDay: string | undefined): Date {
    const now = this.now();
    const endOfDay = tradingDay ? Date.parse(`${tradingDay}T23:59:59Z`) : Number.NaN;
    return Number.isNaN(endOfDay) ? now : new Date(Math.min(now.getTime(), endOfDay));
  }

  private async newsFor(symbol: string | null, limit: number): Promise<ProviderNewsItem[]> {
    const params: Record<string, string> = { sort: 'LATEST', limit: String(Math.min(limit, MAX_NEWS_PER_CALL)) };
    if (symbol) params.tickers = toAlphaVantageNewsTicker(symbol);
    const body = await this.call('NEWS_SENTIMENT', params);
    return parseResponse(newsSchema, body, this.name, 'NEWS_SENTIMENT').feed.flatMap((article) => {
      const publishedAt = parseNewsTime(article.time_published);
      if (!publishedAt) return [];
      const mentioned = (article.ticker_sentiment ?? []).flatMap((t) => fromAlphaVantageNewsTicker(t.ticker) ?? []);
      return [
        {
          id: `${this.name}:${createHash('sha256').update(article.url).digest('hex').slice(0, 24)}`,
          title: article.title,
          url: article.url,
          source: article.source,
          symbols: uniqueSymbols(symbol ? [symbol, ...mentioned] : mentioned),
          publishedAt,
        },
      ];
    });
  }

  /** Spends one unit of budget, calls, and turns the API's in-band error bodies into typed errors. */
  private async call(fn: string, params: Record<string, string>): Promise<unknown> {
    const decision = this.limiter.tryAcquire();
    if (!decision.allowed) {
      throw new ProviderRateLimitedError(this.name, `${fn}: local call budget spent`, decision.retryAfterMs);
    }
    const query = new URLSearchParams({ function: fn, ...params, apikey: this.apiKey });
    const body = await fetchJson(`${this.baseUrl}?${query.toString()}`, {
      provider: this.name,
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      label: fn,
    });
    throwIfErrorBody(this.name, fn, body);
    return body;
  }
}

const dividendsSchema = z.object({
  data: z.array(z.object({ ex_dividend_date: z.string(), payment_date: z.string().nullish(), amount: z.string().nullish() })).nullish(),
});
const splitsSchema = z.object({
  data: z.array(z.object({ effective_date: z.string(), split_factor: z.string().nullish() })).nullish(),
});

function isIsoDate(text: string | null | undefined): text is string {
  return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text);
}

function isDecimal(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text);
}

/**
 * Alpha Vantage answers HTTP 200 with in-band errors: {"Error Message": ...} for invalid calls
 * (unknown symbols, bad keys), {"Note": ...} when throttled, and {"Information": ...} when
 * throttled, when the key is the demo one, or when a parameter needs a premium plan.
 */
function throwIfErrorBody(provider: string, fn: string, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const fields = body as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : null);

  const errorMessage = text('Error Message');
  if (errorMessage !== null) {
    if (mentionsApiKey(errorMessage)) throw new ProviderAuthError(provider, `${fn}: API key rejected`);
    throw new ProviderInvalidRequestError(provider, `${fn}: ${errorMessage}`);
  }
  if (text('Note') !== null) throw new ProviderRateLimitedError(provider, `${fn}: throttled by Alpha Vantage`);
  const information = text('Information');
  if (information !== null) {
    if (/rate limit|requests per|calls per|call frequency/i.test(information)) {
      throw new ProviderRateLimitedError(provider, `${fn}: throttled by Alpha Vantage`);
    }
    if (mentionsApiKey(information)) throw new ProviderAuthError(provider, `${fn}: API key not usable`);
    if (/premium/i.test(information)) throw new ProviderInvalidRequestError(provider, `${fn}: needs a premium plan`);
    throw new ProviderRateLimitedError(provider, `${fn}: ${information}`);
  }
}

function mentionsApiKey(message: string): boolean {
  return /api ?key/i.test(message);
}

const ASSET_TYPE_BY_LABEL: Readonly<Record<string, AssetType>> = {
  'common stock': 'STOCK',
  equity: 'STOCK',
  etf: 'ETF',
  'mutual fund': 'FUND',
  reit: 'REAL_ESTATE',
};

function assetTypeFromLabel(label: string | undefined): AssetType {
  return ASSET_TYPE_BY_LABEL[(label ?? '').trim().toLowerCase()] ?? 'OTHER';
}

/** News tickers use prefixes for non-equities: CRYPTO:BTC. */
function toAlphaVantageNewsTicker(symbol: string): string {
  const crypto = /^([A-Z0-9]+)-USD$/.exec(symbol);
  return crypto ? `CRYPTO:${crypto[1]}` : toAlphaVantageSymbol(symbol);
}

function fromAlphaVantageNewsTicker(ticker: string): string | null {
  if (ticker.startsWith('CRYPTO:')) return `${ticker.slice('CRYPTO:'.length)}-USD`;
  if (ticker.startsWith('FOREX:')) return null;
  return fromAlphaVantageSymbol(ticker);
}

/** "20240105T143000" (seconds optional); the API does not name a zone, UTC is assumed. */
function parseNewsTime(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00'] = match;
  const time = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return Number.isNaN(time) ? null : new Date(time);
}

/** The API writes "None", "-" or "" for missing values. */
function presentText(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return !trimmed || trimmed === 'None' || trimmed === '-' ? null : trimmed;
}

function presentNumber(value: string | undefined): number | null {
  const text = presentText(value);
  const number = text === null ? Number.NaN : Number(text);
  return Number.isFinite(number) ? number : null;
}

function positiveOrNull(value: number | null): number | null {
  return value !== null && value > 0 ? value : null;
}

/** "TRADE & SERVICES" → "Trade & Services". */
function titleCase(value: string | null): string | null {
  return value === null ? null : value.toLowerCase().replace(/\b[a-z]/g, (c) => c.toUpperCase());
}
