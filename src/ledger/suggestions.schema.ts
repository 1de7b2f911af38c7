/**
 * Suggested corporate actions in GraphQL (suggestions.ts): Portfolio.suggestedTransactions
 * (VIEW and up), acceptSuggestedTransaction and dismissSuggestedTransaction (EDIT and up).
 * An id that is not a suggestion, or names a portfolio the caller cannot see, is NOT_FOUND.
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { notFound } from '../platform/errors.js';
import { actorOf, onPortfolio, PortfolioRef, type PortfolioRole } from '../portfolios/index.js';
import { TransactionTypeEnum } from './enums.js';
import { CorporateActionSuggestions, parseSuggestionId, type SuggestedTransaction } from './suggestions.js';
import { TransactionInputRef } from './transactions.schema.js';

const suggestionsOf = (ctx: Context) => new CorporateActionSuggestions(ctx.services.db, ctx.services.market);

const SuggestedTransactionRef = builder.objectRef<SuggestedTransaction>('SuggestedTransaction').implement({
  description: 'A corporate action a provider reports for a held symbol, offered for the ledger.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    type: t.field({ type: TransactionTypeEnum, nullable: false, description: 'SPLIT or DIVIDEND.', resolve: (s) => s.type }),
    symbol: t.exposeString('symbol', { nullable: false }),
    date: t.field({
      type: 'Date',
      nullable: false,
      description: "A dividend's payment date (its ex-date when the payment date is unknown); a split's effective date.",
      resolve: (s) => s.date,
    }),
    exDate: t.field({
      type: 'Date',
      nullable: true,
      description: "A dividend's ex-date: the quantity held at the end of the day before it is entitled.",
      resolve: (s) => s.exDate,
    }),
    amountPerShare: t.field({ type: 'Decimal', nullable: true, resolve: (s) => s.amountPerShare }),
    amount: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'amountPerShare × the quantity entitled, in `currency`.',
      resolve: (s) => s.amount?.toDecimalPlaces(8) ?? null,
    }),
    currency: t.exposeString('currency', { nullable: true }),
    splitFrom: t.field({ type: 'Decimal', nullable: true, resolve: (s) => s.splitFrom }),
    splitTo: t.field({ type: 'Decimal', nullable: true, resolve: (s) => s.splitTo }),
    source: t.exposeString('source', { nullable: false, description: 'The provider that reported it.' }),
  }),
});

builder.prismaObjectFields(PortfolioRef, (t) => ({
  suggestedTransactions: t.field({
    type: [SuggestedTransactionRef],
    nullable: false,
    description: 'Splits and dividends the market data reports for symbols held, not yet in the ledger nor dismissed.',
    authScopes: (portfolio) => onPortfolio(portfolio.id, 'VIEW'),
    resolve: (portfolio, _args, ctx) => suggestionsOf(ctx).list(portfolio.id),
  }),
}));

/** The portfolio a suggestion id names, for the mutation's scope. */
function onSuggestion(id: string, atLeast: PortfolioRole) {
  const key = parseSuggestionId(id);
  if (!key) throw notFound('SuggestedTransaction');
  return onPortfolio(key.portfolioId, atLeast);
}

builder.mutationFields((t) => ({
  acceptSuggestedTransaction: t.prismaField({
    type: 'Transaction',
    nullable: false,
    description: 'Records the suggestion as a transaction (input may correct it, e.g. the amount received after tax).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: TransactionInputRef }) },
    authScopes: (_root, { id }) => onSuggestion(String(id), 'EDIT'),
    resolve: (_query, _root, { id, input }, ctx) =>
      suggestionsOf(ctx).accept(String(id), input, (portfolioId, chosen) => ctx.services.ledger.record(actorOf(ctx), portfolioId, chosen)),
  }),

  dismissSuggestedTransaction: t.boolean({
    nullable: false,
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, { id }) => onSuggestion(String(id), 'EDIT'),
    resolve: async (_root, { id }, ctx) => {
      await suggestionsOf(ctx).dismiss(String(id));
      return true;
    },
  }),
}));
