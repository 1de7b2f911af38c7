/**
 * Per-request batching for market data: every quote a request needs (Investment.quote of 50
 * holdings, several portfolios' valuations, quote/quotes queries) is collected by one dataloader
 * and looked up together, so the request costs one quote lookup (one provider call at most).
 */
import DataLoader from 'dataloader';
import { perRequest, type Context } from '../graphql/context.js';
import type { Quote, QuoteLookup, QuoteRequest } from './service.js';

const QUOTES = Symbol('market.quotes');

export function quoteLoader(ctx: Context): DataLoader<QuoteRequest, Quote | null, string> {
  return perRequest(
    ctx,
    QUOTES,
    () =>
      new DataLoader<QuoteRequest, Quote | null, string>((requests) => ctx.services.market.lookupQuotes(requests), {
        cacheKeyFn: (request) => `${request.ownerId ?? ''}|${request.symbol}`,
      }),
  );
}

/** QuoteLookup through the request's dataloader. */
export function requestQuoteLookup(ctx: Context): QuoteLookup {
  const loader = quoteLoader(ctx);
  return (requests) => Promise.all(requests.map((request) => loader.load(request)));
}
