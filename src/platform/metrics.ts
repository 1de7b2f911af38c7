import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (tests build several apps in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const graphqlRequests = new Counter({
    name: 'foliograph_graphql_requests_total',
    help: 'GraphQL operations executed, by operation name (known operations, else "other"), type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'foliograph_graphql_request_duration_seconds',
    help: 'GraphQL operation latency, by operation name (known operations, else "other") and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'foliograph_http_requests_total',
    help: 'HTTP requests by route pattern ("unmatched" for no route), method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'foliograph_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const authEvents = new Counter({
    name: 'foliograph_auth_events_total',
    help: 'Authentication events: logins, failures, lockouts, MFA challenges and changes, refresh-token reuse',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const mutations = new Counter({
    name: 'foliograph_graphql_mutations_total',
    help: 'Root mutation fields executed, by field (a field of the schema) and outcome',
    labelNames: ['field', 'outcome'] as const,
    registers: [registry],
  });
  // The subscription server reports what it holds; the gauges read it at scrape time.
  const socketSources: Array<() => { sockets: number; subscriptions: number }> = [];
  const sumOf = (key: 'sockets' | 'subscriptions') => socketSources.reduce((sum, source) => sum + source()[key], 0);
  const websocketsOpen = new Gauge({
    name: 'foliograph_websockets_open',
    help: 'WebSocket connections open on this process',
    registers: [registry],
    collect() {
      this.set(sumOf('sockets'));
    },
  });
  const subscriptionsOpen = new Gauge({
    name: 'foliograph_subscriptions_open',
    help: 'GraphQL subscriptions running on this process',
    registers: [registry],
    collect() {
      this.set(sumOf('subscriptions'));
    },
  });
  // Per event of a live subscription: how often it was executed and serialized. Shared fan-out
  // (src/graphql/ws-fanout.ts) does each once per distinct operation, not once per subscriber.
  const subscriptionExecutions = new Counter({
    name: 'foliograph_subscription_executions_total',
    help: 'Subscription events executed (and serialized), by fan-out: shared (once for every subscriber of the same operation) or per_subscriber',
    labelNames: ['fanout'] as const,
    registers: [registry],
  });
  const slowSubscribers = new Counter({
    name: 'foliograph_subscription_slow_consumers_total',
    help: 'WebSocket connections closed because the client did not read its events fast enough (send buffer over the limit)',
    registers: [registry],
  });
  let breakerSource: () => Array<{ provider: string; state: number }> = () => [];
  const breakerState = new Gauge({
    name: 'foliograph_market_provider_breaker_state',
    help: 'Circuit-breaker state of each market-data provider: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider'] as const,
    registers: [registry],
    collect() {
      for (const { provider, state } of breakerSource()) this.set({ provider }, state);
    },
  });
  const dependencyUp = new Gauge({
    name: 'foliograph_dependency_up',
    help: 'Whether the last readiness check (/ready) reached the dependency: 1 up, 0 down',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  let redisSource: () => boolean = () => true;
  const redisUp = new Gauge({
    name: 'foliograph_redis_up',
    help: 'Whether this process reaches Redis: 0 while its breaker is open or it reconnects (the API then degrades, it does not stop)',
    registers: [registry],
    collect() {
      this.set(redisSource() ? 1 : 0);
    },
  });
  return {
    registry,
    redisUp,
    dependencyUp,
    /** Lets the app report whether its Redis command connection is usable. */
    reportRedis(source: () => boolean): void {
      redisSource = source;
    },
    graphqlRequests,
    graphqlDuration,
    httpRequests,
    httpDuration,
    authEvents,
    mutations,
    websocketsOpen,
    subscriptionsOpen,
    subscriptionExecutions,
    slowSubscribers,
    breakerState,
    /** Lets the market service report its providers' breaker states. */
    reportBreakers(source: () => Array<{ provider: string; state: number }>): void {
      breakerSource = source;
    },
    /** Lets the WebSocket server report its open sockets and subscriptions. */
    reportSockets(source: () => { sockets: number; subscriptions: number }): void {
      socketSources.push(source);
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Metrics of the process rather than of one app instance (background jobs): the worker serves
 * it, and the API's /metrics adds it (in development the worker runs inside the API process).
 */
export const processRegistry = new Registry();

/** Background jobs, in the registry of the process that runs them (the worker's, or the API's in development). */
export function createJobMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'foliograph_jobs_total',
      help: 'Background jobs finished, by queue and outcome (completed, failed)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'foliograph_job_duration_seconds',
      help: 'Background job run time by queue',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
  };
}
export type JobMetrics = ReturnType<typeof createJobMetrics>;
export const jobMetrics = createJobMetrics(processRegistry);

/** What /metrics serves: the app's registry and the process's. */
export function scrape(registry: Registry): Promise<string> {
  return Registry.merge([registry, processRegistry]).metrics();
}
