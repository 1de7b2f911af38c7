/**
 * Speed of the whole `Portfolio.risk` GraphQL query (HTTP inject through Fastify and Mercurius,
 * authentication, role check, the analytics service, PostgreSQL, Redis): a portfolio of 50
 * holdings with 5 years of daily prices stored in PostgreSQL.
 *
 *   - computed: the report is not cached (its Redis entry deleted before each run), the prices
 *     are already in PostgreSQL (targets: under 150 ms);
 *   - cached: nothing changed since the last run (target: under 20 ms).
 * Also timed the same way, for comparison: performance, and a Monte Carlo simulation (defaults:
 * 1,000 paths × 252 days × 50 assets).
 *
 * It creates a scratch database (migrated like production, dropped at the end), builds the app
 * with a test-like configuration, stores the history through the market service (the simulated
 * provider), and prints medians in ms as a markdown table, with the SQL statements each query
 * ran (Prisma query events).
 *
 * Run: npx tsx bench/risk-query.bench.ts [--runs N]   (PostgreSQL and Redis as for the tests)
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { buyOfInvestment } from '../src/ledger/index.js';
import { addDays } from '../src/market/candles.js';
import { isoDateOf } from '../src/platform/dates.js';
import { statementCounter } from '../src/platform/db.js';
import { UNIVERSE } from '../src/market/providers/universe.js';
import { migrate } from '../src/platform/migrate.js';
import { databaseUrl, testDatabaseName, withAdmin } from '../test/db.js';
import { testConfig } from '../test/harness.js';

const HOLDINGS = 50;
const YEARS = 5;
const runsArgument = process.argv.indexOf('--runs');
const RUNS = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : 15;

const RISK = `query Risk($id: ID!) {
  portfolio(id: $id) {
    risk {
      observations volatility sharpeRatio sortinoRatio beta maxDrawdown
      valueAtRisk conditionalValueAtRisk parametricValueAtRisk
      correlations { a b coefficient }
    }
  }
}`;
const PERFORMANCE = `query Performance($id: ID!) {
  portfolio(id: $id) { performance { timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } } }
}`;
const SIMULATION = `query Simulation($id: ID!) {
  portfolio(id: $id) { simulation { expectedValue valueAtRisk bands { day p5 p25 p50 p75 p95 } } }
}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const name = testDatabaseName('bench');
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const prefix = `bench:${randomBytes(5).toString('hex')}:`;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    await migrate(url);
    const config = testConfig(url, prefix, { LOG_LEVEL: 'silent' });
    app = await buildApp(config, { logQueries: true });
    await app.ready();
    const { db, redis, market, tokens } = app.services;
    const countStatements = statementCounter(db);

    // 50 exchange-listed instruments of the simulated universe, and SPY (the default benchmark).
    const symbols = UNIVERSE.filter((i) => i.exchange && i.type !== 'CRYPTO' && i.symbol !== 'SPY')
      .slice(0, HOLDINGS)
      .map((i) => i.symbol);
    const today = isoDateOf(new Date());
    const start = addDays(today, -Math.round(365.25 * YEARS));
    const history = { from: addDays(start, -7), to: addDays(today, -1) };
    const loadStarted = performance.now();
    await Promise.all([...symbols, 'SPY'].map((symbol) => market.dailyHistory(symbol, history, null)));
    const stored = await db.dailyPrice.count();
    const loadMs = performance.now() - loadStarted;

    const user = await db.user.create({
      data: { email: `bench-${prefix}@example.com`, name: 'Bench', passwordHash: 'x', emailVerified: true },
    });
    const session = await db.session.create({ data: { userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) } });
    const token = await tokens.sign(user.id, session.id);
    const portfolio = await db.portfolio.create({
      data: {
        ownerId: user.id,
        name: 'Bench',
        transactions: {
          // Most bought at the start; every fifth a year later (a cash flow inside the range).
          create: symbols.map((symbol, i) =>
            buyOfInvestment({
              symbol,
              quantity: String(10 + i),
              purchasePrice: '100',
              purchaseDate: new Date(`${i % 5 === 4 ? addDays(start, 365) : start}T00:00:00Z`),
            }),
          ),
        },
      },
    });

    const inject = async (query: string) => {
      const response = await app!.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify({ query, variables: { id: portfolio.id } }),
      });
      const body = response.json() as { errors?: unknown[] };
      if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
      return response.body.length;
    };
    const clearCache = async () => {
      const keys = await redis.keys(`${prefix}analytics:*`);
      if (keys.length > 0) await redis.del(...keys);
    };
    /** Median ms and statements of `runs` runs (after one warm-up run), cache cleared first or not. */
    const time = async (query: string, cached: boolean, runs = RUNS) => {
      await inject(query);
      const times: number[] = [];
      const counts: number[] = [];
      let bytes = 0;
      for (let run = 0; run < runs; run++) {
        if (!cached) await clearCache();
        const started = performance.now();
        counts.push(await countStatements(async () => (bytes = await inject(query))));
        times.push(performance.now() - started);
      }
      return { ms: median(times), min: Math.min(...times), statements: median(counts), bytes };
    };

    const rows = [
      ['risk, computed (prices in PostgreSQL, report not cached)', await time(RISK, false)],
      ['risk, cached (nothing changed)', await time(RISK, true)],
      ['performance, computed', await time(PERFORMANCE, false)],
      ['performance, cached', await time(PERFORMANCE, true)],
      ['simulation 1,000 paths × 252 days × 50 assets, computed', await time(SIMULATION, false, Math.min(RUNS, 5))],
      ['simulation, cached', await time(SIMULATION, true)],
    ] as const;

    console.log(
      `\n${HOLDINGS} holdings × ${YEARS} years of daily prices (${stored.toLocaleString('en-US')} rows in daily_prices, stored in ${Math.round(loadMs)} ms through the market service); median of ${RUNS} runs after a warm-up, Node ${process.version}\n`,
    );
    console.log('| query | median ms | min ms | SQL statements | response bytes |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [label, r] of rows)
      console.log(`| ${label} | ${r.ms.toFixed(1)} | ${r.min.toFixed(1)} | ${r.statements} | ${r.bytes.toLocaleString('en-US')} |`);
    console.log('\nSQL statements include the 2 any portfolio query costs (the role check and the portfolio row).');
  } finally {
    if (app) {
      const keys = await app.services.redis.keys(`${prefix}*`);
      if (keys.length > 0) await app.services.redis.del(...keys);
      await app.close();
    }
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

await main();
