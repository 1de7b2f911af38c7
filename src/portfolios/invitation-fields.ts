/**
 * The GraphQL face of invitations (./invitations.ts): Portfolio.invitations for OWNER/ADMIN,
 * invitePortfolio, revokeInvitation and acceptInvitation.
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { PermissionEnum } from '../graphql/enums.js';
import { forgetPortfolioRole } from './roles.js';
import { PortfolioRef } from './portfolio.schema.js';

const NO_PORTFOLIO = '00000000-0000-0000-0000-000000000000';

const actorOf = (ctx: Context) => ({ userId: ctx.viewer!.userId, ip: ctx.ip, userAgent: ctx.userAgent });

const PortfolioInvitationRef = builder.prismaObject('PortfolioInvitation', {
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    email: t.exposeString('email', { nullable: false }),
    permission: t.expose('permission', { nullable: false, type: PermissionEnum }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { nullable: false, type: 'DateTime' }),
  }),
});

builder.objectField(PortfolioRef, 'invitations', (t) =>
  t.field({
    type: [PortfolioInvitationRef],
    nullable: false,
    description: 'Pending invitations to addresses without an account yet: OWNER and ADMIN only.',
    authScopes: (portfolio) => ({ portfolioRole: { portfolioId: portfolio.id, atLeast: 'ADMIN' } }),
    resolve: (portfolio, _args, ctx) => ctx.services.invitations.list(portfolio.id),
  }),
);

builder.mutationFields((t) => ({
  invitePortfolio: t.boolean({
    nullable: false,
    description: 'Share with someone who may not have an account yet: always true; the email says how to join.',
    args: {
      portfolioId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      permission: t.arg({ type: PermissionEnum, required: true }),
    },
    // Only the owner may hand out ADMIN, as with sharePortfolio.
    authScopes: (_root, { portfolioId, permission }) => ({
      portfolioRole: { portfolioId, atLeast: permission === 'ADMIN' ? 'OWNER' : 'ADMIN' },
    }),
    resolve: async (_root, { portfolioId, email, permission }, ctx) => {
      await ctx.services.invitations.invite(actorOf(ctx), portfolioId, email, permission);
      forgetPortfolioRole(ctx, portfolioId);
      return true;
    },
  }),
  revokeInvitation: t.boolean({
    nullable: false,
    args: { id: t.arg.id({ required: true }) },
    authScopes: async (_root, { id }, ctx) => ({
      portfolioRole: { portfolioId: (await ctx.services.invitations.portfolioOf(id)) ?? NO_PORTFOLIO, atLeast: 'ADMIN' },
    }),
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.invitations.revoke(actorOf(ctx), id);
      return true;
    },
  }),
  acceptInvitation: t.field({
    type: PortfolioRef,
    nullable: false,
    description: "Accepts an invitation link's token for the signed-in user: its portfolio is shared with them.",
    args: { token: t.arg.string({ required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { token }, ctx) => {
      const portfolio = await ctx.services.invitations.accept(ctx.viewer!.userId, token);
      forgetPortfolioRole(ctx, portfolio.id);
      return portfolio;
    },
  }),
}));
