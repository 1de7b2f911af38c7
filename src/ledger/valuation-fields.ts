/**
 * The valuation fields of Portfolio and Investment (quote, marketValue, unrealizedGain, valuation,
 * allocation) and the portfolioValuation subscription: portfolios' types, valued by market's door.
 *
 * - portfolioValuation(id): the Valuation at once, then again after ticks of its holdings'
 *   symbols (at most 4 a second). Whoever may read the portfolio may subscribe; anyone else gets
 *   NOT_FOUND, as for a portfolio that does not exist. Losing access later (unshare, deletion,
 *   made private) ends the subscription with NOT_FOUND at once (announced through Redis to
 *   every instance; checked every 30 s besides).
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { perRequest } from '../graphql/context.js';
import {
  AllocationDimensionEnum,
  AllocationSliceRef,
  allocate,
  QuoteRef,
  quoteLoader,
  requestQuoteLookup,
  ValuationRef,
  valueHolding,
  type HoldingInput,
  type PortfolioHeader,
  type PortfolioValuation,
  type Quote,
} from '../market/index.js';
import { HOLDING_FIELDS, PORTFOLIO_WITH_HOLDINGS } from './valuations.js';
import { InvestmentRef } from './investment.schema.js';
import { PortfolioRef } from '../portfolios/index.js';

/** What an investment's valuation fields read: the holding and its portfolio's owner and currency. */
const INVESTMENT_SELECTION = { ...HOLDING_FIELDS, portfolio: { select: { ownerId: true, baseCurrency: true } } } as const;

interface SelectedInvestment extends HoldingInput {
  portfolio: { ownerId: string; baseCurrency: string };
}

/** The investment's quote as its portfolio's owner sees it (their custom assets count). */
function quoteOf(investment: SelectedInvestment, ctx: Context): Promise<Quote | null> {
  return quoteLoader(ctx).load({ symbol: investment.symbol, ownerId: investment.portfolio.ownerId });
}

async function valued(investment: SelectedInvestment, ctx: Context) {
  return valueHolding(investment, await quoteOf(investment, ctx), investment.portfolio.baseCurrency);
}

builder.prismaObjectFields(InvestmentRef, (t) => ({
  quote: t.field({
    type: QuoteRef,
    nullable: true,
    select: INVESTMENT_SELECTION,
    resolve: (investment, _args, ctx) => quoteOf(investment, ctx),
  }),
  marketValue: t.field({
    type: 'Decimal',
    nullable: true,
    description:
      "quantity × the current price, in the quote's currency (Quote.currency), not converted into the base currency; null without a quote.",
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await valued(investment, ctx)).marketValue,
  }),
  unrealizedGain: t.field({
    type: 'Decimal',
    nullable: true,
    description:
      "marketValue − costBasis, in the quote's currency (meaningful when the BUY was in it, as addInvestment's are); null without a quote.",
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await valued(investment, ctx)).unrealizedGain,
  }),
}));

const VALUATIONS = Symbol('portfolios.valuations');

/** The portfolio's valuation, computed once per request however many fields read it. */
function portfolioValuation(
  ctx: Context,
  portfolio: PortfolioHeader & { investments: readonly HoldingInput[] },
): Promise<PortfolioValuation> {
  const memo = perRequest(ctx, VALUATIONS, () => new Map<string, Promise<PortfolioValuation>>());
  let valuation = memo.get(portfolio.id);
  if (!valuation) {
    const { valuations } = ctx.services;
    valuation = valuations
      .holdingsFor(portfolio.id, portfolio.investments)
      .then((holdings) => valuations.value(portfolio, holdings, requestQuoteLookup(ctx)));
    memo.set(portfolio.id, valuation);
  }
  return valuation;
}

/** What a portfolio's valuation reads: the portfolio header and its holdings, in the parent query. */
const PORTFOLIO_SELECTION = PORTFOLIO_WITH_HOLDINGS;

builder.prismaObjectFields(PortfolioRef, (t) => ({
  valuation: t.field({
    type: ValuationRef,
    nullable: false,
    select: PORTFOLIO_SELECTION,
    resolve: (portfolio, _args, ctx) => portfolioValuation(ctx, portfolio),
  }),
  allocation: t.field({
    type: [AllocationSliceRef],
    nullable: false,
    description: 'The value split by type, sector, symbol or currency, largest first; weights sum to 1.',
    args: { by: t.arg({ type: AllocationDimensionEnum, required: true }) },
    select: PORTFOLIO_SELECTION,
    resolve: async (portfolio, { by }, ctx) => allocate(await portfolioValuation(ctx, portfolio), by),
  }),
}));

/** Whether the subscriber still has a role on the portfolio, asked afresh (not memoised per request). */
async function canView(ctx: Context, portfolioId: string): Promise<boolean> {
  const userId = ctx.viewer?.userId;
  return userId ? (await ctx.services.portfolioAccess.roleOf(userId, portfolioId)) !== null : false;
}

builder.subscriptionFields((t) => ({
  portfolioValuation: t.field({
    type: ValuationRef,
    nullable: false,
    description: "The portfolio's valuation, again after each tick that moves it.",
    // Whoever may read the portfolio (its valuation field included); no role at all: NOT_FOUND.
    authScopes: (_root, { id }) => ({ portfolioRole: { atLeast: 'PUBLIC', portfolioId: id } }),
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, { id }, ctx) =>
      ctx.services.liveValuations.portfolioValuation(id, () => canView(ctx, id), ctx.viewer?.userId ?? null),
    resolve: (valuation) => valuation,
  }),
}));
