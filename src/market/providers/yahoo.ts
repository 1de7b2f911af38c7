/**
 * Yahoo Finance adapter over its public, undocumented JSON endpoints:
 *   v7/finance/quote?symbols=A,B         batch quotes and the fundamentals we use
 *   v8/finance/chart/{symbol}             daily candles (and a per-symbol quote fallback)
 *   v1/finance/search?q=                  symbol search and per-symbol news
 *
 * Since 2023 the v7 quote endpoint often answers 401 "Invalid Crumb" to clients without a browser
 * cookie. When it does, quotes fall back to one chart call per symbol (its `meta` carries the
 * price and previous close) and fundamentals fail, so a chain moves on to the next provider.
 *
 * Prices come as floats with binary noise: they are rounded to the instrument's `priceHint` and
 * London/Johannesburg minor units (GBp, ZAc) are converted to GBP/ZAR.
 */
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
import { ProviderHttpError, ProviderInvalidRequestError, successesOrThrow } from './errors.js';
import { fetchJson, globalFetch, parseResponse, type FetchFunction } from './http.js';
import { daysBetween, epochSecondsFromIsoDate, isoDateOf } from '../../platform/dates.js';
import { formatInteger, majorCurrency, priceDecimals, priceFormatter, roundNumber } from './numbers.js';
import { currencyForSymbol, normalizeSymbol, uniqueSymbols } from '../../platform/symbols.js';

export const YAHOO_SOURCE = 'yahoo';

export interface YahooOptions {
  timeoutMs?: number;
  fetch?: FetchFunction;
  baseUrl?: string;
  now?: () => Date;
}

/** Symbols per v7 quote request, keeping the URL short. */
const QUOTE_BATCH_SIZE = 50;
/** After the v7 quote endpoint refuses us, how long to use the chart fallback before asking again. */
const QUOTE_ENDPOINT_RETRY_MS = 60 * 60_000;
/** Yahoo rejects requests without a browser-like user agent more often. */
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) foliograph';

const ASSET_TYPE_BY_QUOTE_TYPE: Readonly<Record<string, AssetType>> = {
  EQUITY: 'STOCK',
  ETF: 'ETF',
  MUTUALFUND: 'FUND',
  CRYPTOCURRENCY: 'CRYPTO',
  INDEX: 'OTHER',
  CURRENCY: 'CASH',
  MONEYMARKET: 'CASH',
  FUTURE: 'COMMODITY', // mostly commodity futures (GC=F, CL=F); index futures are the exception
};

export function assetTypeFromQuoteType(quoteType: string | null | undefined): AssetType {
  return ASSET_TYPE_BY_QUOTE_TYPE[(quoteType ?? '').toUpperCase()] ?? 'OTHER';
}

const optionalNumber = z.number().nullish();
const optionalText = z.string().nullish();

const quoteResultSchema = z.object({
  symbol: z.string(),
  quoteType: optionalText,
  currency: optionalText,
  longName: optionalText,
  shortName: optionalText,
  priceHint: optionalNumber,
  regularMarketPrice: optionalNumber,
  regularMarketChange: optionalNumber,
  regularMarketChangePercent: optionalNumber,
  regularMarketPreviousClose: optionalNumber,
  regularMarketTime: optionalNumber,
  marketCap: optionalNumber,
  trailingPE: optionalNumber,
  /** Percent (0.44 = 0.44 %), unlike trailingAnnualDividendYield, a fraction. */
  dividendYield: optionalNumber,
  trailingAnnualDividendYield: optionalNumber,
});
type QuoteResult = z.infer<typeof quoteResultSchema>;

const quoteResponseSchema = z.object({
  quoteResponse: z.object({ result: z.array(quoteResultSchema).nullish() }),
});

const priceSeries = z.array(z.number().nullable()).nullish();
const chartResponseSchema = z.object({
  chart: z.object({
    result: z
      .array(
        z.object({
          meta: z.object({
            symbol: optionalText,
            currency: optionalText,
            gmtoffset: optionalNumber,
            priceHint: optionalNumber,
            regularMarketPrice: optionalNumber,
            regularMarketTime: optionalNumber,
            previousClose: optionalNumber,
            chartPreviousClose: optionalNumber,
          }),
          timestamp: z.array(z.number()).nullish(),
          events: z
            .object({
              dividends: z.record(z.string(), z.object({ amount: z.number(), date: z.number() })).nullish(),
              splits: z.record(z.string(), z.object({ date: z.number(), numerator: z.number(), denominator: z.number() })).nullish(),
            })
            .nullish(),
          indicators: z.object({
            quote: z.array(z.object({ open: priceSeries, high: priceSeries, low: priceSeries, close: priceSeries, volume: priceSeries })),
          }),
        }),
      )
      .nullish(),
  }),
});
type ChartResult = NonNullable<z.infer<typeof chartResponseSchema>['chart']['result']>[number];

const searchResponseSchema = z.object({
  quotes: z
    .array(
      z.object({
        symbol: optionalText,
        shortname: optionalText,
        longname: optionalText,
        quoteType: optionalText,
        exchange: optionalText,
        exchDisp: optionalText,
        sector: optionalText,
      }),
    )
    .nullish(),
  news: z
    .array(
      z.object({
        uuid: z.string(),
        title: z.string(),
        link: optionalText,
        publisher: optionalText,
        providerPublishTime: z.number(),
        relatedTickers: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

export class YahooProvider implements MarketDataProvider {
  readonly name = YAHOO_SOURCE;
  private readonly fetch: FetchFunction;
  private readonly timeoutMs: number;
  private readonly baseUrl: string;
  private readonly now: () => Date;
  /** Until then the v7 quote endpoint is known to refuse us (crumb required). */
  private quoteEndpointRefusedUntil = 0;

  constructor(options: YahooOptions = {}) {
    this.fetch = options.fetch ?? globalFetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.baseUrl = options.baseUrl ?? 'https://query1.finance.yahoo.com';
    this.now = options.now ?? (() => new Date());
  }

  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    const wanted = uniqueSymbols(symbols);
    if (wanted.length === 0) return [];
    try {
      const results = await this.quoteResults(wanted);
      return results.flatMap((result) => this.quoteFromResult(result) ?? []);
    } catch (error) {
      if (!(error instanceof QuoteEndpointRefusedError)) throw error;
    }
    const outcomes = await Promise.allSettled(wanted.map((symbol) => this.quoteFromChart(symbol)));
    return successesOrThrow(outcomes).filter((quote): quote is ProviderQuote => quote !== null);
  }

  async history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    if (daysBetween(from, to) < 0) return [];
    const chart = await this.chart(symbol, {
      period1: String(epochSecondsFromIsoDate(from)),
      period2: String(epochSecondsFromIsoDate(to) + 86_400), // exclusive end
      interval: '1d',
      events: 'history',
    });
    if (!chart) return [];
    const quote = chart.indicators.quote[0];
    if (!quote) return [];
    const timestamps = chart.timestamp ?? [];
    const typicalClose = quote.close?.find((close) => close != null) ?? 1;
    const prices = priceFormatter(chart.meta.currency ?? currencyForSymbol(symbol), decimalsFor(chart.meta.priceHint, typicalClose));
    const offsetSeconds = chart.meta.gmtoffset ?? 0;
    // Keyed by exchange-local date: a live session can repeat today's date; the last row wins.
    const byDate = new Map<string, ProviderCandle>();
    timestamps.forEach((timestamp, i) => {
      const [open, high, low, close] = [quote.open?.[i], quote.high?.[i], quote.low?.[i], quote.close?.[i]];
      if (open == null || high == null || low == null || close == null) return; // no trading that day
      const date = isoDateOf(new Date((timestamp + offsetSeconds) * 1000));
      if (date < from || date > to) return;
      const volume = quote.volume?.[i];
      byDate.set(date, {
        date,
        open: prices.format(open),
        high: prices.format(high),
        low: prices.format(low),
        close: prices.format(close),
        volume: volume == null ? null : volume,
      });
    });
    return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /**
   * From the chart's events (`events=div,splits`), asked up to today so that every later split is
   * known: Yahoo reports dividends adjusted for the splits after them, and we report them as paid.
   */
  async corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    if (daysBetween(from, to) < 0) return [];
    const chart = await this.chart(symbol, {
      period1: String(epochSecondsFromIsoDate(from)),
      period2: String(Math.floor(this.now().getTime() / 1000)),
      interval: '1d',
      events: 'div,splits',
    });
    if (!chart) return [];
    const canonical = normalizeSymbol(symbol);
    const offsetSeconds = chart.meta.gmtoffset ?? 0;
    const dateOf = (epochSeconds: number) => isoDateOf(new Date((epochSeconds + offsetSeconds) * 1000));
    const splits = Object.values(chart.events?.splits ?? {})
      .filter((s) => s.numerator > 0 && s.denominator > 0)
      .map((s) => ({ date: dateOf(s.date), from: new Decimal(s.denominator), to: new Decimal(s.numerator) }));
    const actions: ProviderCorporateAction[] = splits.map((s) => ({
      type: 'SPLIT',
      symbol: canonical,
      exDate: s.date,
      payDate: null,
      amountPerShare: null,
      currency: null,
      splitFrom: s.from.toFixed(),
      splitTo: s.to.toFixed(),
      source: this.name,
    }));
    const currency = chart.meta.currency ?? currencyForSymbol(symbol);
    for (const dividend of Object.values(chart.events?.dividends ?? {})) {
      const exDate = dateOf(dividend.date);
      const later = splits.filter((s) => s.date > exDate).reduce((factor, s) => factor.times(s.to).div(s.from), new Decimal(1));
      actions.push({
        type: 'DIVIDEND',
        symbol: canonical,
        exDate,
        payDate: null,
        // Yahoo's floats carry binary noise (0.20500000000000002): 6 places keep every real cent fraction.
        amountPerShare: new Decimal(dividend.amount).times(later).toDecimalPlaces(6).toFixed(),
        currency,
        splitFrom: null,
        splitTo: null,
        source: this.name,
      });
    }
    return actions
      .filter((a) => a.exDate >= from && a.exDate <= to)
      .sort((a, b) => a.exDate.localeCompare(b.exDate) || a.type.localeCompare(b.type));
  }

  /** From the quote endpoint; sector is not in it (that needs the crumb-protected quoteSummary). */
  async fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    const [result] = await this.quoteResults([normalizeSymbol(symbol)]);
    if (!result) return null;
    const dividendYield = result.dividendYield != null ? result.dividendYield / 100 : (result.trailingAnnualDividendYield ?? null);
    return {
      symbol: normalizeSymbol(result.symbol),
      name: result.longName ?? result.shortName ?? result.symbol,
      type: assetTypeFromQuoteType(result.quoteType),
      sector: null,
      currency: majorCurrency(result.currency ?? currencyForSymbol(result.symbol)),
      // Yahoo states market capitalisation in the major unit already (GBP, not GBp).
      marketCap: result.marketCap != null && result.marketCap > 0 ? formatInteger(result.marketCap) : null,
      peRatio: result.trailingPE != null && result.trailingPE > 0 ? roundNumber(result.trailingPE, 4) : null,
      dividendYield: dividendYield === null ? null : roundNumber(dividendYield, 6),
    };
  }

  /** Per-symbol search news, merged, newest first. Yahoo has no news feed without a query. */
  async news(symbols: string[], limit: number): Promise<ProviderNewsItem[]> {
    const wanted = uniqueSymbols(symbols);
    if (wanted.length === 0 || limit <= 0) return [];
    const outcomes = await Promise.allSettled(
      wanted.map((symbol) => this.searchCall(symbol, { quotesCount: '0', newsCount: String(limit) })),
    );
    const byId = new Map<string, ProviderNewsItem>();
    successesOrThrow(outcomes).forEach((answer, i) => {
      for (const article of answer.news ?? []) {
        const related = article.relatedTickers ?? [];
        byId.set(article.uuid, {
          id: `${this.name}:${article.uuid}`,
          title: article.title,
          url: article.link ?? null,
          source: article.publisher ?? 'Yahoo Finance',
          symbols: uniqueSymbols(related.length > 0 ? related : [wanted[i]!]),
          publishedAt: new Date(article.providerPublishTime * 1000),
        });
      }
    });
    return [...byId.values()].sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime()).slice(0, limit);
  }

  async search(query: string, limit: number): Promise<ProviderSymbol[]> {
    if (query.trim() === '' || limit <= 0) return [];
    const answer = await this.searchCall(query.trim(), { quotesCount: String(limit), newsCount: '0' });
    return (answer.quotes ?? [])
      .flatMap((match) => {
        if (!match.symbol) return [];
        const symbol = normalizeSymbol(match.symbol);
        return [
          {
            symbol,
            name: match.longname ?? match.shortname ?? symbol,
            type: assetTypeFromQuoteType(match.quoteType),
            currency: majorCurrency(currencyForSymbol(symbol)), // search results do not state it
            exchange: match.exchDisp ?? match.exchange ?? null,
            sector: match.sector ?? null,
          },
        ];
      })
      .slice(0, limit);
  }

  /** v7 quote results; QuoteEndpointRefusedError while the endpoint wants a crumb we lack. */
  private async quoteResults(symbols: string[]): Promise<QuoteResult[]> {
    if (this.now().getTime() < this.quoteEndpointRefusedUntil) throw new QuoteEndpointRefusedError(this.name);
    const batches: string[][] = [];
    for (let i = 0; i < symbols.length; i += QUOTE_BATCH_SIZE) batches.push(symbols.slice(i, i + QUOTE_BATCH_SIZE));
    try {
      const answers = await Promise.all(
        batches.map(async (batch) => {
          const body = await this.get('/v7/finance/quote', { symbols: batch.join(',') }, 'quote');
          return parseResponse(quoteResponseSchema, body, this.name, 'quote').quoteResponse.result ?? [];
        }),
      );
      return answers.flat();
    } catch (error) {
      if (!(error instanceof ProviderHttpError && (error.status === 401 || error.status === 403))) throw error;
      this.quoteEndpointRefusedUntil = this.now().getTime() + QUOTE_ENDPOINT_RETRY_MS;
      throw new QuoteEndpointRefusedError(this.name);
    }
  }

  private quoteFromResult(result: QuoteResult): ProviderQuote | null {
    const price = result.regularMarketPrice;
    if (price == null) return null;
    const previousClose = result.regularMarketPreviousClose ?? null;
    return this.buildQuote({
      symbol: result.symbol,
      currency: result.currency ?? currencyForSymbol(result.symbol),
      priceHint: result.priceHint,
      price,
      previousClose,
      change: result.regularMarketChange ?? (previousClose === null ? null : price - previousClose),
      changePercent: result.regularMarketChangePercent ?? null,
      epochSeconds: result.regularMarketTime,
    });
  }

  private async quoteFromChart(symbol: string): Promise<ProviderQuote | null> {
    const chart = await this.chart(symbol, { range: '1d', interval: '1d' });
    const meta = chart?.meta;
    if (!meta || meta.regularMarketPrice == null) return null;
    const price = meta.regularMarketPrice;
    const previousClose = meta.previousClose ?? meta.chartPreviousClose ?? null;
    return this.buildQuote({
      symbol,
      currency: meta.currency ?? currencyForSymbol(symbol),
      priceHint: meta.priceHint,
      price,
      previousClose,
      change: previousClose === null ? null : price - previousClose,
      changePercent: previousClose ? ((price - previousClose) / previousClose) * 100 : null,
      epochSeconds: meta.regularMarketTime,
    });
  }

  private buildQuote(raw: {
    symbol: string;
    currency: string;
    priceHint: number | null | undefined;
    price: number;
    previousClose: number | null;
    change: number | null;
    changePercent: number | null;
    epochSeconds: number | null | undefined;
  }): ProviderQuote {
    const prices = priceFormatter(raw.currency, decimalsFor(raw.priceHint, raw.price));
    return {
      symbol: normalizeSymbol(raw.symbol),
      price: prices.format(raw.price),
      change: raw.change === null ? null : prices.format(raw.change),
      changePercent: raw.changePercent === null ? null : roundNumber(raw.changePercent, 4),
      previousClose: raw.previousClose === null ? null : prices.format(raw.previousClose),
      currency: prices.currency,
      timestamp: raw.epochSeconds != null ? new Date(raw.epochSeconds * 1000) : this.now(),
      source: this.name,
    };
  }

  /** The chart result, or null for a symbol Yahoo does not know (HTTP 404 "No data found"). */
  private async chart(symbol: string, params: Record<string, string>): Promise<ChartResult | null> {
    const path = `/v8/finance/chart/${encodeURIComponent(normalizeSymbol(symbol))}`;
    let body: unknown;
    try {
      body = await this.get(path, params, 'chart');
    } catch (error) {
      if (error instanceof ProviderHttpError && error.status === 404) return null;
      throw error;
    }
    return parseResponse(chartResponseSchema, body, this.name, 'chart').chart.result?.[0] ?? null;
  }

  private async searchCall(query: string, params: Record<string, string>) {
    const body = await this.get('/v1/finance/search', { q: query, ...params }, 'search');
    return parseResponse(searchResponseSchema, body, this.name, 'search');
  }

  private get(path: string, params: Record<string, string>, label: string): Promise<unknown> {
    return fetchJson(`${this.baseUrl}${path}?${new URLSearchParams(params).toString()}`, {
      provider: this.name,
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      label,
      headers: { 'user-agent': USER_AGENT },
    });
  }
}

/**
 * The v7 quote endpoint answered 401/403: it wants a cookie and crumb we do not have. Yahoo itself
 * is up (chart and search still answer), so this must not count against its circuit breaker.
 */
export class QuoteEndpointRefusedError extends ProviderInvalidRequestError {
  constructor(provider: string) {
    super(provider, 'the quote endpoint refuses requests without a cookie and crumb');
  }
}

/** Yahoo's priceHint is the number of decimals it displays; without it, decide from the price. */
function decimalsFor(priceHint: number | null | undefined, price: number): number {
  return priceHint != null && priceHint >= 0 && priceHint <= 12 ? Math.max(2, priceHint) : priceDecimals(price);
}
