/**
 * METRICS_PORT: /metrics on a port of its own, which the ingress never routes (Kubernetes
 * scrapes it pod to pod). METRICS_TOKEN, when set, is required here too.
 * `/health` answers 200 without a token: the worker has no other HTTP port, and its liveness
 * probe then proves the event loop turns, not only that a socket is open.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { processRegistry, scrape } from './metrics.js';
import { bearerMatches } from './routes.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  registry: Registry | null;
  port: number;
  host: string;
  token?: string;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not Found"}');
      return;
    }
    if (options.token && !bearerMatches({ headers: request.headers }, options.token)) {
      response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('{"error":"Unauthorized"}');
      return;
    }
    const body = options.registry ? scrape(options.registry) : processRegistry.metrics();
    body.then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
