/**
 * Writes, as a named Fastify plugin over Mercurius' preExecution hook: a READ API token may not
 * make them (any mutation in the document counts: the hook does not see which operation the
 * request names), and a session is confirmed in PostgreSQL (reads trust the state cached in
 * Redis), so one revoked or deleted behind the cache's back (say, with its user) gets
 * UNAUTHENTICATED. Registered after the kernel's request checks (src/graphql/request-checks.ts).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Context, ViewerAuthority } from '../graphql/context.js';
import { operationFacts } from '../graphql/operation-facts.js';
import { forbidden } from '../platform/errors.js';
import { canMutate } from './api-tokens.js';

export const writeGuardPlugin = fp(
  async (app: FastifyInstance, { viewers }: { viewers: ViewerAuthority }) => {
    app.graphql.addHook('preExecution', async (_schema, document, context) => {
      const ctx = context as unknown as Context;
      if (!ctx.viewer || !operationFacts(document, context).hasMutation) return;
      if (!canMutate(ctx.viewer)) throw forbidden('This API token is READ only; mutations need a WRITE token');
      // Without PostgreSQL the mutation fails by itself; the check must not hide that error.
      if (await viewers.confirmedRevoked(ctx.viewer).catch(() => false)) ctx.viewer = null;
    });
  },
  { name: 'graphql-write-guard', dependencies: ['mercurius', 'graphql-limits', 'graphql-http-operation'], fastify: '5.x' },
);
