/** Activity in GraphQL: one entry of a portfolio's audit trail (listed by Portfolio.activity). */
import { builder } from '../graphql/builder.js';
import { READ_ROLES } from './roles.js';
import { onPortfolio } from './schema-helpers.js';

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
