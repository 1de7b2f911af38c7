/**
 * The daily snapshot job reads through the owning domains' doors (portfolios' holdings, market's
 * stored closes, analytics' ledgers) and still costs a constant number of SQL statements per
 * batch of portfolios, whatever the number of holdings; its values are exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { customAsset, statementCounter } from '../../test/analytics.js';
import { addInvestment, createPortfolio } from '../../test/portfolios.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';

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
