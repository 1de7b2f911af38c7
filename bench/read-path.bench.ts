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
 * (`NODE_ENV=production`, limits that would throttle a load test switched off) pinned to core 0;
 * the hand-written route then runs pinned to the same core; autocannon (this process) runs on
 * core 1. Both servers' answers are compared for equality before anything is timed.
 * SQL statements per request are counted on an in-process app with Prisma's query events.
 *
 * Run: npm run bench:read-path [-- --duration 10 --connections 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { migrate } from '../src/platform/migrate.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { databaseUrl, withAdmin } from '../test/db.js';
import { testConfig } from '../test/harness.js';

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const DURATION_S = argument('duration', 10);
const CONNECTIONS = argument('connections', 50);
const PORTFOLIOS = argument('portfolios', 5000);
const INVESTMENTS = 50;

const NODE_FIELDS = 'symbol quantity purchasePrice purchaseDate';
export const Q1 = `query Q1($id: ID!) { portfolio(id: $id) { name investments(first: 50) { edges { node { ${NODE_FIELDS} } } } } }`;
export const Q2 = `query Q2 { portfolios(first: 20) { edges { node { name investments(first: 50) { edges { node { ${NODE_FIELDS} } } } } } } }`;

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A server process pinned to core 0, resolved once `readyUrl` answers. */
async function startPinned(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', '0', TSX, script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (data) => (output += String(data)));
  child.stderr!.on('data', (data) => (output += String(data)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${script} did not start:\n${output}`);
    if (await fetch(readyUrl).then((r) => r.status < 500, () => false)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function post(url: string, body: unknown, token: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

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
    await client.query(
      `INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, updated_at, created_at)
       SELECT gen_random_uuid(), p.id, s.symbol, s.symbol || ' Inc.', 'STOCK',
              (k * 1.5)::numeric(18,8), (100 + k * 3.25)::numeric(18,8), date '2020-01-01' + k * 7, now(),
              now() - make_interval(secs => 1000 - k)
       FROM portfolios p
       CROSS JOIN generate_series(1, $2::int) k
       CROSS JOIN LATERAL (SELECT 'SYM' || k AS symbol) s
       WHERE p.owner_id = $1`,
      [ownerId, INVESTMENTS],
    );
    await client.query('ANALYZE portfolios; ANALYZE investments');
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
    await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, payload: { query, variables } }); // warm
    statements = 0;
    await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, payload: { query, variables } });
    return statements;
  };
  try {
    return { q1: await run(Q1, { id: ids[0] }), q2: await run(Q2, {}) };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const database = `foliograph_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const url = databaseUrl(database);
  const prefix = `bench:read:${randomBytes(4).toString('hex')}:`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  try {
    await migrate(url);
    const { privateKey } = generateKeyPairSync('ed25519');
    const apiPort = await freePort();
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      MFA_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
      SMTP_URL: 'smtp://127.0.0.1:9',
      MARKET_FEED_INTERVAL_MS: '0',
      // Limits that would throttle one user's load test: the benchmarks switch them off.
      REGISTRATIONS_PER_IP_PER_HOUR: '0',
      RATE_LIMIT_COST_PER_MINUTE: '0',
      WS_CONNECTIONS_PER_USER: '0',
      WS_CONNECTIONS_PER_IP: '0',
      SUBSCRIPTIONS_PER_USER: '0',
    };
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = await startPinned('src/main.ts', env, `${apiUrl}/health`);

    const signUp = (await post(`${apiUrl}/graphql`, {
      query: 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      variables: { input: { email: 'bench@example.com', name: 'Bench', password: 'bench-password-2026' } },
    }, '')) as { data: { register: { accessToken: string; user: { id: string } } } };
    const { accessToken: token, user } = signUp.data.register;
    const ids = await seed(url, user.id);

    const basePort = await freePort();
    const baseUrl = `http://127.0.0.1:${basePort}`;
    const baseline = await startPinned(
      'bench/baseline-route.ts',
      { PORT: String(basePort), DATABASE_URL: url, JWKS_URL: `${apiUrl}/.well-known/jwks.json`, JWT_ISSUER: 'foliograph', JWT_AUDIENCE: 'foliograph-api' },
      `${baseUrl}/health`,
    );

    // Same answers, or the comparison means nothing.
    for (const [query, variables, route] of [[Q1, { id: ids[7] }, 'q1'], [Q2, {}, 'q2']] as const) {
      const ours = await post(`${apiUrl}/graphql`, { query, variables }, token);
      const theirs = await post(`${baseUrl}/${route}`, { query, variables }, token);
      if (!isDeepStrictEqual(ours, theirs)) {
        throw new Error(`${route}: answers differ\nours:   ${JSON.stringify(ours).slice(0, 400)}\ntheirs: ${JSON.stringify(theirs).slice(0, 400)}`);
      }
    }

    let next = 0;
    const q1Body = () => JSON.stringify({ query: Q1, variables: { id: ids[next++ % ids.length] } });
    const q2Body = () => JSON.stringify({ query: Q2, variables: {} });
    // The baseline idles while the API is loaded and vice versa; both warm up first.
    const rows: string[] = [];
    for (const [name, body, route] of [['Q1', q1Body, 'q1'], ['Q2', q2Body, 'q2']] as const) {
      await load(`${apiUrl}/graphql`, token, body).catch(() => undefined);
      const ours = await load(`${apiUrl}/graphql`, token, body);
      await load(`${baseUrl}/${route}`, token, body).catch(() => undefined);
      const theirs = await load(`${baseUrl}/${route}`, token, body);
      rows.push(
        `| ${name} | ${theirs.requests.toFixed(0)} req/s, p99 ${theirs.p99} ms | ${ours.requests.toFixed(0)} req/s, p50 ${ours.p50} ms, p99 ${ours.p99} ms` +
          ` | **${((100 * ours.requests) / theirs.requests).toFixed(0)} %** | ${(ours.p99 / Math.max(theirs.p99, 1)).toFixed(1)}× | ${ours.errors + theirs.errors} |`,
      );
    }
    await stop(baseline);
    await stop(api);
    const statements = await countStatements(env, token, ids);

    console.log(`\nRead path: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${PORTFOLIOS} portfolios × ${INVESTMENTS} investments`);
    console.log('| query | hand-written route | foliograph | share of hand-written | p99 ratio | errors |');
    console.log('|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\nSQL statements per request: Q1 ${statements.q1}, Q2 ${statements.q2} (hand-written route: 1 each)`);
  } finally {
    for (const child of children) await stop(child);
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

await main();
process.exit(0);
