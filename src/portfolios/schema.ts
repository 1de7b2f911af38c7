/**
 * Portfolios in GraphQL: the Portfolio, Investment, PortfolioShare, Activity and Asset types,
 * their queries and mutations, and portfolio files (export / import).
 *
 * Authorization is declared, never coded in resolvers: every portfolio type, sensitive field and
 * mutation names the role it needs with the `portfolioRole` scope (the matrix is in ./roles.ts).
 * Type-level scopes guard every Portfolio, Investment, PortfolioShare and Activity object however
 * it is reached. Roles come from one per-request dataloader, so a page of portfolios costs one
 * role query, and nested lists are loaded through the Prisma plugin's selections (constant
 * statement count, whatever the page size).
 */
import '../auth/index.js';
import { requireViewer } from '../auth/index.js';
import { UserRef } from '../auth/index.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import type { Context } from '../graphql/context.js';
import { AssetTypeEnum, PermissionEnum } from '../graphql/enums.js';
import { notFound } from '../platform/errors.js';
import type { Permission } from '../generated/prisma/enums.js';
import type { Actor } from './activity.js';
import { investmentConnection } from './investment-reads.js';
import { FILE_FORMATS, type ImportOutcome, type ImportProblem, type PortfolioFile } from './import-export.js';
import {
  forgetPortfolioRole,
  ownerReachedThrough,
  READ_ROLES,
  roleOf,
  roleToManageShare,
  type PortfolioRole,
  type PortfolioRoleRequirement,
} from './roles.js';
import { CostBasisMethodEnum } from './ledger-enums.js';
import { listedPortfoliosWhere } from './service.js';
import { exactProduct } from './validation.js';

const viewerId = (ctx: Context): string => requireViewer(ctx).userId;

function actorOf(ctx: Context): Actor {
  return { userId: viewerId(ctx), ip: ctx.ip, userAgent: ctx.userAgent };
}

/** The scope map for "at least `atLeast` on this portfolio". */
function onPortfolio(portfolioId: string, atLeast: PortfolioRole): { portfolioRole: PortfolioRoleRequirement } {
  return { portfolioRole: { portfolioId, atLeast } };
}

/** Newest first (ties broken by id, so pages never overlap). */
const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
/** In the order they were added. */
const OLDEST_FIRST = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

// ---------------------------------------------------------------------------------- types

export const PortfolioRoleEnum = builder.enumType('PortfolioRole', {
  description: "The caller's role on one portfolio.",
  values: ['OWNER', 'ADMIN', 'EDIT', 'VIEW', 'PUBLIC'] as const,
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
    // One typed SQL statement for every page a request reaches (./investment-reads.ts says why).
    investments: t.connection(
      { type: InvestmentRef, nullable: false, resolve: (portfolio, args, ctx) => investmentConnection(ctx, portfolio, args) },
      { name: 'InvestmentConnection', fields: (c) => ({ totalCount: c.exposeInt('totalCount', { nullable: false }) }) },
      { name: 'InvestmentEdge' },
    ),
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

export const InvestmentRef = builder.prismaObject('Investment', {
  authScopes: (investment) => onPortfolio(investment.portfolioId, 'PUBLIC'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    portfolio: t.relation('portfolio', { nullable: false }),
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { nullable: false, type: AssetTypeEnum }),
    quantity: t.expose('quantity', { nullable: false, type: 'Decimal' }),
    purchasePrice: t.expose('purchasePrice', { nullable: false, type: 'Decimal' }),
    purchaseDate: t.expose('purchaseDate', { nullable: false, type: 'Date' }),
    sector: t.exposeString('sector', { nullable: true }),
    notes: t.exposeString('notes', {
      nullable: true,
      description: 'Null for a public reader: notes are for the people the portfolio is shared with.',
      authScopes: (investment) => onPortfolio(investment.portfolioId, READ_ROLES.investmentNotes),
      unauthorizedResolver: () => null,
    }),
    costBasis: t.field({
      type: 'Decimal',
      nullable: false,
      description: 'quantity × purchasePrice, exactly.',
      resolve: (investment) => exactProduct(investment.quantity, investment.purchasePrice),
    }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { nullable: false, type: 'DateTime' }),
  }),
});

export const PortfolioShareRef = builder.prismaObject('PortfolioShare', {
  authScopes: (share) => onPortfolio(share.portfolioId, 'VIEW'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    user: t.relation('user', { nullable: false }),
    permission: t.expose('permission', { nullable: false, type: PermissionEnum }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
  }),
});

/** Personal data in the trail: shown to those who manage access (ADMIN, OWNER), null for others. */
const managersOnly = {
  nullable: true,
  authScopes: (activity: { portfolioId: string }) => onPortfolio(activity.portfolioId, READ_ROLES.activityClientDetails),
  unauthorizedResolver: () => null,
} as const;

export const ActivityRef = builder.prismaObject('PortfolioActivity', {
  name: 'Activity',
  authScopes: (activity) => onPortfolio(activity.portfolioId, 'VIEW'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    action: t.exposeString('action', {
      nullable: false,
      description:
        'PORTFOLIO_CREATED, PORTFOLIO_UPDATED, PORTFOLIO_IMPORTED, INVESTMENT_ADDED, INVESTMENT_UPDATED, INVESTMENT_REMOVED, PORTFOLIO_SHARED or PORTFOLIO_UNSHARED.',
    }),
    actor: t.relation('user', { nullable: true, description: 'Who did it; null once that account is deleted.' }),
    details: t.string({
      nullable: true,
      description: 'What changed, as a JSON text (usually { before, after }).',
      resolve: (activity) => (activity.details === null ? null : JSON.stringify(activity.details)),
    }),
    ipAddress: t.exposeString('ipAddress', managersOnly),
    userAgent: t.exposeString('userAgent', managersOnly),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
  }),
});

/**
 * An asset of the symbol master. Only createCustomAsset returns one, to the user who created it
 * (custom assets are private to their creator).
 */
export const AssetRef = builder.prismaObject('Asset', {
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { nullable: false, type: AssetTypeEnum }),
    currency: t.exposeString('currency', { nullable: false }),
    sector: t.exposeString('sector', { nullable: true }),
  }),
});

const FileFormatEnum = builder.enumType('PortfolioFileFormat', {
  description: 'Portfolio file formats (docs/import-export.md).',
  values: FILE_FORMATS,
});

const PortfolioFileRef = builder.objectRef<PortfolioFile & { format: (typeof FILE_FORMATS)[number] }>('PortfolioFile').implement({
  description: 'An exported portfolio: the file to offer for download.',
  fields: (t) => ({
    format: t.expose('format', { nullable: false, type: FileFormatEnum }),
    filename: t.exposeString('filename', { nullable: false }),
    contentType: t.exposeString('contentType', { nullable: false }),
    data: t.exposeString('data', { nullable: false, description: 'The file itself (UTF-8 text).' }),
  }),
});

const ImportProblemRef = builder.objectRef<ImportProblem>('ImportProblem').implement({
  fields: (t) => ({
    row: t.exposeInt('row', {
      nullable: true,
      description:
        "CSV: the line the row starts on (the header is line 1). JSON: the investment's 1-based position in `investments`. Null for problems of the file as a whole, the portfolio or custom assets.",
    }),
    field: t.exposeString('field', { nullable: false }),
    message: t.exposeString('message', { nullable: false }),
  }),
});

const PortfolioImportRef = builder.objectRef<ImportOutcome>('PortfolioImport').implement({
  description: 'What an import created (or, in a dry run, would create), and every problem found.',
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', { nullable: false }),
    valid: t.exposeBoolean('valid', { nullable: false, description: 'True when the file has no problems.' }),
    portfolio: t.field({
      type: PortfolioRef,
      nullable: true,
      description: 'The new portfolio; null for a dry run.',
      resolve: (o) => o.portfolio,
    }),
    name: t.exposeString('name', { nullable: false, description: "The new portfolio's name." }),
    investmentCount: t.exposeInt('investmentCount', { nullable: false }),
    customAssetsCreated: t.exposeStringList('customAssetsCreated', { nullable: false }),
    customAssetsReused: t.exposeStringList('customAssetsReused', {
      nullable: false,
      description: 'Custom assets in the file the caller already has: theirs is used, the file’s definition and prices are not.',
    }),
    priceCount: t.exposeInt('priceCount', { nullable: false, description: 'Prices stored for the custom assets created.' }),
    problems: t.field({ type: [ImportProblemRef], nullable: false, resolve: (o) => o.problems }),
  }),
});

// ---------------------------------------------------------------------------------- inputs

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

const InvestmentInputRef = builder.inputType('InvestmentInput', {
  fields: (t) => ({
    symbol: t.string({ required: true, description: "A market symbol or one of the portfolio owner's custom assets." }),
    name: t.string({ description: "The asset's name when omitted." }),
    type: t.field({ type: AssetTypeEnum, description: "The asset's type when omitted." }),
    quantity: t.field({ type: 'Decimal', required: true }),
    purchasePrice: t.field({ type: 'Decimal', required: true }),
    purchaseDate: t.field({ type: 'Date', required: true }),
    sector: t.string({ description: "The asset's sector when omitted." }),
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

const CustomAssetInputRef = builder.inputType('CustomAssetInput', {
  fields: (t) => ({
    symbol: t.string({ required: true }),
    name: t.string({ required: true }),
    type: t.field({ type: AssetTypeEnum, required: true }),
    currency: t.string({ required: true }),
    sector: t.string(),
  }),
});

const PricePointInputRef = builder.inputType('PricePointInput', {
  fields: (t) => ({
    date: t.field({ type: 'Date', required: true }),
    close: t.field({ type: 'Decimal', required: true }),
  }),
});

const ImportPortfolioInputRef = builder.inputType('ImportPortfolioInput', {
  fields: (t) => ({
    format: t.field({ type: FileFormatEnum, required: true }),
    data: t.string({ required: true, description: 'The file (at most 4 MiB, 5,000 investments).' }),
    name: t.string({ description: 'The new portfolio\'s name; else the file\'s, else "Imported portfolio".' }),
    dryRun: t.boolean({ defaultValue: false, description: 'Check only: report what would be created, write nothing.' }),
  }),
});

// ---------------------------------------------------------------------------------- queries

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
      resolve: (query, _root, _args, ctx) =>
        ctx.services.db.portfolio.findMany({ ...query, where: listedPortfoliosWhere(viewerId(ctx)), orderBy: NEWEST_FIRST }),
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
    // A lookup, not a permission check: ids the caller has no role on are simply not there.
    resolve: async (query, _root, { id }, ctx) =>
      (await roleOf(ctx, id)) ? ctx.services.db.portfolio.findUnique({ ...query, where: { id } }) : null,
  }),

  exportPortfolio: t.field({
    type: PortfolioFileRef,
    nullable: false,
    description: 'The portfolio as a file: JSON (with the custom assets it holds and their prices) or CSV (investments).',
    args: { id: t.arg.id({ required: true }), format: t.arg({ type: FileFormatEnum, required: true }) },
    authScopes: (_root, { id }) => onPortfolio(id, READ_ROLES.collaboration),
    resolve: async (_root, { id, format }, ctx) => ({ format, ...(await ctx.services.portfolios.exportFile(id, format)) }),
  }),
}));

// ---------------------------------------------------------------------------------- mutations

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

  addInvestment: t.field({
    type: InvestmentRef,
    nullable: false,
    args: { portfolioId: t.arg.id({ required: true }), input: t.arg({ type: InvestmentInputRef, required: true }) },
    authScopes: (_root, { portfolioId }) => onPortfolio(portfolioId, 'EDIT'),
    resolve: (_root, { portfolioId, input }, ctx) => ctx.services.portfolios.addInvestment(actorOf(ctx), portfolioId, input),
  }),

  updateInvestment: t.field({
    type: InvestmentRef,
    nullable: false,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: InvestmentPatchRef, required: true }) },
    authScopes: (_root, { id }) => ({ portfolioRole: { investmentId: id, atLeast: 'EDIT' } }),
    resolve: (_root, { id, input }, ctx) => ctx.services.portfolios.updateInvestment(actorOf(ctx), id, input),
  }),

  removeInvestment: t.boolean({
    nullable: false,
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, { id }) => ({ portfolioRole: { investmentId: id, atLeast: 'EDIT' } }),
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.portfolios.removeInvestment(actorOf(ctx), id);
      return true;
    },
  }),

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

  createCustomAsset: t.field({
    type: AssetRef,
    nullable: false,
    description: "An asset of the caller's own (a house, a private fund) with prices the caller sets.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CustomAssetInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.portfolios.createCustomAsset(viewerId(ctx), input),
  }),

  setCustomAssetPrices: t.int({
    nullable: false,
    description:
      "Stores daily closes of one of the caller's custom assets (replacing those of the same dates); returns how many were stored.",
    authScopes: { authenticated: true },
    args: { symbol: t.arg.string({ required: true }), prices: t.arg({ type: [PricePointInputRef], required: true }) },
    resolve: (_root, { symbol, prices }, ctx) => ctx.services.portfolios.setCustomAssetPrices(viewerId(ctx), symbol, prices),
  }),

  importPortfolio: t.field({
    type: PortfolioImportRef,
    nullable: false,
    description:
      "Creates a portfolio of the caller's from a file, all or nothing; with dryRun, only checks it. A real run with problems fails with BAD_USER_INPUT listing them all (details carry the row).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ImportPortfolioInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.portfolios.importFile(actorOf(ctx), input),
  }),
}));
