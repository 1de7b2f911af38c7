/**
 * `npm run cluster:demo`: the production topology on this machine, for a person to try:
 * 3 API replicas (127.0.0.1:4501-4503) and 2 workers behind nginx on http://127.0.0.1:4590,
 * sharing the database `foliograph_cluster` (created and migrated if absent) and Redis prefix
 * `foliograph-cluster:`. Ctrl-C stops everything. Needs nginx (`apt-get install -y nginx`).
 * Options: API_REPLICAS, WORKERS, BALANCER_PORT, DATABASE_URL.
 */
import { startCluster } from './lib/cluster.js';
import { ensureDatabase, migrate } from '../src/platform/migrate.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/foliograph_cluster';
await ensureDatabase(databaseUrl, console.log);
await migrate(databaseUrl, console.log);
const cluster = await startCluster({
  apiReplicas: Number(process.env.API_REPLICAS ?? 3),
  workers: Number(process.env.WORKERS ?? 2),
  databaseUrl,
  redisPrefix: 'foliograph-cluster:',
  balancerPort: Number(process.env.BALANCER_PORT ?? 4590),
  firstApiPort: 4501,
  apiEnv: { SEED_DEMO: 'true' },
  firstApiAlone: true,
  echo: process.env.QUIET !== '1',
});
console.log(`
foliograph cluster is up:
  balancer   ${cluster.url}/graphql   (GraphiQL: ${cluster.url}/graphiql, WebSocket: ${cluster.url.replace('http', 'ws')}/graphql)
  replicas   ${cluster.apis.map((a) => `http://127.0.0.1:${a.port}`).join('  ')}   (each: /health /ready /metrics)
  workers    ${cluster.workers.length} (one publishes the price feed)
  responses carry X-Upstream: the replica that answered. Sign in as demo@foliograph.dev / demo-password-2026.
  Try: kill -9 one replica's pid and watch the balancer route around it. Ctrl-C stops everything.
`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the cluster...');
    void cluster.stop().then(() => process.exit(0));
  });
}
