/**
 * The read path's regression guard (issue 11): the benchmark's Q1 and Q2 (bench/read-path.bench.ts)
 * cost a constant number of SQL statements and Redis commands whatever the page size, at most 2 for the
 * owner (issue bound: 4), both the first time a document runs and once graphql-jit has compiled it. Not a
 * timing: counts, which a change that loads per node or per portfolio makes fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { ok } from '../../test/portfolios.js';
import { statementCounter } from '../platform/db.js';

const NODE_FIELDS = 'symbol quantity purchasePrice purchaseDate';
/** Q1 and Q2 of the benchmark, with the page sizes as variables. */
const Q1 = `query Q1($id: ID!, $investments: Int) { portfolio(id: $id) { name investments(first: $investments) { edges { node { ${NODE_FIELDS} } } } } }`;
const Q2 = `query Q2($portfolios: Int, $investments: Int) { portfolios(first: $portfolios) { edges { node { name investments(first: $investments) { edges { node { ${NODE_FIELDS} } } } } } } }`;

const PORTFOLIOS = 20;
const CONNECTION_COMMANDS = new Set(['hello', 'client', 'ping', 'select', 'auth', 'info', 'quit']);
const INVESTMENTS = 50;

let owner: TestUser;
let portfolioId: string;
let countStatements: (run: () => Promise<unknown>) => Promise<number>;
let redisCommands = 0;

// The request budget on, as in production: its Redis command is part of every request's cost.
const t = useTestApp({ logQueries: true, env: { RATE_LIMIT_COST_PER_MINUTE: '1000000' } });
beforeAll(async () => {
  countStatements = statementCounter(t.app.services.db);
  // Counts the commands the app's Redis client sends (each its own round trip: none is
  // pipelined), but not the connection's own (a reconnect's HELLO/CLIENT, the breaker's PING),
  // which a loaded machine can cause in the middle of any request.
  const redis = t.app.services.redis;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<typeof send>) => {
    if (!CONNECTION_COMMANDS.has((args[0] as unknown as { name: string }).name)) redisCommands++;
    return send(...args);
  }) as typeof redis.sendCommand;

  owner = await createTestUser(t);
  const db = t.app.services.db;
  const [first] = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO portfolios (id, owner_id, name, updated_at, created_at)
    SELECT gen_random_uuid(), ${owner.id}::uuid, 'Portfolio ' || n, now(), now() - make_interval(secs => n)
    FROM generate_series(1, ${PORTFOLIOS}::int) n RETURNING id::text`;
  portfolioId = first!.id;
  await db.$executeRaw`
    INSERT INTO transactions (id, portfolio_id, type, symbol, quantity, price, amount, fee, currency, fx_rate, date, updated_at, created_at)
    SELECT gen_random_uuid(), p.id, 'BUY', 'SYM' || k, k * 1.5, 100 + k * 3.25, (k * 1.5) * (100 + k * 3.25), 0, 'USD', 1,
           date '2020-01-01' + k * 7, now(), now() - make_interval(secs => 1000 - k)
    FROM portfolios p CROSS JOIN generate_series(1, ${INVESTMENTS}::int) k
    WHERE p.owner_id = ${owner.id}::uuid`;
});

interface Cost {
  statements: number;
  redis: number;
  nodes: number;
}

type Page = { edges: { node: { symbol: string } }[] };

/** What one request costs, and how many investment nodes it answered (so the count is of a full answer). */
async function cost(query: string, variables: Record<string, unknown>): Promise<Cost> {
  let nodes = 0;
  const redisBefore = redisCommands;
  const statements = await countStatements(async () => {
    const data = ok(
      await t.gql<{ portfolio?: { investments: Page }; portfolios?: { edges: { node: { investments: Page } }[] } }>(query, variables, {
        token: owner.token,
      }),
    );
    const pages = data.portfolio ? [data.portfolio.investments] : data.portfolios!.edges.map((e) => e.node.investments);
    nodes = pages.reduce((sum, page) => sum + page.edges.length, 0);
  });
  return { statements, redis: redisCommands - redisBefore, nodes };
}

describe('SQL statements and Redis commands per request', () => {
  it.each([
    ['Q1', Q1, (size: number) => ({ id: portfolioId, investments: size }), [10, 50], (size: number) => size],
    ['Q2', Q2, (size: number) => ({ portfolios: size, investments: INVESTMENTS }), [5, 20], (size: number) => size * INVESTMENTS],
  ] as const)(
    '%s: the same at two page sizes, interpreted and compiled, and at most 2 statements',
    async (name, query, variables, sizes, nodes) => {
      const runs: (Cost & { size: number })[] = [];
      for (const size of sizes) {
        // Mercurius runs a document's first execution as is and JIT-compiles it from the second on.
        for (let run = 0; run < 3; run++) runs.push({ size, ...(await cost(query, variables(size))) });
      }
      console.info(`${name}: ${runs.map((r) => `${r.nodes} nodes → ${r.statements} SQL, ${r.redis} Redis`).join('; ')}`);
      for (const run of runs) expect(run.nodes).toBe(nodes(run.size));
      expect(new Set(runs.map((r) => r.statements)).size).toBe(1);
      expect(new Set(runs.map((r) => r.redis)).size).toBe(1);
      // The issue's bound is 4; the caller's own portfolios cost 2: their rows (which decide the
      // owner's role, roles.ts primeOwnRoles) and the investment pages.
      expect(runs[0]!.statements).toBeLessThanOrEqual(2);
      // The session check and the request budget.
      expect(runs[0]!.redis).toBeLessThanOrEqual(2);
    },
    // Six full requests; on a loaded machine that passes the default 5 s.
    30_000,
  );
});
