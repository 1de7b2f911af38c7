/**
 * buildApp(config): the one place that wires plugins and domains. The entry point (main.ts) and
 * every integration test build the app through here.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { NoSchemaIntrospectionCustomRule, type OperationDefinitionNode } from 'graphql';
import mercurius from 'mercurius';
import { SessionRevocations } from './auth/index.js';
import { AuthService } from './auth/index.js';
import { TokenSigner } from './auth/index.js';
import type { Config } from './config.js';
import type { Context } from './graphql/context.js';
import { formatGraphQLErrors } from './graphql/errors.js';
import { schema } from './schema.js';
import { restRoutes } from './rest.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { attachSubscriptionServer, type SubscriptionServerOptions } from './graphql/ws.js';
import { canMutate, resolveViewer, viewerAuthority } from './auth/index.js';
import { forbidden, rateLimited } from './platform/errors.js';
import { RequestBudget, rateLimitHeaders } from './platform/request-budget.js';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { loggerOptions } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import { PROJECT_ROOT } from './platform/paths.js';
import { channelsPlugin, dbPlugin, redisPlugin } from './platform/plugins.js';
import { httpRoutes } from './platform/routes.js';
import { LiveMarket, type LiveMarketOptions } from './market/index.js';
import { MarketService } from './market/index.js';
import type { MarketDataProvider } from './market/index.js';
import { PortfolioInvitations, PortfolioService } from './portfolios/index.js';
import { AnalyticsService } from './analytics/index.js';
import type { AppServices } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

export interface BuildOptions {
  /** Emit Prisma query events (tests count statements). */
  logQueries?: boolean;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: { write(line: string): void };
  /** WebSocket subscription server settings (tests shorten the timeouts). */
  subscriptions?: Partial<SubscriptionServerOptions>;
  /** Live quote relay and valuation stream settings (tests shorten the resync). */
  live?: Partial<LiveMarketOptions>;
  /** Market-data providers placed before the configured chain (tests count provider calls with one). */
  marketProviders?: MarketDataProvider[];
}

/**
 * The services as a plugin that depends on the connections, so Fastify closes them first:
 * auth's background work (queued emails) still needs the database and Redis.
 */
const servicesPlugin = fp(
  async (app: FastifyInstance, { services }: { services: AppServices }) => {
    app.decorate('services', services);
    app.addHook('onClose', async () => {
      await services.auth.close();
      await services.live.close();
      services.market.close();
    });
  },
  { name: 'services', dependencies: ['db', 'redis', 'channels'], fastify: '5.x' },
);

const VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: { ...loggerOptions(config.LOG_LEVEL, config.production), ...(options.logStream ? { stream: options.logStream } : {}) },
    // Honour a caller's X-Request-Id when it is sane, so logs join up across services.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Behind N load balancers, trust N hops of X-Forwarded-For (request.ip is then the client's).
    trustProxy: (_address: string, hop: number) => hop < config.TRUST_PROXY,
    bodyLimit: 5 * 1024 * 1024,
    forceCloseConnections: 'idle',
  });

  // Connections first; each closes itself after everything registered later (./platform/plugins.ts).
  await app.register(dbPlugin, { url: config.DATABASE_URL, logQueries: options.logQueries });
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'foliograph:api' });
  await app.register(channelsPlugin, { url: config.REDIS_URL, connectionName: 'foliograph:api:subscriber' });
  const { db, redis, channels } = app;
  const tokens = await TokenSigner.create(config);
  const revocations = new SessionRevocations(redis, config.REDIS_PREFIX);
  const metrics = createMetrics();
  const market = new MarketService({
    config,
    db,
    redis,
    registry: metrics.registry,
    logger: app.log,
    extraProviders: options.marketProviders,
  });
  const auth = new AuthService({ config, db, redis, logger: app.log, tokens, revocations });
  const portfolios = new PortfolioService(db, app.log);
  const invitations = new PortfolioInvitations({ db, config, outbox: auth.outbox, logger: app.log }, (actor, id, email, permission) =>
    portfolios.share(actor, id, email, permission),
  );
  // Registering with an invited address turns its invitations into shares.
  auth.afterRegister((user) => invitations.claimForNewAccount(user.id, user.email));
  const services: AppServices = {
    config,
    version: VERSION,
    logger: app.log,
    db,
    redis,
    channels,
    metrics,
    tokens,
    revocations,
    apiTokens: auth.apiTokens,
    viewers: viewerAuthority({ tokens, revocations, apiTokens: auth.apiTokens }),
    auth,
    portfolios,
    invitations,
    market,
    live: new LiveMarket({ db, redis, channels, market, prefix: config.REDIS_PREFIX, logger: app.log }, options.live),
    analytics: new AnalyticsService({ config, db, redis, market, registry: metrics.registry, logger: app.log }),
  };
  await app.register(servicesPlugin, { services });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The built-in instruments are market assets (search, history) from the first request on.
  await services.market.syncMarketAssets();

  // External plugins first (as in fastify's demo app), then our routes.
  await app.register(helmet, {
    // GraphiQL (development only) loads its bundle from a CDN; production keeps the strict CSP.
    contentSecurityPolicy: config.production ? undefined : false,
  });
  await app.register(cors, {
    origin: [config.APP_URL, ...config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)],
    credentials: true,
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({ error: 'Internal Server Error', requestId: request.id });
    }
    return reply.status(status).send({ error: error.message, requestId: request.id });
  });

  await app.register(httpRoutes, { services });

  // GraphQL over HTTP lets clients send `"extensions": null`; Mercurius' body schema wants an
  // object, so drop the null before validation rather than refuse the request.
  app.addHook('preValidation', async (request) => {
    const body = request.body as { extensions?: unknown } | undefined;
    if (request.method === 'POST' && body && typeof body === 'object' && body.extensions === null) delete body.extensions;
  });

  await app.register(mercurius, {
    schema,
    path: '/graphql',
    graphiql: !config.production,
    jit: 1,
    allowBatchedQueries: false,
    // A browser can send a "simple" cross-site request (text/plain, form posts, GET) without a
    // preflight; such requests must carry one of these headers, which Apollo and urql clients send.
    csrfPrevention: {
      requiredHeaders: ['apollo-require-preflight', 'x-apollo-operation-name', 'mercurius-require-preflight', 'x-mercurius-operation-name'],
    },
    validationRules: config.production ? [NoSchemaIntrospectionCustomRule] : [],
    context: async (request): Promise<Omit<Context, 'reply' | 'app'>> => {
      // Behind a proxy the address comes from X-Forwarded-For: keep it only if it is one.
      const ip = request.ip && isIP(request.ip) ? request.ip : null;
      return {
        services,
        requestId: request.id,
        ip,
        userAgent: request.headers['user-agent'] ?? null,
        viewer: await resolveViewer(services, request.headers.authorization, ip),
        cache: new Map(),
      };
    },
    errorFormatter: (execution, ctx) => formatGraphQLErrors(execution, ctx, app.log),
  });

  attachSubscriptionServer(app, services, schema, options.subscriptions);
  // The REST facade runs its documents through the GraphQL executor above (src/rest.ts); its
  // OpenAPI 3.1 description is generated from the routes (tagged ones only) by @fastify/swagger.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'foliograph REST API', version: VERSION, description: 'The seed endpoints over the GraphQL services: /api/v1 (pages), /api/v2 (cursors).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token or a personal API token (fg_…)' } } },
    },
    hideUntagged: true,
  });
  await app.register(restRoutes, { services });
  app.get('/api/openapi.json', () => app.swagger());
  // The docs page is served from the swagger-ui-dist files in node_modules (no CDN), outside production.
  if (!config.production) await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { url: '/api/openapi.json' } });

  // Request count and latency by operation name.
  type TimedContext = { operationLabels?: { operation: string; type: string }; operationTimer?: () => void };
  // The API-wide budget: every operation costs its complexity, per user (per IP when anonymous).
  const budget = new RequestBudget(redis, config.REDIS_PREFIX, config.RATE_LIMIT_COST_PER_MINUTE);
  app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
    const ctx = context as unknown as Context & { reply: FastifyReply };
    if (budget.enabled) {
      const subject = ctx.viewer ? `user:${ctx.viewer.userId}` : `ip:${ctx.ip ?? 'unknown'}`;
      const cost = complexityFromQuery(document, { schema, ctx, variables: variables as Record<string, unknown> | undefined }).complexity;
      // Redis unreachable: serve rather than refuse (the budget protects; it must not take the API down).
      const decision = await budget.charge(subject, cost).catch((err: unknown) => {
        app.log.warn({ err }, 'request budget unavailable; not charged');
        return null;
      });
      if (decision) ctx.reply.headers(rateLimitHeaders(decision));
      if (decision && !decision.allowed) {
        throw rateLimited(decision.resetSeconds, 'Request budget used up; try again later');
      }
    }
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    // A READ API token runs queries and subscriptions only (any mutation in the document counts:
    // the hook does not see which operation the request names).
    const hasMutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
    if (hasMutation && !canMutate((context as unknown as Context).viewer)) {
      throw forbidden('This API token is READ only; mutations need a WRITE token');
    }
    const labels = { operation: operation?.name?.value ?? 'anonymous', type: operation?.operation ?? 'query' };
    const timed = context as unknown as TimedContext;
    timed.operationLabels = labels;
    timed.operationTimer = services.metrics.graphqlDuration.startTimer(labels);
  });
  app.graphql.addHook('onResolution', async (execution, context) => {
    const timed = context as unknown as TimedContext;
    timed.operationTimer?.();
    if (timed.operationLabels) {
      services.metrics.graphqlRequests.inc({ ...timed.operationLabels, outcome: execution.errors?.length ? 'error' : 'ok' });
    }
  });

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
