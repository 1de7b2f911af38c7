/** PortfolioShare in GraphQL: the type and share / unshare (who may change a share: ./roles.ts). */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { PermissionEnum } from '../graphql/enums.js';
import type { Permission } from '../generated/prisma/enums.js';
import { forgetPortfolioRole, roleToManageShare } from './roles.js';
import { actorOf, onPortfolio } from './schema-helpers.js';

export const PortfolioShareRef = builder.prismaObject('PortfolioShare', {
  authScopes: (share) => onPortfolio(share.portfolioId, 'VIEW'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    user: t.relation('user', { nullable: false }),
    permission: t.expose('permission', { nullable: false, type: PermissionEnum }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
  }),
});

/** The role a share change needs depends on the share as it stands (./roles.ts roleToManageShare). */
async function shareManagement(
  ctx: Context,
  portfolioId: string,
  permission: Permission | null,
  target: { email: string } | { userId: string },
) {
  const share = ctx.viewer ? await ctx.services.portfolios.shareOf(portfolioId, target) : null;
  const existing = share && { permission: share.permission, own: share.userId === ctx.viewer?.userId };
  return onPortfolio(portfolioId, roleToManageShare(permission, existing));
}

builder.mutationFields((t) => ({
  sharePortfolio: t.field({
    type: PortfolioShareRef,
    nullable: false,
    description: 'Shares with the account behind `email`; sharing again with someone changes their permission.',
    args: {
      portfolioId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      permission: t.arg({ type: PermissionEnum, required: true }),
    },
    authScopes: (_root, { portfolioId, email, permission }, ctx) => shareManagement(ctx, portfolioId, permission, { email }),
    resolve: async (_root, { portfolioId, email, permission }, ctx) => {
      const share = await ctx.services.portfolios.share(actorOf(ctx), portfolioId, email, permission);
      forgetPortfolioRole(ctx, portfolioId);
      return share;
    },
  }),

  unsharePortfolio: t.boolean({
    nullable: false,
    args: { portfolioId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    authScopes: (_root, { portfolioId, userId }, ctx) => shareManagement(ctx, portfolioId, null, { userId }),
    resolve: async (_root, { portfolioId, userId }, ctx) => {
      await ctx.services.portfolios.unshare(actorOf(ctx), portfolioId, userId);
      forgetPortfolioRole(ctx, portfolioId);
      return true;
    },
  }),
}));
