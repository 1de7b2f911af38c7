/**
 * The market's subscription (served over WebSocket by src/graphql/ws.ts): live quotes.
 * Thin: check access, hand over to LiveMarket (./live.ts).
 *
 * - quotes(symbols): each published tick of those symbols (at most 100; unknown symbols and
 *   your custom assets never tick).
 * (portfolioValuation, the live valuation of a portfolio, is the ledger's: ../ledger/valuation-fields.ts.)
 */
import { builder } from '../graphql/builder.js';
import { SHARED_EVENTS } from '../graphql/ws-fanout.js';
import type { Context } from '../graphql/context.js';
import { unauthenticated } from '../platform/errors.js';
import { QuoteRef } from './schema.js';

function viewerId(ctx: Context): string {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer.userId;
}

builder.subscriptionFields((t) => ({
  quotes: t.field({
    type: QuoteRef,
    nullable: false,
    description: 'Live quotes for the symbols, as each tick is published.',
    authScopes: { authenticated: true },
    args: { symbols: t.arg.stringList({ required: true }) },
    // A tick reads the same for every viewer: executed and serialized once for all subscribers
    // (who gets which ticks is still decided per viewer, in subscribe).
    extensions: { [SHARED_EVENTS]: true },
    subscribe: (_root, { symbols }, ctx) => ctx.services.live.quotes(symbols, viewerId(ctx)),
    resolve: (quote) => quote,
  }),
}));
