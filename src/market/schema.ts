/**
 * Market data in GraphQL: Quote, Candle, Fundamentals, NewsItem, SymbolMatch, Valuation and
 * AllocationSlice; the queries quote, quotes, history, fundamentals, news and searchSymbols; and
 * the valuation fields of Investment (quote, marketValue, unrealizedGain) and Portfolio
 * (valuation, allocation).
 *
 * Every market query needs a signed-in caller: the figures cost provider quota, and the caller
 * decides which custom assets count (their own). Valuation fields inherit the access rules of
 * their Portfolio / Investment (src/portfolios/portfolio.schema.ts); a portfolio's custom assets are
 * priced as its owner's, whoever reads it. Unknown symbols give null (quote, fundamentals) or
 * [] (history); malformed input is BAD_USER_INPUT with details.
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { AssetTypeEnum } from '../graphql/enums.js';
import { unauthenticated } from '../platform/errors.js';
import { CANDLE_INTERVALS } from './candles.js';
import { requestQuoteLookup } from './loaders.js';
import type { Candle, Fundamentals, NewsItem, Quote, SymbolMatch } from './service.js';
import { ALLOCATION_DIMENSIONS, type AllocationSlice, type PortfolioValuation } from './valuation.js';

/** How Portfolio.allocation splits a portfolio (and rebalance targets name their keys). */
export const AllocationDimensionEnum = builder.enumType('AllocationDimension', {
  values: ALLOCATION_DIMENSIONS,
});

function viewerId(ctx: Context): string {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer.userId;
}

// ---------------------------------------------------------------------------------- types

export const QuoteRef = builder.objectRef<Quote>('Quote').implement({
  description: 'The latest price of a symbol.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    price: t.field({ type: 'Decimal', nullable: false, resolve: (q) => q.price }),
    change: t.field({ type: 'Decimal', nullable: true, description: 'Against the previous close.', resolve: (q) => q.change }),
    changePercent: t.exposeFloat('changePercent', { nullable: true, description: 'Percent: 1.25 means +1.25 %.' }),
    currency: t.exposeString('currency', { nullable: false }),
    timestamp: t.expose('timestamp', { type: 'DateTime', nullable: false }),
    source: t.exposeString('source', {
      nullable: false,
      description:
        'Where the figure comes from: "simulated" (invented prices, label them so), "alphavantage", "yahoo", or "custom" (prices you stored).',
    }),
  }),
});

export const CandleIntervalEnum = builder.enumType('CandleInterval', { values: CANDLE_INTERVALS });

const CandleRef = builder.objectRef<Candle>('Candle').implement({
  description: 'Open, high, low, close and volume of a day, week or month (dated by its first trading day).',
  fields: (t) => ({
    date: t.field({ type: 'Date', nullable: false, resolve: (c) => c.date }),
    open: t.field({ type: 'Decimal', nullable: false, resolve: (c) => c.open }),
    high: t.field({ type: 'Decimal', nullable: false, resolve: (c) => c.high }),
    low: t.field({ type: 'Decimal', nullable: false, resolve: (c) => c.low }),
    close: t.field({ type: 'Decimal', nullable: false, resolve: (c) => c.close }),
    volume: t.exposeFloat('volume', { nullable: true }),
  }),
});

const FundamentalsRef = builder.objectRef<Fundamentals>('Fundamentals').implement({
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { type: AssetTypeEnum, nullable: false }),
    sector: t.exposeString('sector', { nullable: true }),
    currency: t.exposeString('currency', { nullable: false }),
    marketCap: t.field({ type: 'Decimal', nullable: true, resolve: (f) => f.marketCap }),
    peRatio: t.exposeFloat('peRatio', { nullable: true }),
    dividendYield: t.exposeFloat('dividendYield', { nullable: true, description: 'Fraction: 0.0392 means 3.92 %.' }),
  }),
});

const NewsItemRef = builder.objectRef<NewsItem>('NewsItem').implement({
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    title: t.exposeString('title', { nullable: false }),
    url: t.exposeString('url', { nullable: true }),
    source: t.exposeString('source', { nullable: false }),
    symbols: t.exposeStringList('symbols', { nullable: false }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: false }),
  }),
});

const SymbolMatchRef = builder.objectRef<SymbolMatch>('SymbolMatch').implement({
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { type: AssetTypeEnum, nullable: false }),
    currency: t.exposeString('currency', { nullable: false }),
    exchange: t.exposeString('exchange', { nullable: true }),
  }),
});

export const ValuationRef = builder.objectRef<PortfolioValuation>('Valuation').implement({
  description:
    "What a portfolio is worth now. Holdings without a quote count at their purchase price (cost), so they add nothing to the gain. Every total is in the portfolio's base currency (`currency`): each holding converted at the day's FX rate.",
  fields: (t) => ({
    portfolioId: t.exposeID('portfolioId', { nullable: false }),
    totalValue: t.field({ type: 'Decimal', nullable: false, resolve: (v) => v.totalValue }),
    totalCost: t.field({ type: 'Decimal', nullable: false, resolve: (v) => v.totalCost }),
    unrealizedGain: t.field({ type: 'Decimal', nullable: false, resolve: (v) => v.unrealizedGain }),
    unrealizedGainPercent: t.exposeFloat('unrealizedGainPercent', {
      nullable: true,
      description: 'Percent of the total cost (12.5 means +12.5 %); null when the cost is 0.',
    }),
    dayChange: t.field({
      type: 'Decimal',
      nullable: true,
      description: "Σ quantity × the quote's change; null when no quote has a change.",
      resolve: (v) => v.dayChange,
    }),
    asOf: t.expose('asOf', { type: 'DateTime', nullable: false, description: 'The newest quote used, or now without quotes.' }),
  }),
});

export const AllocationSliceRef = builder.objectRef<AllocationSlice>('AllocationSlice').implement({
  fields: (t) => ({
    key: t.exposeString('key', {
      nullable: false,
      description: 'The asset type, sector ("Unclassified" without one), symbol or currency.',
    }),
    value: t.field({ type: 'Decimal', nullable: false, resolve: (s) => s.value }),
    weight: t.exposeFloat('weight', { nullable: false, description: 'Share of the total value; the weights sum to 1.' }),
  }),
});

// ---------------------------------------------------------------------------------- queries

builder.queryFields((t) => ({
  quote: t.field({
    type: QuoteRef,
    nullable: true,
    description: 'The latest quote of a market symbol or of one of your custom assets; null when unknown.',
    authScopes: { authenticated: true },
    args: { symbol: t.arg.string({ required: true }) },
    resolve: (_root, { symbol }, ctx) => ctx.services.market.quote(symbol, viewerId(ctx), requestQuoteLookup(ctx)),
  }),

  quotes: t.field({
    type: [QuoteRef],
    nullable: false,
    description:
      'Quotes of up to 100 symbols, in the order asked. A symbol no asset has is BAD_USER_INPUT naming it; a known one without a quote just now is left out.',
    authScopes: { authenticated: true },
    args: { symbols: t.arg.stringList({ required: true }) },
    resolve: (_root, { symbols }, ctx) => ctx.services.market.quotes(symbols, viewerId(ctx), requestQuoteLookup(ctx)),
  }),

  history: t.field({
    type: [CandleRef],
    nullable: false,
    description: 'Candles from..to inclusive (at most 20 years), oldest first; [] for an unknown symbol.',
    authScopes: { authenticated: true },
    args: {
      symbol: t.arg.string({ required: true }),
      from: t.arg({ type: 'Date', required: true }),
      to: t.arg({ type: 'Date', required: true }),
      interval: t.arg({ type: CandleIntervalEnum, description: 'DAY when omitted.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.market.history(args, viewerId(ctx)),
  }),

  fundamentals: t.field({
    type: FundamentalsRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { symbol: t.arg.string({ required: true }) },
    resolve: (_root, { symbol }, ctx) => ctx.services.market.fundamentals(symbol, viewerId(ctx)),
  }),

  news: t.field({
    type: [NewsItemRef],
    nullable: false,
    description: 'Recent news about up to 20 symbols (general market news without symbols), newest first; first: 1 to 50, default 10.',
    authScopes: { authenticated: true },
    args: { symbols: t.arg.stringList(), first: t.arg.int() },
    resolve: (_root, { symbols, first }, ctx) => ctx.services.market.news(symbols, first, viewerId(ctx)),
  }),

  searchSymbols: t.field({
    type: [SymbolMatchRef],
    nullable: false,
    description:
      'Market assets and your custom assets by ticker or name: exact ticker first, then ticker prefix, then name matches. first: 1 to 50, default 10.',
    authScopes: { authenticated: true },
    args: { query: t.arg.string({ required: true }), first: t.arg.int() },
    resolve: (_root, { query, first }, ctx) => ctx.services.market.searchSymbols(query, first, viewerId(ctx)),
  }),
}));
