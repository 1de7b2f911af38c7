/**
 * The tax-lot review in GraphQL: Portfolio.taxLotSuggestions (VIEW and up: like reports, a
 * public reader never sees it). The rule is in ./tax-lots.ts.
 */
import '../portfolios/index.js';
import { builder } from '../graphql/builder.js';
import { requestQuoteLookup } from '../market/index.js';
import { MoneyRef } from '../ledger/index.js';
import { PortfolioRef } from '../portfolios/index.js';
import type { TaxLotSuggestion } from './tax-lots.js';

const TaxLotSuggestionRef = builder.objectRef<TaxLotSuggestion>('TaxLotSuggestion').implement({
  description: 'An open lot whose unrealized loss could be harvested now without a wash sale.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    lotId: t.exposeID('lotId', {
      nullable: false,
      description: 'The lot (its opening transaction): pass it in lotIds to sell exactly it.',
    }),
    quantity: t.field({ type: 'Decimal', nullable: false, description: 'The open quantity of the lot.', resolve: (s) => s.quantity }),
    unrealizedLoss: t.field({
      type: MoneyRef,
      nullable: false,
      description: 'Cost minus market value, in the base currency (a positive amount).',
      resolve: (s) => ({ amount: s.unrealizedLoss, currency: s.currency }),
    }),
    reason: t.exposeString('reason', { nullable: false }),
  }),
});

builder.prismaObjectFields(PortfolioRef, (t) => ({
  taxLotSuggestions: t.field({
    type: [TaxLotSuggestionRef],
    nullable: false,
    description:
      'Open lots with an unrealized loss of at least minLoss (base currency; default TAX_LOT_MIN_LOSS) and no other BUY of the symbol within 30 days before or after today, largest loss first. Collaborators (VIEW and up) only.',
    authScopes: (portfolio) => ({ portfolioRole: { portfolioId: portfolio.id, atLeast: 'VIEW' } }),
    args: { minLoss: t.arg({ type: 'Decimal' }) },
    select: { ownerId: true },
    // The request's quotes, so the lots agree with the other valuation fields of the same answer.
    resolve: (portfolio, { minLoss }, ctx) => ctx.services.reports.taxLots.suggestions(portfolio, minLoss, requestQuoteLookup(ctx)),
  }),
}));
