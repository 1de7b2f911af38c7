/**
 * Speed of the ledger at scale: a portfolio of 100,000 transactions over 20 years (50 symbols:
 * buys, sells that never oversell, dividends, fees, a few splits, deposits).
 *
 * 1. The replay alone (measured last, printed first), same run, same transactions: the
 *    fixed-point engine (src/ledger/core/engine.ts) against the decimal.js engine it
 *    replaced (bench/lib/decimal-ledger.ts, kept as the baseline), per cost basis method; the
 *    figures of both are compared before timing.
 * 2. Through the whole GraphQL stack (HTTP inject, authentication, role check, PostgreSQL):
 *    holdings, lots and realized gains (target: under 1 s each from a cold cache), a what-if
 *    report by another method, the valuation, performance over 20 years (target: under 2 s), a
 *    transactions page and recording one more SELL. "Cold" is the first request after a write
 *    (one FEE's fee changed: the ledger version raised, as any write does, and the ledger's
 *    fingerprint changed, so neither the cached replay nor the cached analytics count); "warm"
 *    repeats it unchanged.
 *
 * It creates a scratch database (migrated like production, dropped at the end) and prints
 * medians in ms as markdown tables. With `--keep-db NAME` it uses (and keeps) database NAME
 * instead: seeded on the first run, reused as it is by the next ones (seeding 100,000 rows takes
 * minutes on a loaded machine); the SELLs the bench records are deleted again at the end.
 *
 * Run: npx tsx bench/ledger.bench.ts [--runs N] [--transactions N] [--keep-db NAME]
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { UNIVERSE } from '../src/market/providers/universe.js';
import { migrate } from '../src/platform/migrate.js';
import { databaseUrl, withAdmin } from '../test/db.js';
import { toFixedPoint } from '../src/ledger/core/fixed.js';
import type { LedgerRow } from '../src/ledger/rows.js';
import { holdingsOf, realizedBetween, replay, COST_BASIS_METHODS, type LedgerTransaction } from '../src/ledger/core/engine.js';
import * as baseline from './lib/decimal-ledger.js';
import { generateLedger } from './lib/ledger-data.js';
import { testConfig } from '../test/harness.js';

const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = argument('--runs', 7);
const KEEP_DB = (() => {
  const i = process.argv.indexOf('--keep-db');
  const name = i > 0 ? process.argv[i + 1] : undefined;
  if (i > 0 && !/^[a-z_][a-z0-9_]*$/.test(name ?? '')) throw new Error('--keep-db needs a database name (lower case, digits, _)');
  return name ?? null;
})();
const TRANSACTIONS = argument('--transactions', 100_000);
const SYMBOLS = 50;
const YEARS = 20;

const HOLDINGS = `query Holdings($id: ID!) { portfolio(id: $id) { holdings { symbol quantity averageCost costBasis { amount currency } marketValue { amount } weight } } }`;
const LOTS = `query Lots($id: ID!) { portfolio(id: $id) { lots { id symbol openedOn quantity remainingQuantity costPerShare } } }`;
const GAINS = `query Gains($id: ID!) { portfolio(id: $id) { realizedGains { total { amount } shortTerm { amount } longTerm { amount } items { lotId quantity gain { amount } longTerm } } } }`;
const GAINS_HIFO = `query Gains($id: ID!) { portfolio(id: $id) { realizedGains(method: HIFO) { total { amount } shortTerm { amount } longTerm { amount } } } }`;
const ALL = `query All($id: ID!) { portfolio(id: $id) { holdings { symbol quantity } lots { id } realizedGains { total { amount } } cashBalances { amount currency } } }`;
const VALUATION = `query Valuation($id: ID!) { portfolio(id: $id) { valuation { currency totalValue totalCost } } }`;
const PERFORMANCE = `query Performance($id: ID!) { portfolio(id: $id) { performance { from to timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } } } }`;
const TRANSACTIONS_PAGE = `query Page($id: ID!) { portfolio(id: $id) { transactions(first: 100, types: [SELL]) { totalCount edges { node { id date quantity } } } } }`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The replay alone: the fixed-point engine against the decimal.js baseline, interleaved. */
function replayComparison(rows: readonly LedgerRow[]) {
  // Each engine from the same text cells, its own parsing timed with it: the fixed-point one
  // reads fixed point, as the service's decoder gives it (so the engine sees what it sees in
  // production), decimal.js reads the texts.
  const texts = rows.map((row): baseline.LedgerTransaction => ({ ...row, fxRate: row.fxRate ?? '1' }));
  const fixedRows = (): LedgerTransaction[] => {
    const fixed = (text: string | null) => (text === null ? null : toFixedPoint(text));
    return rows.map((row) => ({
      ...row,
      quantity: fixed(row.quantity),
      price: fixed(row.price),
      amount: toFixedPoint(row.amount),
      fee: toFixedPoint(row.fee),
      fxRate: toFixedPoint(row.fxRate ?? '1'),
      splitFrom: fixed(row.splitFrom),
      splitTo: fixed(row.splitTo),
    }));
  };
  const figures = (total: { toFixed(dp: number): string }, holdings: Array<{ costBasis: { toFixed(dp: number): string } }>) =>
    [total.toFixed(8), ...holdings.map((h) => h.costBasis.toFixed(8))].join(',');
  return COST_BASIS_METHODS.map((method) => {
    const fixedTimes: number[] = [];
    const baselineTimes: number[] = [];
    let realizedParts = 0;
    for (let run = 0; run < Math.max(3, Math.min(RUNS, 5)); run++) {
      let started = performance.now();
      const state = replay(fixedRows(), { method });
      const ours = figures(realizedBetween(state, null, null).total, holdingsOf(state, 'USD'));
      fixedTimes.push(performance.now() - started);
      started = performance.now();
      const old = baseline.replay(texts, { method });
      const theirs = figures(baseline.realizedBetween(old, null, null).total, baseline.holdingsOf(old, 'USD'));
      baselineTimes.push(performance.now() - started);
      if (ours !== theirs) throw new Error(`${method}: the engines disagree`);
      realizedParts = state.realized.length;
    }
    return { method, fixed: median(fixedTimes), baseline: median(baselineTimes), realizedParts };
  });
}

async function main(): Promise<void> {
  const name = KEEP_DB ?? `foliograph_ledger_bench_${randomBytes(4).toString('hex')}`;
  const existed = await withAdmin(async (client) => {
    if (KEEP_DB && (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) return true;
    await client.query(`CREATE DATABASE ${name}`);
    return false;
  });
  const url = databaseUrl(name);
  const prefix = `${process.env.BENCH_REDIS_PREFIX ?? 'bench:'}${randomBytes(5).toString('hex')}:`;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const recorded: string[] = [];
  let restoreMarker: (() => Promise<unknown>) | null = null;
  try {
    await migrate(url);
    app = await buildApp(testConfig(url, prefix, { LOG_LEVEL: 'silent' }), { logQueries: true });
    await app.ready();
    const { db, tokens } = app.services;
    let statements = 0;
    (db as unknown as { $on(event: 'query', listener: () => void): void }).$on('query', () => statements++);

    const symbols = UNIVERSE.filter((i) => i.exchange && i.type !== 'CRYPTO' && i.currency === 'USD')
      .slice(0, SYMBOLS)
      .map((i) => i.symbol);
    // A kept database is reused when it holds a seeded portfolio of the same size.
    let seeded = existed
      ? await db.portfolio.findFirst({ where: { name: `Bench ${TRANSACTIONS}` }, select: { id: true, ownerId: true } })
      : null;
    if (seeded && (await db.transaction.count({ where: { portfolioId: seeded.id } })) !== TRANSACTIONS) {
      // An interrupted seeding: start again.
      await db.portfolio.delete({ where: { id: seeded.id } });
      seeded = null;
    }
    if (!seeded) await app.services.market.syncMarketAssets();
    const user = seeded
      ? { id: seeded.ownerId }
      : await db.user.create({ data: { email: `bench-${prefix}@example.com`, name: 'Bench', passwordHash: 'x', emailVerified: true } });
    const session = await db.session.create({ data: { userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) } });
    const token = await tokens.sign(user.id, session.id);
    const portfolio = seeded ?? (await db.portfolio.create({ data: { ownerId: user.id, name: `Bench ${TRANSACTIONS}` } }));

    let rows: LedgerRow[] = generateLedger(TRANSACTIONS, symbols, YEARS);
    const loadStarted = performance.now();
    const base = Date.now() - rows.length;
    for (let from = 0; from < (seeded ? 0 : rows.length); from += 10_000) {
      const chunk = rows.slice(from, from + 10_000);
      const column = <K extends keyof LedgerRow>(key: K) => chunk.map((r) => r[key]);
      await db.$executeRaw`
        INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, split_from, split_to, created_at, updated_at)
        SELECT id, ${portfolio.id}::uuid, type::"TransactionType", date, symbol, quantity, price, amount, fee, 'USD', 1, split_from, split_to, created_at, now()
        FROM unnest(${column('id')}::uuid[], ${column('type')}::text[], ${column('date')}::date[], ${column('symbol')}::text[], ${column('quantity')}::numeric[],
                    ${column('price')}::numeric[], ${column('amount')}::numeric[], ${column('fee')}::numeric[], ${column('splitFrom')}::numeric[], ${column('splitTo')}::numeric[],
                    ${chunk.map((_, i) => new Date(base + from + i).toISOString())}::timestamptz[])
          AS t(id, type, date, symbol, quantity, price, amount, fee, split_from, split_to, created_at)`;
    }
    if (!seeded) await db.$executeRaw`ANALYZE transactions`;
    // The generated ledger is in the database now: let it go, so the server's requests below do
    // not garbage-collect around 100,000 rows a production server would not hold.
    rows = [];
    const loadMs = performance.now() - loadStarted;
    const counts = await db.transaction.groupBy({ by: ['type'], where: { portfolioId: portfolio.id }, _count: true });

    // The time a request takes is until its response is complete; checking the response (a
    // JSON.parse of up to 9 MB, the client's work) is left out of it.
    let responded = 0;
    const inject = async (query: string, variables: Record<string, unknown> = { id: portfolio.id }) => {
      const response = await app!.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify({ query, variables }),
      });
      responded = performance.now();
      const body = response.json() as { errors?: unknown[]; data?: { recordTransaction?: { id: string } } };
      if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
      if (body.data?.recordTransaction) recorded.push(body.data.recordTransaction.id);
      return response.body.length;
    };
    // "Cold" follows a real write: one FEE transaction's fee set to a value it never had in this
    // run (restored at the end). It raises the ledger version (a trigger) and changes the ledger,
    // so both the cached replay and the cached analytics no longer count.
    const [marker] = await db.$queryRaw<Array<{ id: string; fee: string }>>`
      SELECT id::text, fee::text FROM transactions WHERE portfolio_id = ${portfolio.id}::uuid AND type = 'FEE' ORDER BY date, id LIMIT 1`;
    let writes = 0;
    const raiseVersion = () =>
      db.$executeRaw`UPDATE transactions SET fee = ${`0.${String(++writes).padStart(8, '0')}`}::numeric WHERE id = ${marker!.id}::uuid`;
    restoreMarker = () => db.$executeRaw`UPDATE transactions SET fee = ${marker!.fee}::numeric WHERE id = ${marker!.id}::uuid`;
    const time = async (query: string, variables?: () => Record<string, unknown>, cold = true) => {
      await inject(query, variables?.());
      const times: number[] = [];
      const statementCounts: number[] = [];
      let bytes = 0;
      for (let run = 0; run < RUNS; run++) {
        if (cold) await raiseVersion();
        const before = statements;
        const started = performance.now();
        bytes = await inject(query, variables?.());
        times.push(responded - started);
        statementCounts.push(statements - before);
      }
      return { ms: median(times), min: Math.min(...times), statements: median(statementCounts), bytes };
    };
    const coldAndWarm = async (query: string) => ({ cold: await time(query), warm: await time(query, undefined, false) });
    const sellSymbol = symbols[0]!;
    const RECORD = `mutation Sell($id: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $id, input: $input) { id } }`;
    const sell = () => ({
      id: portfolio.id,
      input: { type: 'SELL', symbol: sellSymbol, date: '2026-01-05', quantity: '0.001', price: '100' },
    });

    const reads = [
      ['holdings (50 open positions)', await coldAndWarm(HOLDINGS)],
      ['lots (every open lot)', await coldAndWarm(LOTS)],
      ['realized gains (every closed lot part, FIFO)', await coldAndWarm(GAINS)],
      ['realized gains, what-if HIFO (totals)', await coldAndWarm(GAINS_HIFO)],
      ['holdings + lots + realized gains + cash in one query', await coldAndWarm(ALL)],
      ['valuation (open lots and cash at quotes, base currency)', await coldAndWarm(VALUATION)],
      ['performance over 20 years (TWR, MWR, annualized, daily series)', await coldAndWarm(PERFORMANCE)],
    ] as const;
    const page = await time(TRANSACTIONS_PAGE, undefined, false);
    const record = await time(RECORD, sell, false);
    // The replay alone last, so the requests above run in a process that has not just replayed
    // (and dropped) eight 100,000-transaction ledgers; the generator gives the same ledger again.
    const comparison = replayComparison(generateLedger(TRANSACTIONS, symbols, YEARS));

    const mix = counts.map((c) => `${c._count.toLocaleString('en-US')} ${c.type}`).join(', ');
    console.log(
      `\n${TRANSACTIONS.toLocaleString('en-US')} transactions over ${YEARS} years, ${SYMBOLS} symbols (${mix}); ${seeded ? `reused database ${name}` : `loaded in ${Math.round(loadMs)} ms`}; Node ${process.version}\n`,
    );
    console.log('The replay alone (same transactions, same run; median ms):\n');
    console.log('| method | decimal.js baseline | fixed point | speed-up | realized lot parts |');
    console.log('|---|---:|---:|---:|---:|');
    for (const c of comparison)
      console.log(
        `| ${c.method} | ${c.baseline.toFixed(0)} | ${c.fixed.toFixed(0)} | ${(c.baseline / c.fixed).toFixed(1)}× | ${c.realizedParts.toLocaleString('en-US')} |`,
      );
    console.log(`\nThrough GraphQL (median of ${RUNS} runs after a warm-up; cold: first request after a write):\n`);
    console.log('| request | cold ms | warm ms | SQL statements cold / warm | response bytes |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [label, r] of reads)
      console.log(
        `| ${label} | ${r.cold.ms.toFixed(1)} | ${r.warm.ms.toFixed(1)} | ${r.cold.statements} / ${r.warm.statements} | ${r.cold.bytes.toLocaleString('en-US')} |`,
      );
    console.log(
      `| transactions page (100 SELLs of the ledger, with totalCount) | | ${page.ms.toFixed(1)} | ${page.statements} | ${page.bytes.toLocaleString('en-US')} |`,
    );
    console.log(
      `| recordTransaction: a SELL of ${sellSymbol} (re-checks that symbol's ~${Math.round(TRANSACTIONS / SYMBOLS).toLocaleString('en-US')} transactions) | ${record.ms.toFixed(1)} | | ${record.statements} | |`,
    );
  } finally {
    await restoreMarker?.();
    if (app && KEEP_DB && recorded.length > 0) {
      // Leave the kept ledger as seeded (a trigger deletes nothing else: SELLs have no investment).
      await app.services.db.$executeRaw`DELETE FROM transactions WHERE id = ANY(${recorded}::uuid[])`;
    }
    if (app) {
      const keys = await app.services.redis.keys(`${prefix}*`);
      if (keys.length > 0) await app.services.redis.del(...keys);
      await app.close();
    }
    if (!KEEP_DB) await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

await main();
