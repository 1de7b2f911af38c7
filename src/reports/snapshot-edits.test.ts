/**
 * Portfolio.snapshots after a back-dated edit (issue 23, item 8): a snapshot taken of the ledger
 * as it was is taken again when the ledger up to its day has changed since, so a deleted lot no
 * longer counts in past days' values; a snapshot of an unchanged day stays as stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PortfolioSnapshotsDocument, RemoveInvestmentDocument } from '../../schema/sdk/graphql.js';
import { customAsset } from '../../test/analytics.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';

const t = useTestApp();
let owner: TestUser;

beforeAll(async () => {
  owner = await createTestUser(t);
  await customAsset(t, owner, 'SNAP', { '2024-05-01': '10', '2024-05-02': '11', '2024-05-03': '12' });
});

const snapshots = async (id: string) =>
  ok(await t.gql(PortfolioSnapshotsDocument, { id, from: '2024-05-01', to: '2024-05-03' }, { token: owner.token })).portfolio!.snapshots;

describe('Portfolio.snapshots after a back-dated delete', () => {
  it('serves the values of the ledger as it is now, not of the ledger the job saw', async () => {
    const { id } = await createPortfolio(t, owner);
    await addInvestment(t, owner, id, { symbol: 'SNAP', quantity: '5', purchasePrice: '10', purchaseDate: '2024-05-01' });
    const late = await addInvestment(t, owner, id, { symbol: 'SNAP', quantity: '2', purchasePrice: '11', purchaseDate: '2024-05-02' });
    for (const date of ['2024-05-01', '2024-05-02', '2024-05-03']) await t.app.services.reports.snapshotDay(date);
    expect((await snapshots(id)).map((s) => [s.date, Number(s.value)])).toEqual([
      ['2024-05-01', 50],
      ['2024-05-02', 77],
      ['2024-05-03', 84],
    ]);

    // The lot of 05-02 was a mistake: deleted, the days from 05-02 on are worth 5 shares only.
    ok(await t.gql(RemoveInvestmentDocument, { id: late.id }, { token: owner.token }));
    const after = await snapshots(id);
    expect(after.map((s) => [s.date, Number(s.value), Number(s.cost)])).toEqual([
      ['2024-05-01', 50, 50],
      ['2024-05-02', 55, 50],
      ['2024-05-03', 60, 50],
    ]);
    // Taken again once: a second read finds them current.
    expect(await snapshots(id)).toEqual(after);
  });
});
