/**
 * buildApp(config): the one place that wires plugins and domains. The entry point (main.ts) and
 * every integration test build the app through here.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import mercurius from 'mercurius';
import { SessionRevocations } from './auth/index.js';
import { AuthService } from './auth/index.js';
import { TokenSigner } from './auth/index.js';
import type { Config } from './config.js';
import type { Context } from './graphql/context.js';
import { formatGraphQLErrors } from './graphql/errors.js';
import { schema } from './schema.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { graphiqlRoutes } from './graphql/graphiql.js';
import { loadTrustedManifest, markCaller, redisPersistedQueries, trustedDocuments } from './graphql/persisted.js';
import { Idempotency } from './platform/idempotency.js';
import {
  GRAPHQL_METHODS,
  httpViewer,
  installGraphQLIdempotency,
  installGraphQLTransport,
  installHttpAuthentication,
  methodNotAllowed,
  transportErrorFormatter,
} from './graphql/transport.js';
import { documentLimits } from './graphql/limits.js';
import { graphqlHttpOperationPlugin, graphqlLimitsPlugin, requestBudgetPlugin } from './graphql/request-checks.js';
import { restRoutes, sendRestError } from './rest/index.js';
import { attachSubscriptionServer, type SubscriptionServerOptions } from './graphql/ws.js';
import { viewerAuthority, writeGuardPlugin } from './auth/index.js';
import { RequestBudget } from './platform/request-budget.js';
import { loggerOptions } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import { APP_VERSION, PROJECT_ROOT } from './platform/paths.js';
import { channelsPlugin, dbPlugin, redisPlugin } from './platform/plugins.js';
import { httpRoutes, type Lifecycle } from './platform/routes.js';
import { boundedJsonBodies } from './platform/json-body.js';
import { LiveMarket, type LiveMarketOptions, MarketService, type MarketDataProvider } from './market/index.js';
import { AccessChanges, PortfolioAccess, PortfolioChangeFeed, PortfolioService, PortfolioInvitations } from './portfolios/index.js';
import { LedgerService, LiveValuations, PortfolioValuations, heldSymbolsExcept, type LiveValuationOptions } from './ledger/index.js';
import { AnalyticsService } from './analytics/index.js';
import { instrumentApp } from './observability.js';
import { AlertService, alertRoutes } from './alerts/index.js';
import { PostgresReportStore, ReportService, reportRoutes } from './reports/index.js';
import { QueueOps, registerQueueDashboard } from './jobs/index.js';
import { createFxSources, FxRates, SharedFxStore } from './market/index.js';
import type { AppServices } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
    /** Set draining on SIGTERM (src/main.ts). */
    lifecycle: Lifecycle;
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
  live?: Partial<LiveMarketOptions & LiveValuationOptions>;
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
      await services.accessChanges.close();
      await services.live.close();
      services.market.close();
      await services.analytics.close();
    });
  },
  { name: 'services', dependencies: ['db', 'redis', 'channels'], fastify: '5.x' },
);

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: options.logStream
      ? { ...loggerOptions(config.LOG_LEVEL, config.production), stream: options.logStream }
      : loggerOptions(config.LOG_LEVEL, config.production, config.LOG_FORMAT),
    // One key for the request id in every line (the REST envelope and GraphQL errors call it requestId too).
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Honour a caller's X-Request-Id when it is sane, so logs join up across services.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Behind N load balancers, trust N hops of X-Forwarded-For (request.ip is then the client's).
    trustProxy: (_address: string, hop: number) => hop < config.TRUST_PROXY,
    bodyLimit: 5 * 1024 * 1024,
    forceCloseConnections: 'idle',
    // Slow and half-open connections are closed (408, then the socket) instead of kept forever:
    // headers must be in within HTTP_HEADERS_TIMEOUT_MS (a connection that sends nothing
    // included), the whole request within HTTP_REQUEST_TIMEOUT_MS; Node checks both every
    // connectionsCheckingInterval. No idle timeout on sockets: it would cut a response that
    // takes long to compute (a queued simulation), since nothing moves on its socket meanwhile.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(5_000, config.HTTP_HEADERS_TIMEOUT_MS),
    },
  });
  // Before anything reads a body: JSON nested too deep is refused before it is parsed.
  boundedJsonBodies(app, config.JSON_MAX_DEPTH);

  // Probes and scrapes arrive every few seconds: their request lines would drown the rest, so
  // they log at warn and above only.
  app.addHook('onRoute', (route) => {
    if (QUIET_ROUTES.has(route.url)) route.logLevel = 'warn';
  });

  const limits = documentLimits(config);
  // Connections first; each closes itself after everything registered later (./platform/plugins.ts).
  await app.register(dbPlugin, { url: config.DATABASE_URL, logQueries: options.logQueries, poolSize: config.DATABASE_POOL_SIZE });
  await app.register(redisPlugin, {
    url: config.REDIS_URL,
    connectionName: 'foliograph:api',
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  await app.register(channelsPlugin, { url: config.REDIS_URL, connectionName: 'foliograph:api:subscriber' });
  const { db, redis, channels } = app;
  const tokens = await TokenSigner.create(config);
  const revocations = new SessionRevocations(redis, db, config.REDIS_PREFIX, config.SESSION_LIVE_CACHE_SECONDS, app.log);
  const metrics = createMetrics();
  const fx = new FxRates(
    undefined,
    createFxSources(config.FX_PROVIDERS),
    (source, error) =>
      app.log.warn({ source, err: error instanceof Error ? error.message : String(error) }, 'fx: source failed; using the next'),
    new SharedFxStore({ redis, db, prefix: config.REDIS_PREFIX, logger: app.log }),
  );
  const market = new MarketService({
    fx,
    config,
    db,
    redis,
    registry: metrics.registry,
    logger: app.log,
    extraProviders: options.marketProviders,
    // Who holds what is the ledger's to say (market is below it).
    heldSymbols: (except) => heldSymbolsExcept(db, except),
  });
  const auth = new AuthService({ config, db, redis, logger: app.log, tokens, revocations });
  // The one path of access changes: portfolios announce them, streams follow them, alerts end with them.
  const accessChanges = new AccessChanges({ redis, channels, prefix: config.REDIS_PREFIX, logger: app.log });
  const portfolios = new PortfolioService(db, app.log, { redis, config, accessChanges });
  const portfolioChanges = new PortfolioChangeFeed({ db, databaseUrl: config.DATABASE_URL, accessChanges, logger: app.log });
  app.addHook('onClose', () => portfolioChanges.close());
  // Deleting an account ends the access it had and gave, in its transaction.
  auth.onAccountDeletion((tx, userId) => portfolios.accountDeletion(tx, userId));
  const invitations = new PortfolioInvitations(
    { db, config, outbox: auth.outbox, logger: app.log },
    {
      count: (userId) => portfolios.countShareAttempt(userId),
      share: (actor, id, email, permission) => portfolios.share(actor, id, email, permission, { limitCounted: true }),
    },
  );
  // Proving an invited address (not merely registering it) turns its invitations into shares.
  auth.afterEmailVerified((user) => invitations.claimForVerifiedAddress(user.id, user.email));
  const ledger = new LedgerService(db, fx, {
    cacheTransactions: config.LEDGER_CACHE_TRANSACTIONS,
    maxTransactionsPerAccount: config.MAX_TRANSACTIONS_PER_ACCOUNT,
  });
  // Valuations (queries and subscriptions) value the ledger's open lots, in base currency.
  const valuations = new PortfolioValuations({ db, market, ledgerHoldings: (portfolioId) => ledger.valuationHoldings(portfolioId) });
  const live = new LiveMarket({ redis, channels, market, prefix: config.REDIS_PREFIX, logger: app.log }, options.live);
  // The API-wide request budget: GraphQL's hook (below) and the REST facade charge it, and so do
  // heavy analytics for their CPU (src/analytics/compute.ts).
  const budget = new RequestBudget(redis, config.REDIS_PREFIX, config.RATE_LIMIT_COST_PER_MINUTE);
  const analytics = new AnalyticsService({
    config,
    db,
    redis,
    market,
    valuations,
    fx,
    registry: metrics.registry,
    logger: app.log,
    budget,
  });
  const alerts = new AlertService({ config, db, redis, market });
  accessChanges.onLoss(alerts.accessLossHook);
  const services: AppServices = {
    config,
    version: APP_VERSION,
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
    portfolioAccess: new PortfolioAccess(db),
    portfolioChanges,
    invitations,
    ledger,
    fx,
    market,
    valuations,
    live,
    accessChanges,
    liveValuations: new LiveValuations(
      { accessChanges, relay: live.relay, market, valuations, prefix: config.REDIS_PREFIX, logger: app.log },
      options.live,
    ),
    analytics,
    alerts,
    reports: new ReportService({
      db,
      market,
      valuations,
      analytics,
      ledger,
      taxLotMinLoss: config.TAX_LOT_MIN_LOSS,
      store: new PostgresReportStore(db),
    }),
  };
  // Past days of Performance and risk read the daily snapshots where they are stored.
  analytics.useStoredValues((portfolioId, range) => services.reports.storedValues(portfolioId, range));
  await app.register(servicesPlugin, { services });
  // Queue depths for /metrics and the operators' dashboard; its own connections.
  const queueOps = new QueueOps(config, metrics.registry);
  app.addHook('onClose', () => queueOps.close());
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The built-in instruments are market assets (search, history) from the first request on.
  await services.market.syncMarketAssets();

  // External plugins first (as in fastify's demo app), then our routes.
  await app.register(helmet, {
    // GraphiQL (development only, served from our own packages) sets inline styles; production keeps the strict CSP.
    contentSecurityPolicy: config.production ? undefined : false,
  });
  const allowedOrigins = new Set([
    new URL(config.APP_URL).origin,
    ...config.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]);
  // Outside production an SPA dev server on any local port may call the API.
  const localOrigin = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;
  await app.register(cors, {
    origin: (origin, callback) => {
      callback(null, !origin || allowedOrigins.has(origin) || (!config.production && localOrigin.test(origin)));
    },
    credentials: true,
    // What a browser app may read of an answer (everything else is hidden from its JavaScript).
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'deprecation',
      'sunset',
      'idempotent-replayed',
      'www-authenticate',
    ],
    maxAge: 600,
  });

  // Routes other than /graphql (Mercurius has its own handler there) answer failures in the same
  // GraphQL-shaped body, so a client reads every error the same way.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: request.id } }],
      });
    }
    request.log.info({ statusCode: status, reason: error.message }, 'request refused');
    return reply.status(status).send({
      errors: [
        {
          message: error.message,
          extensions: { code: 'BAD_USER_INPUT', requestId: request.id, details: [{ field: 'request', message: error.message }] },
        },
      ],
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    // PUT, PATCH, DELETE … on /graphql: a method the endpoint does not take, not a missing route.
    if (path === '/graphql') {
      const refusal = methodNotAllowed();
      return reply
        .status(405)
        .header('allow', GRAPHQL_METHODS)
        .send({
          errors: [
            {
              message: refusal.message,
              extensions: { code: refusal.code, requestId: request.id, details: [{ field: 'method', message: refusal.message }] },
            },
          ],
        });
    }
    // Under /api, REST's own error envelope (src/rest/envelope.ts); elsewhere the GraphQL shape.
    if (request.url.startsWith('/api/')) {
      return sendRestError(request, reply, { code: 'NOT_FOUND', message: `No route ${request.method} ${path}` });
    }
    return reply.status(404).send({
      errors: [{ message: `No route ${request.method} ${path}`, extensions: { code: 'NOT_FOUND', requestId: request.id } }],
    });
  });

  // SIGTERM drains (src/main.ts): /ready says 503 and connections are not kept alive, while
  // requests are still served, until the balancer has taken the instance out.
  const lifecycle: Lifecycle = { draining: false };
  app.decorate('lifecycle', lifecycle);
  app.addHook('onSend', async (_request, reply, payload) => {
    if (lifecycle.draining) reply.header('connection', 'close');
    return payload;
  });
  // Idempotency-Key on mutations (GraphQL and REST): its answer-keeping hook reaches every route.
  const idempotency = new Idempotency(redis, config.REDIS_PREFIX, (err) =>
    app.log.warn({ err }, 'idempotency: Redis unavailable; key ignored'),
  );
  idempotency.install(app);
  await app.register(httpRoutes, { services, lifecycle });
  if (!config.production) await app.register(graphiqlRoutes);
  installGraphQLTransport(app, '/graphql');
  installHttpAuthentication(app, '/graphql', services.viewers, (request) => (request.ip && isIP(request.ip) ? request.ip : null));
  installGraphQLIdempotency(app, '/graphql', idempotency);
  await app.register(alertRoutes, { services });
  await app.register(reportRoutes, { services, budget });
  await registerQueueDashboard(app, config, queueOps);

  // GraphQL over HTTP lets clients send `"extensions": null`; Mercurius' body schema wants an
  // object, so drop the null before validation rather than refuse the request.
  app.addHook('preValidation', async (request) => {
    const body = request.body as { extensions?: unknown } | undefined;
    if (request.method === 'POST' && body && typeof body === 'object' && body.extensions === null) delete body.extensions;
  });

  await app.register(mercurius, {
    schema,
    path: '/graphql',
    // Our own GraphiQL (src/graphql/graphiql.ts): offline, with live subscriptions.
    graphiql: false,
    jit: 1,
    allowBatchedQueries: false,
    // CSRF rules live in src/graphql/transport.ts: GET queries need no header there.
    csrfPrevention: false,
    persistedQueryProvider:
      config.TRUSTED_DOCUMENTS === 'only'
        ? trustedDocuments(loadTrustedManifest(join(PROJECT_ROOT, 'schema', 'sdk', 'persisted-documents.json')))
        : redisPersistedQueries(redis, config.REDIS_PREFIX, app.log),
    validationRules: config.production ? [NoSchemaIntrospectionCustomRule] : [],
    // The lexer pass of the preParsing hook below refuses such documents first, with its own error.
    graphql: { parseOptions: { maxTokens: limits.maxTokens } },
    context: async (request): Promise<Omit<Context, 'reply' | 'app'>> => {
      // Behind a proxy the address comes from X-Forwarded-For: keep it only if it is one.
      const ip = request.ip && isIP(request.ip) ? request.ip : null;
      const viewer = httpViewer(request);
      // Only a signed-in caller's APQ retry registers its query (src/graphql/persisted.ts).
      markCaller(request.method === 'GET' ? request.query : request.body, viewer !== null);
      return {
        services,
        requestId: request.id,
        ip,
        userAgent: request.headers['user-agent'] ?? null,
        viewer,
        cache: new Map(),
      };
    },
    errorFormatter: transportErrorFormatter(
      (execution, ctx, log) => formatGraphQLErrors(execution, ctx, log, { hideSuggestions: config.production }),
      app.log,
    ),
  });

  // The request checks, in this order (each plugin requires the earlier ones): document limits and
  // request text, what HTTP may run (src/graphql/request-checks.ts), writes (auth's write guard),
  // then the API-wide budget, which the REST facade shares for its fixed costs.
  await app.register(graphqlLimitsPlugin, { limits });
  await app.register(graphqlHttpOperationPlugin);
  await app.register(writeGuardPlugin, { viewers: services.viewers });
  await app.register(requestBudgetPlugin, { budget });

  attachSubscriptionServer(app, services, schema, budget, options.subscriptions);
  // The REST facade runs its documents through the GraphQL executor above (src/rest/); its
  // OpenAPI 3.1 description is generated from the routes (tagged ones only) by @fastify/swagger.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'foliograph REST API',
        version: APP_VERSION,
        description: 'The seed endpoints over the GraphQL services: /api/v1 (pages), /api/v2 (cursors).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token or a personal API token (fg_…)' } },
      },
    },
    hideUntagged: true,
  });
  await app.register(restRoutes, { services, schema, budget, idempotency });
  app.get('/api/openapi.json', () => app.swagger());
  // The docs page is served from the swagger-ui-dist files in node_modules (no CDN), outside production.
  if (!config.production) await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { url: '/api/openapi.json' } });

  // Metrics (HTTP, GraphQL operations with bounded names, auth, sockets, breakers) and traces.
  instrumentApp(app, services, schema);

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
