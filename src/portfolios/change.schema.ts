/**
 * Multi-device sync in GraphQL: Portfolio.changeSequence, the PortfolioChange type and
 * Subscription.portfolioChanges(id, after) (./change-feed.ts). The feed is the activity trail's
 * order, so it is for collaborators (VIEW and up), never a public reader. The ledger adds
 * PortfolioChange.transaction (src/ledger).
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { badInput } from '../platform/errors.js';
import type { PortfolioChangeRow } from './change-feed.js';
import { PortfolioRef } from './portfolio.schema.js';
import { READ_ROLES, roleAtLeast } from './roles.js';
import { onPortfolio } from './schema-helpers.js';

export const PortfolioChangeRef = builder.objectRef<PortfolioChangeRow>('PortfolioChange').implement({
  description: "One change of a portfolio, in the order of the portfolio's changes (README: Portfolio rules).",
  fields: (t) => ({
    sequence: t.exposeInt('sequence', { nullable: false, description: '1, 2, 3, ... per portfolio, with no gaps.' }),
    portfolioId: t.exposeID('portfolioId', { nullable: false }),
    action: t.exposeString('action', {
      nullable: false,
      description: 'The Activity action of the change (e.g. TRANSACTION_RECORDED, PORTFOLIO_UPDATED).',
    }),
    at: t.expose('at', { type: 'DateTime', nullable: false }),
    portfolio: t.field({
      type: PortfolioRef,
      nullable: true,
      description: 'The portfolio as it is now; null once deleted or no longer readable.',
      resolve: (change, _args, ctx) => ctx.services.db.portfolio.findUnique({ where: { id: change.portfolioId } }),
    }),
  }),
});

builder.prismaObjectFields(PortfolioRef, (t) => ({
  changeSequence: t.exposeInt('changeSequence', {
    nullable: false,
    description: "The sequence of the portfolio's latest change (0 before any): where portfolioChanges may resume.",
  }),
}));

/** Whether the subscriber is still a collaborator, asked afresh (not memoised per request). */
async function canFollow(ctx: Context, portfolioId: string): Promise<boolean> {
  const userId = ctx.viewer?.userId;
  if (!userId) return false;
  const role = await ctx.services.portfolioAccess.roleOf(userId, portfolioId);
  return role !== null && roleAtLeast(role, READ_ROLES.collaboration);
}

builder.subscriptionFields((t) => ({
  portfolioChanges: t.field({
    type: PortfolioChangeRef,
    nullable: false,
    description: 'Every change of the portfolio after sequence `after` in order, then live ones (README: Portfolio rules).',
    authScopes: (_root, { id }) => onPortfolio(String(id), READ_ROLES.collaboration),
    args: { id: t.arg.id({ required: true }), after: t.arg.int({ required: false }) },
    subscribe: (_root, { id, after }, ctx) => {
      if (after != null && after < 0) throw badInput([{ field: 'after', message: 'must be 0 or more' }]);
      const portfolioId = String(id);
      return ctx.services.portfolioChanges.subscribe(
        portfolioId,
        after ?? null,
        () => canFollow(ctx, portfolioId),
        ctx.viewer?.userId ?? null,
      );
    },
    resolve: (change) => change,
  }),
}));
