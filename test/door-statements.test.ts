/**
 * Reads across domains go through the owning domain's door (docs/architecture.md, Table
 * ownership) and still cost a constant number of SQL statements: the daily snapshot job per
 * batch of portfolios whatever the number of holdings (its values exact), the price feed's held
 * symbols whatever the number of holders, the alert evaluator's reload whatever the number of
 * portfolio alerts.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertEvaluator, NotifyOutbox } from '../src/alerts/index.js';
import { customAsset, statementCounter } from './analytics.js';
import { addInvestment, createPortfolio } from './portfolios.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser, type TestUser } from './users.js';

const t = useTestApp({ logQueries: true });
const DATE = '2024-06-12';
let owner: TestUser;
const ids: string[] = [];

/** Adds `n` holdings to each portfolio: AAPL, MSFT and the owner's custom asset BOAT. */
async function addHoldings(n: number): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const symbol = ['AAPL', 'MSFT', 'BOAT'][i]!;
    for (let k = 0; k < n; k++)
      await addInvestment(t, owner, id, { symbol, quantity: '2', purchasePrice: '10', purchaseDate: '2024-01-02' });
  }
}

beforeAll(async () => {
  owner = await createTestUser(t);
  await customAsset(t, owner, 'BOAT', { '2024-06-10': '12.5', '2024-06-13': '99' });
  for (let i = 0; i < 3; i++) ids.push((await createPortfolio(t, owner, { name: `Snapshot ${i}` })).id);
  await addHoldings(1);
}, 30_000);

describe('the daily snapshot job', () => {
  it('costs four statements per batch of portfolios, for 1 holding each as for 11', async () => {
    const reports = t.app.services.reports;
    const count = statementCounter(t);
    // The first run fetches the market history of the week (a cold database), then stores.
    expect(await reports.snapshotDay(DATE)).toMatchObject({ portfolios: 3, written: 3 });
    const boat = await t.app.services.db.portfolioSnapshot.findUniqueOrThrow({
      where: { portfolioId_date: { portfolioId: ids[2]!, date: new Date(`${DATE}T00:00:00Z`) } },
    });
    // 2 × the last close on or before the day (12.5); the cost 2 × 10.
    expect([boat.value.toString(), boat.cost.toString()]).toEqual(['25', '20']);

    const small = await count(() => reports.snapshotDay(DATE, { batchSize: 10 }));
    await addHoldings(10);
    const large = await count(() => reports.snapshotDay(DATE, { batchSize: 10 }));
    // Two batches (2 and 1 portfolios).
    const twoBatches = await count(() => reports.snapshotDay(DATE, { batchSize: 2 }));
    expect({ small, large, twoBatches }).toEqual({ small: 4, large: 4, twoBatches: 8 });
  });
});

describe("the price feed's held symbols", () => {
  it('cost two statements (the custom assets from market, the symbols held apart from them from portfolios), for 33 holdings as for 63', async () => {
    const market = t.app.services.market;
    const count = statementCounter(t);
    // BOAT is the owner's custom asset: priced from stored prices, never by the feed.
    expect(await market.heldSymbols()).toEqual(['AAPL', 'MSFT']);
    const small = await count(() => market.heldSymbols());
    await addHoldings(10);
    const large = await count(() => market.heldSymbols());
    expect({ small, large }).toEqual({ small: 2, large: 2 });
  });
});

describe("the alert evaluator's reload", () => {
  it('costs three statements (alerts, roles, portfolio names and held symbols), for 1 portfolio alert as for 3', async () => {
    const { db, redis, channels, market, valuations, portfolioAccess, analytics, config } = t.app.services;
    const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
    const outbox = NotifyOutbox.open(config, db, log);
    const evaluator = new AlertEvaluator({
      db,
      redis,
      channels,
      market,
      valuations,
      access: portfolioAccess,
      analytics,
      outbox,
      prefix: config.REDIS_PREFIX,
      log,
    });
    try {
      const count = statementCounter(t);
      const alertOn = (portfolioId: string) =>
        db.alert.create({
          data: { userId: owner.id, condition: 'PORTFOLIO_VALUE_BELOW', portfolioId, threshold: '1', channels: ['IN_APP'] },
        });
      await alertOn(ids[0]!);
      const one = await count(() => evaluator.reload());
      await alertOn(ids[1]!);
      await alertOn(ids[2]!);
      const three = await count(() => evaluator.reload());
      expect({ one, three }).toEqual({ one: 3, three: 3 });
    } finally {
      await evaluator.close();
      await outbox.close();
    }
  });
});
