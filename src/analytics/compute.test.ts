/**
 * Heavy analytics off the event loop (issue 21): reports over the size threshold are computed in
 * the worker threads with the very figures the inline path gives, while the API keeps answering;
 * one account may run a bounded number at a time; and the request budget counts their CPU,
 * charged before the work starts. (How long /health takes meanwhile is measured by
 * bench/stalls.bench.ts, not here.)
 */
import { describe, expect, it, vi } from 'vitest';

// Tens of millions of simulated cells per test: on a busy machine they take longer than the default 30 s.
vi.setConfig({ testTimeout: 180_000 });
import { errorCode, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { SharePortfolioDocument } from '../../schema/sdk/graphql.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addDays, isoDateOf } from '../platform/dates.js';
import { UNIVERSE } from '../market/providers/universe.js';
import { budgetUnits, windowCells } from './compute.js';

const SYMBOLS = UNIVERSE.filter((i) => i.exchange && i.currency === 'USD' && i.type === 'STOCK' && i.symbol !== 'SPY')
  .slice(0, 10)
  .map((i) => i.symbol);
const TODAY = isoDateOf(new Date());
const FROM = addDays(TODAY, -200);
const TO = addDays(TODAY, -1);

const SIMULATION = `query($id: ID!, $paths: Int, $horizonDays: Int, $seed: Int, $from: Date, $to: Date) {
  portfolio(id: $id) { simulation(paths: $paths, horizonDays: $horizonDays, seed: $seed, from: $from, to: $to) {
    symbols observations startValue expectedValue valueAtRisk bands { day p5 p25 p50 p75 p95 } } } }`;
const RISK = `query($id: ID!, $confidence: Float, $from: Date, $to: Date) {
  portfolio(id: $id) { risk(confidence: $confidence, from: $from, to: $to) {
    observations volatility sharpeRatio sortinoRatio beta maxDrawdown valueAtRisk conditionalValueAtRisk parametricValueAtRisk
    correlations { a b coefficient } } } }`;
const PERFORMANCE = `query($id: ID!, $from: Date, $to: Date) {
  portfolio(id: $id) { performance(from: $from, to: $to) { timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } } } }`;
const FACTORS = `query($id: ID!, $from: Date, $to: Date) {
  portfolio(id: $id) { factorExposure(factors: ["SPY"], from: $from, to: $to) { observations alpha annualizedAlpha rSquared betas { factor beta } } } }`;

/** A portfolio of the ten simulated stocks, bought 200 days ago. */
async function tenHoldings(t: TestApp, user: TestUser): Promise<string> {
  const { id } = await createPortfolio(t, user);
  for (const [i, symbol] of SYMBOLS.entries())
    await addInvestment(t, user, id, { symbol, quantity: String(5 + i), purchasePrice: '100', purchaseDate: FROM });
  return id;
}

async function offloaded(t: TestApp, report: string): Promise<number> {
  const metrics = await t.app.services.metrics.registry.getSingleMetricAsString('foliograph_analytics_offloaded_total').catch(() => '');
  const line = metrics.split('\n').find((l) => l.startsWith(`foliograph_analytics_offloaded_total{report="${report}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the same figures inline and in the worker threads', () => {
  // Everything in the threads; the same database read by an app that computes everything inline.
  const threads = useTestApp({ env: { ANALYTICS_OFFLOAD_CELLS: '0' } });
  const inline = useTestApp(() => ({ database: threads.database, env: { ANALYTICS_OFFLOAD_CELLS: String(Number.MAX_SAFE_INTEGER) } }));

  it('simulation (same seed, same numbers), risk, performance and factor exposure', async () => {
    const user = await createTestUser(threads);
    const id = await tenHoldings(threads, user);
    const ask = (t: TestApp, query: string, variables: Record<string, unknown>) =>
      t.gql(query, { id, from: FROM, to: TO, ...variables }, { token: user.token });
    for (const [query, variables, report] of [
      [SIMULATION, { paths: 300, horizonDays: 20, seed: 42 }, 'simulation'],
      [RISK, { confidence: 0.9 }, 'risk'],
      [PERFORMANCE, {}, 'performance'],
      [FACTORS, {}, 'factorExposure'],
    ] as const) {
      const inThreads = await ask(threads, query, variables);
      const inLine = await ask(inline, query, variables);
      expect(inThreads.errors).toBeUndefined();
      expect(inLine.errors).toBeUndefined();
      expect(JSON.stringify(inThreads.data)).toBe(JSON.stringify(inLine.data));
      expect(await offloaded(threads, report)).toBe(1);
      expect(await offloaded(inline, report)).toBe(0);
    }
    // The simulation did simulate: ten symbols, bands for every day.
    const again = await ask(threads, SIMULATION, { paths: 300, horizonDays: 20, seed: 42 });
    expect((again.data as { portfolio: { simulation: { symbols: string[]; bands: unknown[] } } }).portfolio.simulation).toMatchObject({
      symbols: [...SYMBOLS].sort(),
      bands: expect.arrayContaining([expect.objectContaining({ day: 20 })]),
    });
  });
});

describe('heavy work leaves the event loop free, one account at a time', () => {
  const t = useTestApp({ env: { ANALYTICS_THREADS: '1', ANALYTICS_CONCURRENCY_PER_USER: '1' } });

  it('the API answers while a simulation computes; a second one of the same account is refused, another account’s waits its turn', async () => {
    const alice = await createTestUser(t);
    const bob = await createTestUser(t);
    const aliceId = await tenHoldings(t, alice);
    const bobId = await tenHoldings(t, bob);
    const simulate = (user: TestUser, id: string, seed: number) =>
      t.gql(SIMULATION, { id, paths: 20_000, horizonDays: 252, seed, from: FROM, to: TO }, { token: user.token });
    // Warm the price history, so the simulation below is all computation.
    expect(
      (await t.gql(SIMULATION, { id: aliceId, paths: 10, horizonDays: 2, from: FROM, to: TO }, { token: alice.token })).errors,
    ).toBeUndefined();

    let settled = false;
    const first = simulate(alice, aliceId, 1).finally(() => (settled = true));
    const computer = t.app.services.analytics.computer;
    await until(() => computer.pending.running === 1, 'the simulation to run in a thread');
    // 50 million cells take seconds; meanwhile the event loop serves other requests.
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const second = await simulate(alice, aliceId, 2);
    expect(errorCode(second)).toBe('RATE_LIMITED');
    expect(second.errors?.[0]?.message).toMatch(/at a time/);
    expect(settled).toBe(false);
    // Another account is not held back by Alice's cap: its simulation queues for the thread.
    const others = simulate(bob, bobId, 3);
    await until(() => computer.pending.queued === 1, 'the other account’s simulation to queue');
    expect(settled).toBe(false);
    expect((await first).errors).toBeUndefined();
    expect((await others).errors).toBeUndefined();
  });
});

describe('the request budget counts CPU, before the work starts', () => {
  const t = useTestApp({ env: { RATE_LIMIT_COST_PER_MINUTE: '5500' } });

  it('each simulation costs its paths × days × holdings on top of its complexity; over the budget nothing is computed', async () => {
    // The owner's budget pays for building the portfolio; the viewer's is whole.
    const owner = await createTestUser(t);
    const user = await createTestUser(t);
    const id = await tenHoldings(t, owner);
    ok(await t.gql(SharePortfolioDocument, { portfolioId: id, email: user.email, permission: 'VIEW' }, { token: owner.token }));
    // 2,000 paths × 252 days × 10 holdings ≈ 5 million cells (+ the window's): 254 units on top of
    // the query's complexity, 2,568. With 5,500 a minute the first fits; the second passes the
    // complexity check (2,678 left) but not its CPU (110 left). Counted by complexity alone, both fit.
    const paths = 2_000;
    const cells = paths * 252 * SYMBOLS.length + windowCells({ from: FROM, to: TO }, SYMBOLS.length);
    const units = budgetUnits(cells);
    expect(units).toBe(254);
    const results = [];
    for (let seed = 1; seed <= 2; seed++)
      results.push(await t.gql(SIMULATION, { id, paths, horizonDays: 252, seed, from: FROM, to: TO }, { token: user.token }));
    expect(results[0]!.errors).toBeUndefined();
    expect(errorCode(results[1]!)).toBe('RATE_LIMITED');
    expect(results[1]!.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(results[1]!.errors?.[0]?.message).toMatch(new RegExp(`costs ${units} units and 110 are left`));
    // Refused before it was computed: one simulation ran, not two.
    expect(await t.app.services.analytics.metrics.cacheLookups.get()).toMatchObject({
      values: expect.arrayContaining([expect.objectContaining({ labels: { report: 'simulation', result: 'miss' }, value: 2 })]),
    });
    expect(await offloaded(t, 'simulation')).toBe(1);
  });

  it('a computed risk report costs its window × holdings; the same report from the cache does not', async () => {
    const user = await createTestUser(t);
    const id = await tenHoldings(t, user);
    const remaining = async () => Number((await t.gql(`{ me { id } }`, {}, { token: user.token })).headers['ratelimit-remaining']);
    const risk = async (confidence: number) => {
      const result = await t.gql(RISK, { id, confidence, from: FROM, to: TO }, { token: user.token });
      expect(result.errors).toBeUndefined();
    };
    // The readings themselves cost the same each time; only the risk report's own cost differs.
    const before = await remaining();
    await risk(0.9);
    const afterComputed = await remaining();
    await risk(0.9);
    const afterCached = await remaining();
    const symbols = SYMBOLS.length + 1; // the holdings and the default benchmark, SPY
    const cpu = budgetUnits(windowCells({ from: FROM, to: TO }, symbols));
    expect(cpu).toBeGreaterThan(0);
    expect(before - afterComputed - (afterComputed - afterCached)).toBe(cpu);
  });
});
