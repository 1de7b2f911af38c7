/**
 * The plain HTTP endpoints next to /graphql: liveness, readiness (database and Redis), Prometheus
 * metrics and the JWKS that lets other services verify our access tokens.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from './db.js';
import type { Metrics } from './metrics.js';
import type { Redis } from './redis.js';

/** What these routes need (the app passes its services); the JWKS comes from auth's token signer. */
export interface HttpRouteServices {
  version: string;
  db: Db;
  redis: Redis;
  metrics: Metrics;
  tokens: { jwks(): unknown };
}

export async function httpRoutes(app: FastifyInstance, { services }: { services: HttpRouteServices }): Promise<void> {
  app.get('/health', async () => ({ status: 'ok', version: services.version }));
  app.get('/ready', async (_request, reply) => {
    const [database, cache] = await Promise.all([
      services.db.$queryRaw`SELECT 1`.then(() => 'ok' as const, () => 'down' as const),
      services.redis.ping().then(() => 'ok' as const, () => 'down' as const),
    ]);
    const ready = database === 'ok' && cache === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, redis: cache });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return services.tokens.jwks();
  });
}
