/** Investment in GraphQL: the type, Portfolio.investments, its inputs and add / update / remove. */
import { builder } from '../graphql/builder.js';
import { AssetTypeEnum } from '../graphql/enums.js';
import type { Context } from '../graphql/context.js';
import { notFound } from '../platform/errors.js';
import { actorOf, onPortfolio, PortfolioRef, READ_ROLES, type PortfolioRole, type PortfolioRoleRequirement } from '../portfolios/index.js';
import { decimalOutput, investmentConnection, purchaseDateOutput } from './investment-reads.js';

/**
 * No type-level scope on Investment, unlike Portfolio: an Investment is only ever handed out by
 * a field that has already authorized its portfolio, so the type scope (`onPortfolio(
 * investment.portfolioId, 'PUBLIC')`) could only repeat a decision already taken, on every field
 * of every node (Pothos runs a type's scopes in each of its fields' resolvers; graphql-jit calls
 * isTypeOf without the context, so `runScopesOnType` cannot check once per object instead). The
 * fields that return investments, and what authorized them:
 * - Portfolio.investments: Portfolio's own type scope (PUBLIC on that portfolio) runs on the
 *   field, and its pages hold that portfolio's investments only (./investment-reads.ts);
 * - addInvestment / updateInvestment: EDIT on the investment's portfolio, which includes PUBLIC.
 * `investment-paths.test.ts` fails when any other field starts returning an Investment, so a new
 * path cannot appear without deciding its check. Field scopes (notes) stay on their fields.
 * The read-path profile (Q2: 1,000 nodes × 4 fields per request) spent ~7 % in these per-field
 * scope checks and their allocations.
 */
export const InvestmentRef = builder.prismaObject('Investment', {
  description:
    "A BUY's lot as recorded (quantity, purchasePrice, purchaseDate): not split-adjusted, not net of sales. purchasePrice is in the BUY's own currency; costBasis, marketValue and unrealizedGain are in `currency` (the quote's, a minor unit as its major unit); totals in the portfolio's base currency are on Portfolio.holdings and valuation.",
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    portfolio: t.relation('portfolio', { nullable: false }),
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { nullable: false, type: AssetTypeEnum }),
    // A page's records carry PostgreSQL's canonical text: printed as is, no Decimal or Date built.
    quantity: t.field({ nullable: false, type: 'Decimal', resolve: (investment) => decimalOutput(investment, 'quantity') }),
    purchasePrice: t.field({ nullable: false, type: 'Decimal', resolve: (investment) => decimalOutput(investment, 'purchasePrice') }),
    purchaseDate: t.field({ nullable: false, type: 'Date', resolve: (investment) => purchaseDateOutput(investment) }),
    sector: t.exposeString('sector', { nullable: true }),
    notes: t.exposeString('notes', {
      nullable: true,
      description: 'Null for a public reader: notes are for the people the portfolio is shared with.',
      authScopes: (investment) => onPortfolio(investment.portfolioId, READ_ROLES.investmentNotes),
      unauthorizedResolver: () => null,
    }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { nullable: false, type: 'DateTime' }),
  }),
});

const InvestmentInputRef = builder.inputType('InvestmentInput', {
  fields: (t) => ({
    symbol: t.string({ required: true, description: "A market symbol or one of the portfolio owner's custom assets." }),
    name: t.string({ description: "The asset's, never the lot's: when given, it must be the asset's name." }),
    type: t.field({ type: AssetTypeEnum, description: "The asset's, never the lot's: when given, it must be the asset's type." }),
    quantity: t.field({ type: 'Decimal', required: true }),
    purchasePrice: t.field({ type: 'Decimal', required: true }),
    purchaseDate: t.field({ type: 'Date', required: true }),
    sector: t.string({ description: "The asset's, never the lot's: when given, it must be the asset's sector." }),
    notes: t.string(),
  }),
});

const InvestmentPatchRef = builder.inputType('InvestmentPatch', {
  fields: (t) => ({
    quantity: t.field({ type: 'Decimal' }),
    purchasePrice: t.field({ type: 'Decimal' }),
    purchaseDate: t.field({ type: 'Date' }),
    sector: t.string(),
    notes: t.string(),
  }),
});

builder.prismaObjectFields(PortfolioRef, (t) => ({
  // One typed SQL statement for every page a request reaches (./investment-reads.ts says why).
  investments: t.connection(
    { type: InvestmentRef, nullable: false, resolve: (portfolio, args, ctx, info) => investmentConnection(ctx, portfolio, args, info) },
    { name: 'InvestmentConnection', fields: (c) => ({ totalCount: c.exposeInt('totalCount', { nullable: false }) }) },
    { name: 'InvestmentEdge' },
  ),
}));

/**
 * An investment's portfolio for its mutation's scope: a caller without any role there, like one
 * naming no investment at all, is told the Investment is not found.
 */
async function onInvestment(ctx: Context, id: string, atLeast: PortfolioRole): Promise<{ portfolioRole: PortfolioRoleRequirement }> {
  const portfolioId = await ctx.services.ledger.portfolioOfInvestment(id);
  if (!portfolioId) throw notFound('Investment');
  return { portfolioRole: { ...onPortfolio(portfolioId, atLeast).portfolioRole, as: 'Investment' } };
}

builder.mutationFields((t) => ({
  addInvestment: t.field({
    type: InvestmentRef,
    nullable: false,
    args: { portfolioId: t.arg.id({ required: true }), input: t.arg({ type: InvestmentInputRef, required: true }) },
    authScopes: (_root, { portfolioId }) => onPortfolio(portfolioId, 'EDIT'),
    resolve: (_root, { portfolioId, input }, ctx) => ctx.services.ledger.addInvestment(actorOf(ctx), portfolioId, input),
  }),

  updateInvestment: t.field({
    type: InvestmentRef,
    nullable: false,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: InvestmentPatchRef, required: true }) },
    authScopes: (_root, { id }, ctx) => onInvestment(ctx, id, 'EDIT'),
    resolve: (_root, { id, input }, ctx) => ctx.services.ledger.updateInvestment(actorOf(ctx), id, input),
  }),

  removeInvestment: t.boolean({
    nullable: false,
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, { id }, ctx) => onInvestment(ctx, id, 'EDIT'),
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.ledger.removeInvestment(actorOf(ctx), id);
      return true;
    },
  }),
}));
