/**
 * What portfolios' *.schema.ts files share: who is asking, the portfolioRole scope map and the
 * orderings of lists.
 */
import { requireViewer } from '../auth/index.js';
import type { Context } from '../graphql/context.js';
import type { Actor } from './activity.js';
import type { PortfolioRole, PortfolioRoleRequirement } from './roles.js';

export const viewerId = (ctx: Context): string => requireViewer(ctx).userId;

export function actorOf(ctx: Context): Actor {
  return { userId: viewerId(ctx), ip: ctx.ip, userAgent: ctx.userAgent };
}

/** The scope map for "at least `atLeast` on this portfolio". */
export function onPortfolio(portfolioId: string, atLeast: PortfolioRole): { portfolioRole: PortfolioRoleRequirement } {
  return { portfolioRole: { portfolioId, atLeast } };
}

/** Newest first (ties broken by id, so pages never overlap). */
export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
/** In the order they were added. */
export const OLDEST_FIRST = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
