/**
 * Per-request batching for market data: every quote a request needs (Investment.quote of 50
 * holdings, several portfolios' valuations, quote/quotes queries) is collected by one dataloader
 * and looked up together, so the request costs one quote lookup (one provider call at most);
 * a portfolio's valuation is computed once per request however many fields read it.
 */
import DataLoader from 'dataloader';
import { perRequest, type Context } from '../graphql/context.js';
import type { PortfolioHeader, Quote, QuoteLookup, QuoteRequest } from './service.js';
import type { HoldingInput, PortfolioValuation } from './valuation.js';

const QUOTES = Symbol('market.quotes');
const VALUATIONS = Symbol('market.valuations');

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

/** The portfolio's valuation, computed once per request. */
export function portfolioValuation(
  ctx: Context,
  portfolio: PortfolioHeader & { investments: readonly HoldingInput[] },
): Promise<PortfolioValuation> {
  const memo = perRequest(ctx, VALUATIONS, () => new Map<string, Promise<PortfolioValuation>>());
  let valuation = memo.get(portfolio.id);
  if (!valuation) {
    valuation = ctx.services.market.holdingsFor(portfolio.id, portfolio.investments).then((holdings) =>
      ctx.services.market.valueHoldings(portfolio, holdings, requestQuoteLookup(ctx), {
        costsInBaseCurrency: ctx.services.market.ledgerHoldings,
      }),
    );
    memo.set(portfolio.id, valuation);
  }
  return valuation;
}
