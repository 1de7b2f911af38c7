/**
 * Throughput of Q1 through the nginx balancer with 1, 2 and 3 API replicas (real processes of
 * src/main.ts, see scripts/lib/cluster.ts), and straight to one replica as the baseline:
 *
 *   Q1: portfolio(id) { name investments(first: 50) { edges { node { symbol quantity purchasePrice purchaseDate } } } }
 *
 * On a 2-core machine the replicas, nginx, PostgreSQL, Redis and autocannon share the same two
 * cores, so this measures the balancer's and the extra processes' overhead, not scaling: on
 * real hardware each replica brings its own cores.
 *
 * Run: npx tsx bench/cluster.bench.ts [--seconds N] [--connections N]   (needs nginx; 127.0.0.1 only)
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { startBalancer, startCluster } from '../scripts/lib/cluster.js';
import { databaseUrl, testDatabaseName, withAdmin } from '../test/db.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const SECONDS = argument('--seconds', 10);
const CONNECTIONS = argument('--connections', 16);

const Q1 = `query Q1($id: ID!) { portfolio(id: $id) { name investments(first: 50) { edges { node { symbol quantity purchasePrice purchaseDate } } } } }`;

async function post(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function run(url: string, token: string, portfolioId: string) {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: Q1, variables: { id: portfolioId } }),
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

// A scratch database: the first replica creates and migrates it, as `npm start` does.
const databaseName = testDatabaseName('bench');
const cluster = await startCluster({
  apiReplicas: 3,
  workers: 0,
  firstApiAlone: true,
  databaseUrl: databaseUrl(databaseName),
  redisPrefix: `bench:cluster:${randomBytes(4).toString('hex')}:`,
  // info: the cluster waits for each replica's "Server listening" line.
  env: { LOG_LEVEL: 'info', REGISTRATIONS_PER_IP_PER_HOUR: '0' },
});
try {
  const auth = await post(cluster.url, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
    input: { email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: 'amber-Tractor-58-violin', name: 'Bench' },
  });
  const token = auth.register.accessToken as string;
  const portfolio = await post(
    cluster.url,
    'mutation($input: PortfolioInput!) { createPortfolio(input: $input) { id } }',
    { input: { name: 'Q1' } },
    token,
  );
  const id = portfolio.createPortfolio.id as string;
  const symbols = ['AAPL', 'MSFT', 'VTI', 'BTC-USD', 'GOOGL'];
  for (let i = 0; i < 50; i++) {
    await post(
      cluster.url,
      'mutation($portfolioId: ID!, $input: InvestmentInput!) { addInvestment(portfolioId: $portfolioId, input: $input) { id } }',
      {
        portfolioId: id,
        input: { symbol: symbols[i % symbols.length], quantity: String(i + 1), purchasePrice: '100.25', purchaseDate: '2024-03-15' },
      },
      token,
    );
  }
  const rows: Array<{ setup: string; rps: number; p50: number; p99: number }> = [];
  const direct = `http://127.0.0.1:${cluster.apis[0]!.port}`;
  await run(direct, token, id); // warm-up (JIT, graphql-jit compilation, connection pools)
  rows.push({ setup: '1 replica, no balancer', ...(await run(direct, token, id)) });
  for (const replicas of [1, 2, 3]) {
    const balancer = await startBalancer(cluster.apis.slice(0, replicas).map((a) => a.port));
    try {
      await run(balancer.url, token, id);
      rows.push({ setup: `${replicas} replica${replicas > 1 ? 's' : ''} behind nginx`, ...(await run(balancer.url, token, id)) });
    } finally {
      await balancer.stop();
    }
  }
  const baseline = rows[0]!.rps;
  console.log(`\nQ1 (50 investments), ${CONNECTIONS} connections, ${SECONDS} s per setup:\n`);
  console.log('| setup | requests/s | p50 ms | p99 ms | vs. direct |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.setup} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.rps / baseline).toFixed(2)}× |`);
} finally {
  await cluster.stop();
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
}
