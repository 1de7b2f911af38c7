/**
 * GET /reports/:id: the report's PDF, with the same access rule as the portfolio's reports
 * (Authorization: Bearer, VIEW and up). Anonymous: 401; no such report or no access: 404 (as
 * for a portfolio one cannot see, nobody learns it exists).
 */
import { isoDateOf } from '../platform/dates.js';
import type { FastifyInstance } from 'fastify';
import { resolveViewer } from '../auth/index.js';
import type { Context } from '../graphql/context.js';
import { roleAtLeast, roleOf } from '../portfolios/index.js';
import { budgetSubject, rateLimitHeaders, type RequestBudget } from '../platform/request-budget.js';

/** What a download costs of the request budget: a stored PDF read and sent (a few hundred KB). */
export const REPORT_DOWNLOAD_COST = 50;

export async function reportRoutes(
  app: FastifyInstance,
  { services, budget }: { services: Context['services']; budget: RequestBudget },
): Promise<void> {
  app.get<{ Params: { id: string } }>('/reports/:id', async (request, reply) => {
    const viewer = await resolveViewer(services, request.headers.authorization);
    if (!viewer)
      return reply.status(401).header('www-authenticate', 'Bearer').send({ error: 'Sign in to do this', code: 'UNAUTHENTICATED' });
    if (budget.enabled) {
      // Redis failing is not the caller's fault: not charged then.
      const decision = await budget.charge(budgetSubject(viewer, null), REPORT_DOWNLOAD_COST).catch(() => null);
      if (decision) reply.headers(rateLimitHeaders(decision));
      if (decision && !decision.allowed) {
        return reply
          .status(429)
          .send({ error: 'Request budget used up; try again later', code: 'RATE_LIMITED', retryAfter: decision.resetSeconds });
      }
    }
    const file = await services.reports.store.get(request.params.id);
    const ctx = { services, viewer, cache: new Map(), requestId: request.id, ip: null, userAgent: null } satisfies Context;
    const role = file ? await roleOf(ctx, file.meta.portfolioId) : null;
    if (!file || !role || !roleAtLeast(role, 'VIEW')) return reply.status(404).send({ error: 'Report not found', code: 'NOT_FOUND' });
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="foliograph-${file.meta.kind.toLowerCase()}-${isoDateOf(file.meta.toDate)}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(file.content);
  });
}
