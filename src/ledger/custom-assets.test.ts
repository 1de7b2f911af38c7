/** Custom assets: private symbols that must not collide, with daily prices their owner sets. */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateCustomAssetDocument, SetCustomAssetPricesDocument } from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { ok, seedMarketAssets } from '../../test/portfolios.js';

const t = useTestApp();
let me: TestUser;
beforeAll(async () => {
  await seedMarketAssets(t);
  me = await createTestUser(t);
});

const house = { symbol: 'HOUSE-1', name: 'Flat in Lisbon', type: 'REAL_ESTATE' as const, currency: 'EUR', sector: 'Residential' };

async function pricesOf(symbol: string, ownerId: string) {
  return t.app.services.db.dailyPrice.findMany({
    where: { asset: { symbol, ownerId } },
    orderBy: { date: 'asc' },
  });
}

describe('createCustomAsset', () => {
  it('creates a private asset; a market symbol or one of mine again is a CONFLICT; another user may use the name', async () => {
    const created = ok(await t.gql(CreateCustomAssetDocument, { input: house }, { token: me.token })).createCustomAsset;
    expect(created).toEqual(house);
    const row = await t.app.services.db.asset.findFirstOrThrow({ where: { symbol: 'HOUSE-1' } });
    expect(row.ownerId).toBe(me.id);

    const again = await t.gql(CreateCustomAssetDocument, { input: { ...house, symbol: ' house-1 ' } }, { token: me.token });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toBe('You already have a custom asset HOUSE-1');

    const market = await t.gql(CreateCustomAssetDocument, { input: { ...house, symbol: 'aapl' } }, { token: me.token });
    expect(errorCode(market)).toBe('CONFLICT');
    expect(market.errors?.[0]?.message).toMatch(/AAPL is a market symbol/);

    const someoneElse = await createTestUser(t);
    expect(ok(await t.gql(CreateCustomAssetDocument, { input: house }, { token: someoneElse.token })).createCustomAsset.symbol).toBe(
      'HOUSE-1',
    );
  });

  it('checks every field at once, and anonymous callers are UNAUTHENTICATED', async () => {
    const bad = await t.gql(
      CreateCustomAssetDocument,
      { input: { symbol: 'has space', name: '', type: 'OTHER', currency: 'EURO' } },
      { token: me.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect((bad.errors?.[0]?.extensions?.details as { field: string }[]).map((d) => d.field)).toEqual(['symbol', 'name', 'currency']);
    expect(errorCode(await t.gql(CreateCustomAssetDocument, { input: house }))).toBe('UNAUTHENTICATED');
  });
});

describe('setCustomAssetPrices', () => {
  it('stores closes as daily prices (open = high = low = close, source custom), upserting by date', async () => {
    ok(await t.gql(CreateCustomAssetDocument, { input: { ...house, symbol: 'FUND-A' } }, { token: me.token }));
    const stored = ok(
      await t.gql(
        SetCustomAssetPricesDocument,
        {
          symbol: 'fund-a',
          prices: [
            { date: '2024-01-02', close: '100.5' },
            { date: '2024-01-03', close: '101.12345678' },
          ],
        },
        { token: me.token },
      ),
    ).setCustomAssetPrices;
    expect(stored).toBe(2);
    const replaced = ok(
      await t.gql(
        SetCustomAssetPricesDocument,
        {
          symbol: 'FUND-A',
          prices: [
            { date: '2024-01-03', close: '99' },
            { date: '2024-01-04', close: '0' },
          ],
        },
        { token: me.token },
      ),
    ).setCustomAssetPrices;
    expect(replaced).toBe(2);

    const rows = await pricesOf('FUND-A', me.id);
    expect(
      rows.map((r) => [
        r.date.toISOString().slice(0, 10),
        r.open.toFixed(),
        r.high.toFixed(),
        r.low.toFixed(),
        r.close.toFixed(),
        r.source,
        r.volume,
      ]),
    ).toEqual([
      ['2024-01-02', '100.5', '100.5', '100.5', '100.5', 'custom', null],
      ['2024-01-03', '99', '99', '99', '99', 'custom', null],
      ['2024-01-04', '0', '0', '0', '0', 'custom', null],
    ]);
    expect(ok(await t.gql(SetCustomAssetPricesDocument, { symbol: 'FUND-A', prices: [] }, { token: me.token })).setCustomAssetPrices).toBe(
      0,
    );
  });

  it("refuses bad prices all at once, and another user's asset (or a market one) is not found", async () => {
    ok(await t.gql(CreateCustomAssetDocument, { input: { ...house, symbol: 'FUND-B' } }, { token: me.token }));
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const bad = await t.gql(
      SetCustomAssetPricesDocument,
      {
        symbol: 'FUND-B',
        prices: [
          { date: '2024-01-02', close: '-1' },
          { date: '2024-01-02', close: '1' },
          { date: future, close: '1.123456789' },
        ],
      },
      { token: me.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.details).toEqual([
      { field: 'prices[0].close', message: 'must not be negative' },
      { field: 'prices[1].date', message: '2024-01-02 appears more than once' },
      { field: 'prices[2].date', message: 'must not be in the future' },
      { field: 'prices[2].close', message: 'must have at most 8 digits after the decimal point' },
    ]);
    expect(await pricesOf('FUND-B', me.id)).toEqual([]);

    const other = await createTestUser(t);
    const notYours = await t.gql(
      SetCustomAssetPricesDocument,
      { symbol: 'FUND-B', prices: [{ date: '2024-01-02', close: '1' }] },
      { token: other.token },
    );
    expect(errorCode(notYours)).toBe('NOT_FOUND');
    const marketOne = await t.gql(
      SetCustomAssetPricesDocument,
      { symbol: 'AAPL', prices: [{ date: '2024-01-02', close: '1' }] },
      { token: me.token },
    );
    expect(errorCode(marketOne)).toBe('NOT_FOUND');
  });
});
