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
import DataLoader from 'dataloader';
import { builder } from '../graphql/builder.js';
import { majorUnit } from '../platform/currency-units.js';
import { isoDateOf } from '../platform/dates.js';
import { Money } from '../platform/money.js';
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
  type HoldingInput,
  type PortfolioHeader,
  type PortfolioValuation,
  type Quote,
} from '../market/index.js';
import { HOLDING_FIELDS, PORTFOLIO_WITH_HOLDINGS } from './valuations.js';
import { InvestmentRef } from './investment.schema.js';
import { PortfolioRef } from '../portfolios/index.js';

/** What an investment's valuation fields read: the holding and its portfolio's owner and currency. */
const INVESTMENT_SELECTION = {
  ...HOLDING_FIELDS,
  purchaseDate: true,
  portfolio: { select: { ownerId: true, baseCurrency: true } },
} as const;

interface SelectedInvestment extends HoldingInput {
  purchaseDate: Date;
  portfolio: { ownerId: string; baseCurrency: string };
}

/** The investment's quote as its portfolio's owner sees it (their custom assets count). */
function quoteOf(investment: SelectedInvestment, ctx: Context): Promise<Quote | null> {
  return quoteLoader(ctx).load({ symbol: investment.symbol, ownerId: investment.portfolio.ownerId });
}

const BUY_CURRENCIES = Symbol('ledger.buyCurrencies');

/** The currency each investment's BUY was recorded in (its lot's) and its own rate, batched per request. */
function buyOf(ctx: Context, id: string): Promise<{ currency: string; fxRate: string | null } | null> {
  return perRequest(
    ctx,
    BUY_CURRENCIES,
    () =>
      new DataLoader<string, { currency: string; fxRate: string | null } | null>(async (ids) => {
        const rows = await ctx.services.db.transaction.findMany({
          where: { id: { in: [...ids] } },
          select: { id: true, currency: true, fxRate: true },
        });
        const byId = new Map(rows.map((row) => [row.id, { currency: row.currency, fxRate: row.fxRate?.toFixed() ?? null }]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
  ).load(id);
}

/**
 * An investment's figures in its own currency: the quote's, a minor unit as its major unit (a
 * pence quote gives pounds). The cost (quantity × purchasePrice in the BUY's currency) is
 * converted at the BUY's own rate (into the base currency) or the rate of the purchase date, the market value at the quote's unit, so a pence
 * purchase or BTC paid in EUR compare like with like.
 */
async function inOwnCurrency(investment: SelectedInvestment, ctx: Context) {
  const [quote, buy] = await Promise.all([quoteOf(investment, ctx), buyOf(ctx, investment.id)]);
  const paidIn = buy?.currency ?? quote?.currency ?? investment.portfolio.baseCurrency;
  const currency = majorUnit(quote?.currency ?? paidIn).currency;
  const purchaseDate = isoDateOf(investment.purchaseDate);
  // In the base currency, the BUY's own rate (what its lot cost); else the rate of its date.
  const own = currency === investment.portfolio.baseCurrency && majorUnit(paidIn).currency !== currency ? buy?.fxRate : null;
  const rate = own ?? (await ctx.services.ledger.baseRate(paidIn, currency, purchaseDate)) ?? majorUnit(paidIn).factor.toFixed();
  const costBasis = new Money(investment.quantity.toString()).times(investment.purchasePrice.toString()).times(rate);
  const marketValue = quote ? new Money(investment.quantity.toString()).times(quote.price).times(majorUnit(quote.currency).factor) : null;
  return { currency, quote, costBasis, marketValue, unrealizedGain: marketValue && marketValue.minus(costBasis) };
}

/** Per request and investment: the figures are read by up to four fields. */
const OWN_CURRENCY = Symbol('ledger.investmentFigures');
function figures(investment: SelectedInvestment, ctx: Context): ReturnType<typeof inOwnCurrency> {
  const memo = perRequest(ctx, OWN_CURRENCY, () => new Map<string, ReturnType<typeof inOwnCurrency>>());
  let value = memo.get(investment.id);
  if (!value) memo.set(investment.id, (value = inOwnCurrency(investment, ctx)));
  return value;
}

builder.prismaObjectFields(InvestmentRef, (t) => ({
  quote: t.field({
    type: QuoteRef,
    nullable: true,
    select: INVESTMENT_SELECTION,
    resolve: (investment, _args, ctx) => quoteOf(investment, ctx),
  }),
  currency: t.string({
    nullable: false,
    description: "The currency of costBasis, marketValue and unrealizedGain: the quote's, a minor unit as its major unit.",
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await figures(investment, ctx)).currency,
  }),
  costBasis: t.field({
    type: 'Decimal',
    nullable: false,
    description: "quantity × purchasePrice in `currency`, converted from the BUY's currency at the rate of the purchase date.",
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await figures(investment, ctx)).costBasis,
  }),
  marketValue: t.field({
    type: 'Decimal',
    nullable: true,
    description: 'quantity × the current price, in `currency`; null without a quote.',
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await figures(investment, ctx)).marketValue,
  }),
  unrealizedGain: t.field({
    type: 'Decimal',
    nullable: true,
    description: 'marketValue − costBasis, in `currency`; null without a quote.',
    select: INVESTMENT_SELECTION,
    resolve: async (investment, _args, ctx) => (await figures(investment, ctx)).unrealizedGain,
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
