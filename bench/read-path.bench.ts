/**
 * Read-path benchmark (issue 11): foliograph's Q1 and Q2 against a hand-written Fastify + `pg`
 * route (bench/baseline-route.ts) over the same database, in the same run, as a ratio.
 *
 *   Q1  portfolio(id) { name investments(first: 50) { edges { node { symbol quantity purchasePrice purchaseDate } } } }
 *       with the id rotating over 5,000 portfolios
 *   Q2  portfolios(first: 20) { edges { node { name investments(first: 50) { … the same … } } } }
 *
 * Setup: a scratch database migrated like production; 1 user (signed up through the API) owning
 * 5,000 portfolios × 50 investments (inserted with SQL). The API runs as a production process
 * from the production build (`npm run build`, dist/main.js on plain node, as the Docker image
 * runs it; `NODE_ENV=production`, limits that would throttle a load test switched off) pinned to core 0;
 * the hand-written route then runs pinned to the same core; autocannon (this process) runs on
 * core 1. Both servers' answers are compared for equality before anything is timed.
 * SQL statements per request are counted on an in-process app with Prisma's query events.
 *
 * Run: npm run bench:read-path [-- --duration 10 --connections 50]
 */
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { testConfig } from '../test/harness.js';
import { argument, freePort, post, startPinned, stop, stopAll, withDeployment } from './lib/servers.js';

const DURATION_S = argument('duration', 10);
const CONNECTIONS = argument('connections', 50);
const PORTFOLIOS = argument('portfolios', 5000);
const INVESTMENTS = 50;

const NODE_FIELDS = 'symbol quantity purchasePrice purchaseDate';
export const Q1 = `query Q1($id: ID!) { portfolio(id: $id) { name investments(first: 50) { edges { node { ${NODE_FIELDS} } } } } }`;
export const Q2 = `query Q2 { portfolios(first: 20) { edges { node { name investments(first: 50) { edges { node { ${NODE_FIELDS} } } } } } } }`;

/** 5,000 portfolios × 50 investments of one owner, in a few set-based statements. */
async function seed(url: string, ownerId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO portfolios (id, owner_id, name, updated_at, created_at)
       SELECT gen_random_uuid(), $1, 'Portfolio ' || n, now(), now() - make_interval(secs => n)
       FROM generate_series(1, $2::int) n RETURNING id`,
      [ownerId, PORTFOLIOS],
    );
    // Each investment is its BUY (one write model: `investments` is a view of them).
    await client.query(
      `INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, updated_at, created_at)
       SELECT gen_random_uuid(), p.id, 'BUY', date '2020-01-01' + k * 7, s.symbol,
              (k * 1.5)::numeric(18,8), (100 + k * 3.25)::numeric(18,8), (k * 1.5) * (100 + k * 3.25), 0, 'USD', 1, now(),
              now() - make_interval(secs => 1000 - k)
       FROM portfolios p
       CROSS JOIN generate_series(1, $2::int) k
       CROSS JOIN LATERAL (SELECT 'SYM' || k AS symbol) s
       WHERE p.owner_id = $1`,
      [ownerId, INVESTMENTS],
    );
    await client.query('ANALYZE portfolios; ANALYZE transactions');
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

interface Figures {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, token: string, bodies: () => string): Promise<Figures> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: bodies() }) }],
  });
  return {
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function countStatements(env: Record<string, string>, token: string, ids: string[]): Promise<{ q1: number; q2: number }> {
  // The same key and Redis prefix as the API process, so its access token is valid here.
  const config = testConfig(env.DATABASE_URL!, env.REDIS_PREFIX!, { JWT_PRIVATE_KEY: env.JWT_PRIVATE_KEY! });
  const app = await buildApp(config, { logQueries: true });
  let statements = 0;
  (app.services.db as unknown as { $on(event: 'query', listener: () => void): void }).$on('query', () => statements++);
  const run = async (query: string, variables: Record<string, unknown>) => {
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: { query, variables },
    }); // warm
    statements = 0;
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: { query, variables },
    });
    return statements;
  };
  try {
    return { q1: await run(Q1, { id: ids[0] }), q2: await run(Q2, {}) };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  await withDeployment({}, async ({ databaseUrl: url, env, apiUrl, api, token, userId }) => {
    // The deployment's API (under tsx) signed the user up; the one measured is the build.
    await stop(api);
    const apiOptions = process.env.BENCH_API_NODE_OPTIONS;
    await startPinned('dist/main.js', apiOptions ? { ...env, NODE_OPTIONS: apiOptions } : env, `${apiUrl}/health`);
    const ids = await seed(url, userId);
    const basePort = await freePort();
    const baseUrl = `http://127.0.0.1:${basePort}`;
    await startPinned(
      'bench/baseline-route.ts',
      {
        PORT: String(basePort),
        DATABASE_URL: url,
        JWKS_URL: `${apiUrl}/.well-known/jwks.json`,
        JWT_ISSUER: 'foliograph',
        JWT_AUDIENCE: 'foliograph-api',
      },
      `${baseUrl}/health`,
    );

    // Same answers, or the comparison means nothing.
    for (const [query, variables, route] of [
      [Q1, { id: ids[7] }, 'q1'],
      [Q2, {}, 'q2'],
    ] as const) {
      const ours = await post(`${apiUrl}/graphql`, { query, variables }, token);
      const theirs = await post(`${baseUrl}/${route}`, { query, variables }, token);
      if (!isDeepStrictEqual(ours, theirs)) {
        throw new Error(
          `${route}: answers differ\nours:   ${JSON.stringify(ours).slice(0, 400)}\ntheirs: ${JSON.stringify(theirs).slice(0, 400)}`,
        );
      }
    }

    let next = 0;
    const q1Body = () => JSON.stringify({ query: Q1, variables: { id: ids[next++ % ids.length] } });
    const q2Body = () => JSON.stringify({ query: Q2, variables: {} });
    // The baseline idles while the API is loaded and vice versa; both warm up first.
    const rows: string[] = [];
    for (const [name, body, route] of [
      ['Q1', q1Body, 'q1'],
      ['Q2', q2Body, 'q2'],
    ] as const) {
      await load(`${apiUrl}/graphql`, token, body);
      const ours = await load(`${apiUrl}/graphql`, token, body);
      await load(`${baseUrl}/${route}`, token, body);
      const theirs = await load(`${baseUrl}/${route}`, token, body);
      rows.push(
        `| ${name} | ${theirs.requests.toFixed(0)} req/s, p99 ${theirs.p99} ms | ${ours.requests.toFixed(0)} req/s, p50 ${ours.p50} ms, p99 ${ours.p99} ms` +
          ` | **${((100 * ours.requests) / theirs.requests).toFixed(0)} %** | ${(ours.p99 / Math.max(theirs.p99, 1)).toFixed(1)}× | ${ours.errors + theirs.errors} |`,
      );
    }
    await stopAll();
    const statements = await countStatements(env, token, ids);

    console.log(`\nRead path: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${PORTFOLIOS} portfolios × ${INVESTMENTS} investments`);
    console.log('| query | hand-written route | foliograph | share of hand-written | p99 ratio | errors |');
    console.log('|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\nSQL statements per request: Q1 ${statements.q1}, Q2 ${statements.q2} (hand-written route: 1 each)`);
  });
}

await main();
process.exit(0);
