/**
 * Test fixtures for analytics (src/analytics tests): assets whose prices the test sets exactly,
 * so expected figures can be computed independently, and statement counting.
 */
import { CreateCustomAssetDocument, SetCustomAssetPricesDocument, type AssetType } from '../schema/sdk/graphql.js';
import type { TestApp } from './harness.js';
import { statementCounter as countStatementsOf } from '../src/platform/db.js';
import { ok } from './portfolios.js';
import type { TestUser } from './users.js';

/** Closes by date ('YYYY-MM-DD' → exact decimal text). */
export type Closes = Record<string, string>;

/** The weekdays of 2 to 12 January 2024: the price series several analytics tests trade on. */
export const JANUARY_2024_WEEKDAYS: readonly string[] = [
  '2024-01-02',
  '2024-01-03',
  '2024-01-04',
  '2024-01-05',
  '2024-01-08',
  '2024-01-09',
  '2024-01-10',
  '2024-01-11',
  '2024-01-12',
];

/** A custom asset of `user` with exactly these closes (through the GraphQL mutations). */
export async function customAsset(
  t: TestApp,
  user: TestUser,
  symbol: string,
  closes: Closes,
  { type = 'STOCK', sector, currency = 'USD' }: { type?: AssetType; sector?: string; currency?: string } = {},
): Promise<void> {
  ok(await t.gql(CreateCustomAssetDocument, { input: { symbol, name: `${symbol} asset`, type, currency, sector } }, { token: user.token }));
  await setCustomPrices(t, user, symbol, closes);
}

export async function setCustomPrices(t: TestApp, user: TestUser, symbol: string, closes: Closes): Promise<void> {
  const prices = Object.entries(closes).map(([date, close]) => ({ date, close }));
  ok(await t.gql(SetCustomAssetPricesDocument, { symbol, prices }, { token: user.token }));
}

/**
 * A market asset no provider knows, with stored closes and its history recorded as fetched from
 * `covered.from` to `covered.to` (so the market service never asks the providers for those days),
 * the way the L3 price store holds market history.
 */
export async function storedMarketAsset(
  t: TestApp,
  symbol: string,
  closes: Closes,
  covered: { from: string; to: string },
  asset: { type?: AssetType; exchange?: string | null; sector?: string | null } = {},
): Promise<void> {
  const db = t.app.services.db;
  const { id } = await db.asset.create({
    data: {
      symbol,
      name: `${symbol} market asset`,
      type: asset.type ?? 'ETF',
      currency: 'USD',
      sector: asset.sector ?? null,
      exchange: asset.exchange ?? 'TEST',
    },
  });
  const dates = Object.keys(closes);
  await db.$executeRaw`
    INSERT INTO daily_prices (asset_id, date, open, high, low, close, volume, source)
    SELECT ${id}::uuid, p.date, p.close, p.close, p.close, p.close, NULL, 'test'
    FROM unnest(${dates}::date[], ${dates.map((d) => closes[d]!)}::numeric[]) AS p(date, close)`;
  await db.priceHistoryCoverage.create({
    data: { assetId: id, fromDate: new Date(`${covered.from}T00:00:00Z`), toDate: new Date(`${covered.to}T00:00:00Z`) },
  });
}

/** Counts the SQL statements an app built with `logQueries: true` runs. */
export function statementCounter(t: TestApp): (run: () => Promise<unknown>) => Promise<number> {
  return countStatementsOf(t.app.services.db);
}

/** Forgets every cached analytics report of the app (a cold cache; prices stay stored). */
export async function clearAnalyticsCache(t: TestApp): Promise<void> {
  const redis = t.app.services.redis;
  const keys = await redis.keys(`${t.config.REDIS_PREFIX}analytics:*`);
  if (keys.length > 0) await redis.del(...keys);
}

/** How many analytics reports of a kind were served from the cache / computed so far. */
export async function analyticsCacheLookups(t: TestApp, report: string): Promise<{ hit: number; miss: number }> {
  const metric = await t.app.services.analytics.metrics.cacheLookups.get();
  const count = (result: string) => metric.values.find((v) => v.labels.report === report && v.labels.result === result)?.value ?? 0;
  return { hit: count('hit'), miss: count('miss') };
}
