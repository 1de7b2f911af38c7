/**
 * The contract's subscriptions (served over WebSocket by src/graphql/ws.ts): live quotes and a
 * portfolio's live valuation. Thin: check access, hand over to LiveMarket (./live.ts).
 *
 * - quotes(symbols): each published tick of those symbols (at most 100; unknown symbols and
 *   your custom assets never tick).
 * - portfolioValuation(id): the Valuation at once, then again after ticks of its holdings'
 *   symbols (at most 4 a second). Whoever may read the portfolio may subscribe; anyone else gets
 *   NOT_FOUND, as for a portfolio that does not exist. Losing access later (unshare, deletion,
 *   made private) ends the subscription with NOT_FOUND at once (announced through Redis to
 *   every instance; checked every 30 s besides).
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { unauthenticated } from '../platform/errors.js';
import { roleOf } from '../portfolios/roles.js';
import { QuoteRef, ValuationRef } from './schema.js';

function viewerId(ctx: Context): string {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer.userId;
}

/** Whether the subscriber still has a role on the portfolio, asked afresh (not memoised per request). */
function canView(ctx: Context, portfolioId: string): Promise<boolean> {
  return roleOf({ ...ctx, cache: new Map() }, portfolioId).then((role) => role !== null);
}

builder.subscriptionFields((t) => ({
  quotes: t.field({
    type: QuoteRef,
    nullable: false,
    description: 'Live quotes for the symbols, as each tick is published.',
    authScopes: { authenticated: true },
    args: { symbols: t.arg.stringList({ required: true }) },
    subscribe: (_root, { symbols }, ctx) => ctx.services.live.quotes(symbols, viewerId(ctx)),
    resolve: (quote) => quote,
  }),

  portfolioValuation: t.field({
    type: ValuationRef,
    nullable: false,
    description: "The portfolio's valuation, again after each tick that moves it.",
    // Whoever may read the portfolio (its valuation field included); no role at all: NOT_FOUND.
    authScopes: (_root, { id }) => ({ portfolioRole: { atLeast: 'PUBLIC', portfolioId: id } }),
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, { id }, ctx) => ctx.services.live.portfolioValuation(id, () => canView(ctx, id), viewerId(ctx)),
    resolve: (valuation) => valuation,
  }),
}));
