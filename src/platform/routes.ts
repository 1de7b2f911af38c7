/**
 * The plain HTTP endpoints next to /graphql: liveness, readiness (database and Redis), Prometheus
 * metrics and the JWKS that lets other services verify our access tokens.
 *
 * /health: the process answers (liveness; restarting it helps only when this fails).
 * /ready: it can serve (readiness): 200 while PostgreSQL answers. Without Redis the API keeps
 * serving reads (caches, limits and fan-out degrade, see platform/redis.ts), so a Redis outage is
 * `status: "degraded"` with 200 and `foliograph_dependency_up{dependency="redis"} 0`, not a
 * reason to take every replica out of the load balancer at once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from './db.js';
import { type Metrics, scrape } from './metrics.js';
import type { Redis } from './redis.js';
import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';

/** What these routes need (the app passes its services); the JWKS comes from auth's token signer. */
export interface HttpRouteServices {
  config: Pick<Config, 'METRICS_PORT' | 'METRICS_TOKEN' | 'production'>;
  version: string;
  db: Db;
  redis: Redis;
  metrics: Metrics;
  tokens: { jwks(): unknown };
}

/** The process' shutdown state: while draining (SIGTERM, src/main.ts) it serves but says it is not ready. */
export interface Lifecycle {
  draining: boolean;
}

export async function httpRoutes(
  app: FastifyInstance,
  { services, lifecycle }: { services: HttpRouteServices; lifecycle: Lifecycle },
): Promise<void> {
  app.get('/health', async () => ({ status: 'ok', version: services.version }));
  app.get('/ready', async (_request, reply) => {
    // Shutting down: the balancer takes the instance out while it still answers.
    if (lifecycle.draining) return reply.status(503).send({ status: 'draining' });
    // Answers within READY_CHECK_TIMEOUT_MS even when a dependency hangs (frozen, unreachable).
    const [database, cache] = await Promise.all([probe(() => services.db.$queryRaw`SELECT 1`), probe(() => services.redis.ping())]);
    services.metrics.dependencyUp.set({ dependency: 'database' }, database === 'ok' ? 1 : 0);
    services.metrics.dependencyUp.set({ dependency: 'redis' }, cache === 'ok' ? 1 : 0);
    const status = database !== 'ok' ? 'unavailable' : cache !== 'ok' ? 'degraded' : 'ready';
    return reply.status(database === 'ok' ? 200 : 503).send({ status, database, redis: cache });
  });
  // /metrics on the API port: open in development; in production only with METRICS_TOKEN, and
  // never when METRICS_PORT serves it on a port of its own (see platform/metrics-server.ts).
  const { METRICS_PORT, METRICS_TOKEN, production } = services.config;
  if (METRICS_PORT === 0 && (METRICS_TOKEN || !production)) {
    app.get('/metrics', async (request, reply) => {
      if (METRICS_TOKEN && !bearerMatches(request, METRICS_TOKEN)) {
        return reply.status(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'Unauthorized' });
      }
      reply.header('content-type', services.metrics.registry.contentType);
      return scrape(services.metrics.registry);
    });
  }
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return services.tokens.jwks();
  });
}

/** How long /ready waits for each dependency: its whole answer stays under a second. */
export const READY_CHECK_TIMEOUT_MS = 800;

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check().then(
        () => 'ok' as const,
        () => 'down' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Constant-time comparison of `Authorization: Bearer <token>` with the expected token. */
export function bearerMatches(request: Pick<FastifyRequest, 'headers'>, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
