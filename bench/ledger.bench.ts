/**
 * Speed of the ledger at scale: a portfolio of 100,000 transactions over 20 years (50 symbols:
 * buys, sells that never oversell, dividends, fees, a few splits, deposits), read through the
 * whole GraphQL stack (HTTP inject, authentication, role check, PostgreSQL): holdings, lots and
 * realized gains (target: under 1 s each, from a cold cache: the ledger is replayed on every
 * request), a what-if realized-gain report by another method, the valuation, and recording one
 * more SELL (its re-check replays that symbol's transactions).
 *
 * It creates a scratch database (migrated like production, dropped at the end) and prints
 * medians in ms as a markdown table with the SQL statements each request ran.
 *
 * Run: npx tsx bench/ledger.bench.ts [--runs N] [--transactions N]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { UNIVERSE } from '../src/market/providers/universe.js';
import { migrate } from '../src/platform/migrate.js';
import { databaseUrl, testDatabaseName, withAdmin } from '../test/db.js';
import { testConfig } from '../test/harness.js';

const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = argument('--runs', 7);
const TRANSACTIONS = argument('--transactions', 100_000);
const SYMBOLS = 50;
const YEARS = 20;

const HOLDINGS = `query Holdings($id: ID!) { portfolio(id: $id) { holdings { symbol quantity averageCost costBasis { amount currency } marketValue { amount } weight } } }`;
const LOTS = `query Lots($id: ID!) { portfolio(id: $id) { lots { id symbol openedOn quantity remainingQuantity costPerShare } } }`;
const GAINS = `query Gains($id: ID!) { portfolio(id: $id) { realizedGains { total { amount } shortTerm { amount } longTerm { amount } items { lotId quantity gain { amount } longTerm } } } }`;
const GAINS_HIFO = `query Gains($id: ID!) { portfolio(id: $id) { realizedGains(method: HIFO) { total { amount } shortTerm { amount } longTerm { amount } } } }`;
const ALL = `query All($id: ID!) { portfolio(id: $id) { holdings { symbol quantity } lots { id } realizedGains { total { amount } } cashBalances { amount currency } } }`;
const VALUATION = `query Valuation($id: ID!) { portfolio(id: $id) { valuation { currency totalValue totalCost } } }`;
const TRANSACTIONS_PAGE = `query Page($id: ID!) { portfolio(id: $id) { transactions(first: 100, types: [SELL]) { totalCount edges { node { id date quantity } } } } }`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A deterministic pseudo-random stream (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  id: string;
  type: string;
  date: string;
  symbol: string | null;
  quantity: string | null;
  price: string | null;
  amount: string;
  fee: string;
  split_from: string | null;
  split_to: string | null;
}

/** A valid ledger: sells never exceed what is held (tracked here as whole shares). */
function generate(symbols: string[]): Row[] {
  const next = random(42);
  const held = new Map<string, number>();
  const start = Date.parse('2006-01-02T00:00:00Z');
  const span = YEARS * 365 * 86_400_000;
  const rows: Row[] = [];
  const blank = { symbol: null, quantity: null, price: null, split_from: null, split_to: null };
  for (let i = 0; i < TRANSACTIONS; i++) {
    const date = new Date(start + Math.floor((span * i) / TRANSACTIONS)).toISOString().slice(0, 10);
    const symbol = symbols[Math.floor(next() * symbols.length)]!;
    const price = (20 + next() * 180).toFixed(2);
    const roll = next();
    const have = held.get(symbol) ?? 0;
    if (i === 0 || roll < 0.01) {
      rows.push({ ...blank, id: randomUUID(), type: 'DEPOSIT', date, amount: '10000', fee: '0' });
    } else if (roll < 0.6 || have < 2) {
      const quantity = 1 + Math.floor(next() * 20);
      held.set(symbol, have + quantity);
      rows.push({
        ...blank,
        id: randomUUID(),
        type: 'BUY',
        date,
        symbol,
        quantity: String(quantity),
        price,
        amount: (quantity * Number(price)).toFixed(2),
        fee: '1',
      });
    } else if (roll < 0.85) {
      const quantity = 1 + Math.floor(next() * (have / 2));
      held.set(symbol, have - quantity);
      rows.push({
        ...blank,
        id: randomUUID(),
        type: 'SELL',
        date,
        symbol,
        quantity: String(quantity),
        price,
        amount: (quantity * Number(price)).toFixed(2),
        fee: '1',
      });
    } else if (roll < 0.95) {
      rows.push({
        ...blank,
        id: randomUUID(),
        type: 'DIVIDEND',
        date,
        symbol,
        amount: (have * 0.1).toFixed(2),
        fee: (have * 0.015).toFixed(2),
      });
    } else if (roll < 0.9995) {
      rows.push({ ...blank, id: randomUUID(), type: 'FEE', date, amount: '2.5', fee: '0' });
    } else {
      held.set(symbol, have * 2);
      rows.push({ ...blank, id: randomUUID(), type: 'SPLIT', date, symbol, amount: '0', fee: '0', split_from: '1', split_to: '2' });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const name = testDatabaseName('ledgerbench');
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const prefix = `bench:${randomBytes(5).toString('hex')}:`;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
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
    await app.services.market.syncMarketAssets();
    const user = await db.user.create({
      data: { email: `bench-${prefix}@example.com`, name: 'Bench', passwordHash: 'x', emailVerified: true },
    });
    const session = await db.session.create({ data: { userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) } });
    const token = await tokens.sign(user.id, session.id);
    const portfolio = await db.portfolio.create({ data: { ownerId: user.id, name: 'Bench' } });

    const rows = generate(symbols);
    const loadStarted = performance.now();
    const base = Date.now() - rows.length;
    for (let from = 0; from < rows.length; from += 10_000) {
      const chunk = rows.slice(from, from + 10_000);
      const column = <K extends keyof Row>(key: K) => chunk.map((r) => r[key]);
      await db.$executeRaw`
        INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, split_from, split_to, created_at, updated_at)
        SELECT id, ${portfolio.id}::uuid, type::"TransactionType", date, symbol, quantity, price, amount, fee, 'USD', 1, split_from, split_to, created_at, now()
        FROM unnest(${column('id')}::uuid[], ${column('type')}::text[], ${column('date')}::date[], ${column('symbol')}::text[], ${column('quantity')}::numeric[],
                    ${column('price')}::numeric[], ${column('amount')}::numeric[], ${column('fee')}::numeric[], ${column('split_from')}::numeric[], ${column('split_to')}::numeric[],
                    ${chunk.map((_, i) => new Date(base + from + i).toISOString())}::timestamptz[])
          AS t(id, type, date, symbol, quantity, price, amount, fee, split_from, split_to, created_at)`;
      // Every BUY is an investment too (its trigger leaves the BUY already there alone).
      await db.$executeRaw`
        INSERT INTO investments (id, portfolio_id, symbol, name, type, quantity, purchase_price, purchase_date, created_at, updated_at)
        SELECT id, portfolio_id, symbol, symbol, 'STOCK', quantity, price, date, created_at, now()
        FROM transactions WHERE portfolio_id = ${portfolio.id}::uuid AND type = 'BUY' AND id = ANY(${chunk.filter((r) => r.type === 'BUY').map((r) => r.id)}::uuid[])`;
    }
    await db.$executeRaw`ANALYZE transactions`;
    const loadMs = performance.now() - loadStarted;
    const counts = await db.transaction.groupBy({ by: ['type'], where: { portfolioId: portfolio.id }, _count: true });

    const inject = async (query: string, variables: Record<string, unknown> = { id: portfolio.id }) => {
      const response = await app!.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify({ query, variables }),
      });
      const body = response.json() as { errors?: unknown[] };
      if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
      return response.body.length;
    };
    const time = async (query: string, variables?: () => Record<string, unknown>, runs = RUNS) => {
      await inject(query, variables?.());
      const times: number[] = [];
      const statementCounts: number[] = [];
      let bytes = 0;
      for (let run = 0; run < runs; run++) {
        const before = statements;
        const started = performance.now();
        bytes = await inject(query, variables?.());
        times.push(performance.now() - started);
        statementCounts.push(statements - before);
      }
      return { ms: median(times), min: Math.min(...times), statements: median(statementCounts), bytes };
    };
    const sellSymbol = symbols[0]!;
    const RECORD = `mutation Sell($id: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $id, input: $input) { id } }`;
    const sell = () => ({
      id: portfolio.id,
      input: { type: 'SELL', symbol: sellSymbol, date: '2026-01-05', quantity: '0.001', price: '100' },
    });

    const results = [
      ['holdings (50 open positions)', await time(HOLDINGS)],
      ['lots (every open lot)', await time(LOTS)],
      ['realized gains (every closed lot part, FIFO)', await time(GAINS)],
      ['realized gains, what-if HIFO (totals)', await time(GAINS_HIFO)],
      ['holdings + lots + realized gains + cash in one query', await time(ALL)],
      ['valuation (open lots at quotes, base currency)', await time(VALUATION)],
      ['transactions page (100 SELLs of the ledger, with totalCount)', await time(TRANSACTIONS_PAGE)],
      [
        `recordTransaction: a SELL of ${sellSymbol} (re-checks that symbol's ~${Math.round(TRANSACTIONS / SYMBOLS).toLocaleString('en-US')} transactions)`,
        await time(RECORD, sell),
      ],
    ] as const;

    const mix = counts.map((c) => `${c._count.toLocaleString('en-US')} ${c.type}`).join(', ');
    console.log(
      `\n${TRANSACTIONS.toLocaleString('en-US')} transactions over ${YEARS} years, ${SYMBOLS} symbols (${mix}); loaded in ${Math.round(loadMs)} ms; median of ${RUNS} runs after a warm-up (every request replays the ledger: there is no cache to warm), Node ${process.version}\n`,
    );
    console.log('| request | median ms | min ms | SQL statements | response bytes |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [label, r] of results)
      console.log(`| ${label} | ${r.ms.toFixed(1)} | ${r.min.toFixed(1)} | ${r.statements} | ${r.bytes.toLocaleString('en-US')} |`);
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
