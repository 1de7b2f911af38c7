/**
 * The plain HTTP endpoints next to /graphql: liveness, readiness (database and Redis), Prometheus
 * metrics and the JWKS that lets other services verify our access tokens.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scrape } from './metrics.js';
import type { AppServices } from '../services.js';

export async function httpRoutes(app: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  app.get('/health', async () => ({ status: 'ok', version: services.version }));
  app.get('/ready', async (_request, reply) => {
    const [database, cache] = await Promise.all([
      services.db.$queryRaw`SELECT 1`.then(() => 'ok' as const, () => 'down' as const),
      services.redis.ping().then(() => 'ok' as const, () => 'down' as const),
    ]);
    const ready = database === 'ok' && cache === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, redis: cache });
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

/** Constant-time comparison of `Authorization: Bearer <token>` with the expected token. */
export function bearerMatches(request: Pick<FastifyRequest, 'headers'>, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
