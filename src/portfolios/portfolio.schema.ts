/**
 * Portfolio in GraphQL: the type, its role enum and inputs, the portfolios / portfolio queries
 * and create / update / delete.
 *
 * Authorization is declared, never coded in resolvers: every portfolio type, sensitive field and
 * mutation names the role it needs with the `portfolioRole` scope (the matrix is in ./roles.ts).
 * Type-level scopes guard every Portfolio, PortfolioShare and Activity object however it is
 * reached; an Investment is handed out only by fields that authorize its portfolio (the list and
 * its guard test are in src/ledger/investment.schema.ts). Roles come from one per-request
 * dataloader, so a page of portfolios costs at most one role query (none for the caller's own:
 * their rows decide, ./roles.ts primeOwnRoles), and nested lists are loaded through the Prisma
 * plugin's selections or, for investments, one typed statement (src/ledger/investment-reads.ts):
 * constant statement count, whatever the page size. The ledger's fields (investments,
 * transactions, holdings, valuation, ...) are src/ledger's, added to PortfolioRef there.
 */
import '../auth/index.js';
import { UserRef } from '../auth/index.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import { notFound } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { CostBasisMethod } from '../generated/prisma/enums.js';
import { forgetPortfolioRole, ownerReachedThrough, primeOwnRoles, READ_ROLES, roleOf } from './roles.js';
import { actorOf, NEWEST_FIRST, OLDEST_FIRST, onPortfolio, viewerId } from './schema-helpers.js';
import { listedPortfoliosWhere } from './service.js';

export const PortfolioRoleEnum = builder.enumType('PortfolioRole', {
  description: "The caller's role on one portfolio.",
  values: ['OWNER', 'ADMIN', 'EDIT', 'VIEW', 'PUBLIC'] as const,
});

export const CostBasisMethodEnum = builder.enumType('CostBasisMethod', {
  description:
    'How a SELL picks the lots it closes: FIFO (oldest first), LIFO (newest first), HIFO (highest cost per share first) or AVERAGE (one pooled cost per symbol).',
  values: Object.values(CostBasisMethod),
});

export const PortfolioRef = builder.prismaObject('Portfolio', {
  authScopes: (portfolio) => onPortfolio(portfolio.id, 'PUBLIC'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    description: t.exposeString('description', { nullable: true }),
    isPublic: t.exposeBoolean('isPublic', { nullable: false }),
    baseCurrency: t.exposeString('baseCurrency', { nullable: false }),
    // A field of its own rather than t.relation: the owner object remembers the portfolio it
    // was reached through, which decides whether its account fields show (./roles.ts).
    owner: t.field({
      type: UserRef,
      nullable: false,
      select: { owner: true },
      resolve: (portfolio, _args, ctx) => ownerReachedThrough(ctx, portfolio.id, portfolio.owner),
    }),
    myRole: t.field({
      type: PortfolioRoleEnum,
      nullable: false,
      resolve: async (portfolio, _args, ctx) => {
        const role = await roleOf(ctx, portfolio.id);
        if (!role) throw notFound('Portfolio');
        return role;
      },
    }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { nullable: false, type: 'DateTime' }),
    shares: t.relation('shares', {
      nullable: false,
      description: 'Who else has access: collaborators (VIEW and up) only, never a public reader.',
      authScopes: (portfolio) => onPortfolio(portfolio.id, READ_ROLES.collaboration),
      query: { orderBy: OLDEST_FIRST },
    }),
    activity: t.relatedConnection(
      'activities',
      {
        description: 'The audit trail, newest first: collaborators (VIEW and up) only, never a public reader.',
        nullable: false,
        authScopes: (portfolio) => onPortfolio(portfolio.id, READ_ROLES.collaboration),
        cursor: 'id',
        totalCount: true,
        maxSize: checkedPageSize,
        query: { orderBy: NEWEST_FIRST },
      },
      { name: 'ActivityConnection' },
      { name: 'ActivityEdge' },
    ),
  }),
});

const PortfolioInputRef = builder.inputType('PortfolioInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    isPublic: t.boolean(),
    baseCurrency: t.string({ description: 'ISO 4217 code; USD when omitted.' }),
    costBasisMethod: t.field({ type: CostBasisMethodEnum, description: 'FIFO when omitted.' }),
  }),
});

const PortfolioPatchRef = builder.inputType('PortfolioPatch', {
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    isPublic: t.boolean({ description: 'Changing it needs ADMIN: it decides who can see the portfolio.' }),
    costBasisMethod: t.field({ type: CostBasisMethodEnum }),
  }),
});

builder.queryFields((t) => ({
  portfolios: t.prismaConnection(
    {
      type: 'Portfolio',
      nullable: false,
      description: "The caller's own portfolios and those shared with them, newest first (others' public portfolios are not listed).",
      authScopes: { authenticated: true },
      cursor: 'id',
      maxSize: checkedPageSize,
      totalCount: (_root, _args, ctx) => ctx.services.db.portfolio.count({ where: listedPortfoliosWhere(viewerId(ctx)) }),
      resolve: async (query, _root, _args, ctx) => {
        const rows = await ctx.services.db.portfolio.findMany({
          ...query,
          where: listedPortfoliosWhere(viewerId(ctx)),
          orderBy: NEWEST_FIRST,
        });
        primeOwnRoles(ctx, rows);
        return rows;
      },
    },
    { name: 'PortfolioConnection' },
    { name: 'PortfolioEdge' },
  ),

  portfolio: t.prismaField({
    type: 'Portfolio',
    nullable: true,
    description: 'A portfolio the caller may see; null for any other id, whether or not it exists.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    // A lookup, not a permission check: ids the caller has no role on are simply not there. The
    // row first: when the caller owns it, it decides their role (primeOwnRoles), else the access
    // service does; a row they have no role on is dropped unread.
    resolve: async (query, _root, { id }, ctx) => {
      if (!isUuid(id)) return null;
      const row = await ctx.services.db.portfolio.findUnique({ ...query, where: { id } });
      if (!row) return null;
      primeOwnRoles(ctx, [row]);
      return (await roleOf(ctx, id)) ? row : null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createPortfolio: t.field({
    type: PortfolioRef,
    nullable: false,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: PortfolioInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.portfolios.create(actorOf(ctx), input),
  }),

  updatePortfolio: t.field({
    type: PortfolioRef,
    nullable: false,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: PortfolioPatchRef, required: true }) },
    authScopes: (_root, { id, input }) => onPortfolio(id, input.isPublic != null ? 'ADMIN' : 'EDIT'),
    resolve: async (_root, { id, input }, ctx) => {
      const portfolio = await ctx.services.portfolios.update(actorOf(ctx), id, input);
      forgetPortfolioRole(ctx, id);
      return portfolio;
    },
  }),

  deletePortfolio: t.boolean({
    nullable: false,
    description: 'Deletes the portfolio with its investments, shares and activity trail.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, { id }) => onPortfolio(id, 'OWNER'),
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.portfolios.delete(actorOf(ctx), id);
      forgetPortfolioRole(ctx, id);
      return true;
    },
  }),
}));
