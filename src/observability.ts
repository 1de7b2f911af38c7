/**
 * Metrics and traces of one app: HTTP requests by route and status, GraphQL operations (bounded
 * operation names), root mutations, auth events, open sockets and subscriptions, provider
 * breaker states, whether Redis is reachable; and a span per HTTP request and GraphQL operation when tracing is on.
 * Wired by buildApp; the metrics themselves are declared in platform/metrics.ts.
 */
import { context, propagation, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { onSecurityEvent } from './auth/index.js';
import { reportError } from './platform/error-tracking.js';
import { AppError } from './platform/errors.js';
import { operationLabel } from './platform/operation-names.js';
import { redisAvailable } from './platform/redis.js';
import { endSpan, tracer, tracingEnabled } from './platform/tracing.js';
import type { AppServices } from './services.js';

const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;
const METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    traceSpan?: Span;
  }
}

export function instrumentApp(app: FastifyInstance, services: AppServices, schema: GraphQLSchema): void {
  const { metrics } = services;
  const tracing = tracingEnabled();

  // ------------------------------------------------------------------ HTTP
  if (tracing) {
    app.addHook('onRequest', (request, _reply, done) => {
      const parent = propagation.extract(context.active(), request.headers);
      const span = tracer().startSpan(
        `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'url.path': request.url.split('?')[0],
            'http.route': request.routeOptions.url ?? '',
          },
        },
        parent,
      );
      request.traceSpan = span;
      // The rest of the request (hooks, handler, resolvers, Prisma, Redis) runs inside this span.
      context.with(trace.setSpan(parent, span), done);
    });
  }
  app.addHook('onError', async (request, _reply, error) => {
    if (((error as { statusCode?: number }).statusCode ?? 500) >= 500)
      reportError(error, { requestId: request.id, route: request.routeOptions.url });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    metrics.httpRequests.inc({ route, method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route }, reply.elapsedTime / 1000);
    if (request.traceSpan) {
      request.traceSpan.setAttribute('http.response.status_code', reply.statusCode);
      endSpan(request.traceSpan, reply.statusCode >= 500 ? new Error(`HTTP ${reply.statusCode}`) : undefined);
    }
  });

  // ------------------------------------------------------------------ GraphQL
  const mutationFields = new Set(Object.keys(schema.getMutationType()?.getFields() ?? {}));
  type Observed = {
    operationLabels?: { operation: string; type: string };
    operationTimer?: () => void;
    operationSpan?: Span;
    mutationFields?: string[];
  };
  app.graphql.addHook('preExecution', async (_schema, document, ctx) => {
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const labels = { operation: operationLabel(operation?.name?.value), type: operation?.operation ?? 'query' };
    const observed = ctx as unknown as Observed;
    observed.operationLabels = labels;
    observed.operationTimer = metrics.graphqlDuration.startTimer(labels);
    if (operation?.operation === 'mutation') {
      observed.mutationFields = operation.selectionSet.selections.flatMap((s) =>
        s.kind === 'Field' && mutationFields.has(s.name.value) ? [s.name.value] : [],
      );
    }
    if (tracing) {
      observed.operationSpan = tracer().startSpan(`graphql.${labels.type} ${labels.operation}`, {
        attributes: { 'graphql.operation.type': labels.type, 'graphql.operation.name': labels.operation },
      });
    }
  });
  app.graphql.addHook('onResolution', async (execution, ctx) => {
    const observed = ctx as unknown as Observed;
    observed.operationTimer?.();
    const failed = Boolean(execution.errors?.length);
    if (observed.operationLabels) metrics.graphqlRequests.inc({ ...observed.operationLabels, outcome: failed ? 'error' : 'ok' });
    for (const field of observed.mutationFields ?? []) {
      const fieldFailed = execution.errors?.some((e) => e.path?.[0] === field) || execution.data?.[field] === undefined;
      metrics.mutations.inc({ field, outcome: fieldFailed ? 'error' : 'ok' });
    }
    // Our own refusals are AppErrors and validation errors have no original error; anything
    // else thrown by a resolver is a bug or an outage.
    for (const error of execution.errors ?? []) {
      const original = error.originalError;
      if (original && !(original instanceof AppError))
        reportError(original, { operation: observed.operationLabels?.operation, path: error.path?.join('.') });
    }
    if (observed.operationSpan) endSpan(observed.operationSpan, failed ? new Error(String(execution.errors?.[0]?.message)) : undefined);
  });

  // ------------------------------------------------------------------ auth, market
  const stopAuthEvents = onSecurityEvent((event) => metrics.authEvents.inc({ event: event.replace(/^auth\./, '') }));
  app.addHook('onClose', async () => stopAuthEvents());
  metrics.reportRedis(() => redisAvailable(services.redis));
  metrics.reportBreakers(() =>
    services.market.chain
      .status()
      .map(({ name, state }) => ({ provider: name, state: BREAKER_STATE[state as keyof typeof BREAKER_STATE] ?? 0 })),
  );
}
