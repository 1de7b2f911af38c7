/**
 * The checks every GraphQL request passes before a resolver runs, as named Fastify plugins
 * (fastify-plugin, as fastify/demo does) registered after Mercurius. Mercurius runs hooks of one
 * kind in registration order, and each plugin's `dependencies` require the earlier ones, so the
 * order is: document limits and request text, then what HTTP may run, then (auth's write guard
 * and) the request budget. The hooks that read the document's operations share one pass over
 * its definitions (./operation-facts.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { rateLimited } from '../platform/errors.js';
import { budgetSubject, rateLimitHeaders, type RequestBudget } from '../platform/request-budget.js';
import type { Context } from './context.js';
import { checkComplexity, checkDocumentLimits, checkSourceLimits, requestComplexity, type DocumentLimits } from './limits.js';
import { complexityOperationName } from './operation-facts.js';
import { checkRequestText } from './request-text.js';
import { checkHttpOperation } from './transport.js';

/**
 * Document limits and request text (./limits.ts explains the three steps). Registered before the
 * other checks: a refused document costs nothing more.
 */
export const graphqlLimitsPlugin = fp(
  async (app: FastifyInstance, { limits }: { limits: DocumentLimits }) => {
    app.graphql.addHook('preParsing', async (_schema, source) => {
      checkSourceLimits(source, limits);
    });
    app.graphql.addHook('preValidation', async (_schema, document) => {
      checkDocumentLimits(document, limits);
    });
    app.graphql.addHook('preExecution', async (executableSchema, document, context, variables) => {
      checkComplexity(executableSchema, document, variables, complexityOperationName(context), context, limits);
      checkRequestText(document, variables);
    });
  },
  { name: 'graphql-limits', dependencies: ['mercurius'], fastify: '5.x' },
);

/**
 * What a document may not do over HTTP (subscriptions, mutations over GET, no operation to run).
 * Checked at preValidation and again at preExecution: Mercurius skips validation (and its hook)
 * for a document it has validated before.
 */
export const graphqlHttpOperationPlugin = fp(
  async (app: FastifyInstance) => {
    app.graphql.addHook('preValidation', async (_schema, document, context) => {
      checkHttpOperation(document, context);
    });
    app.graphql.addHook('preExecution', async (_schema, document, context) => {
      checkHttpOperation(document, context);
    });
  },
  { name: 'graphql-http-operation', dependencies: ['mercurius', 'graphql-limits'], fastify: '5.x' },
);

/**
 * The API-wide budget: every operation costs its complexity, per user (per IP when anonymous). A
 * REST route charges its fixed cost itself (ctx.budgetCharged). Registered last: a request
 * refused by an earlier check is not charged.
 */
export const requestBudgetPlugin = fp(
  async (app: FastifyInstance, { budget }: { budget: RequestBudget }) => {
    app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
      const ctx = context as unknown as Context & { reply: FastifyReply };
      if (budget.enabled && !ctx.budgetCharged) {
        const subject = budgetSubject(ctx.viewer, ctx.ip);
        const cost = requestComplexity(schema, document, variables as Record<string, unknown> | undefined, ctx);
        // A Redis outage is counted per process inside the budget; anything else unexpected serves
        // rather than refuses (the budget protects the API; it must not take it down).
        const decision = await budget.charge(subject, cost).catch((err: unknown) => {
          app.log.warn({ err }, 'request budget unavailable; not charged');
          return null;
        });
        if (decision) ctx.reply.headers(rateLimitHeaders(decision));
        if (decision && !decision.allowed) {
          throw rateLimited(decision.resetSeconds, 'Request budget used up; try again later');
        }
      }
    });
  },
  { name: 'graphql-request-budget', dependencies: ['mercurius', 'graphql-limits', 'graphql-http-operation'], fastify: '5.x' },
);
