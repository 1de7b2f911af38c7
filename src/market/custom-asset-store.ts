/**
 * Writes of custom assets and their daily closes. Market owns the `assets` and `daily_prices`
 * tables, so portfolios (custom assets, imports) writes them through these, via market's door;
 * the input rules stay with the callers. Each takes a client or a transaction.
 */
import type { Asset } from '../generated/prisma/client.js';
import type { AssetType } from '../generated/prisma/enums.js';
import type { Db, Prisma } from '../platform/db.js';
import { CUSTOM_SOURCE } from './custom.js';

type DbOrTx = Db | Prisma.TransactionClient;

export interface NewCustomAsset {
  symbol: string;
  name: string;
  type: AssetType;
  currency: string;
  sector: string | null;
}

/** Creates a user's custom asset (the unique index refuses a second one of the same symbol: P2002). */
export function insertCustomAsset(db: DbOrTx, ownerId: string, asset: NewCustomAsset): Promise<Asset> {
  return db.asset.create({ data: { ...asset, ownerId } });
}

/**
 * Upserts daily closes of a custom asset (open = high = low = close, source "custom") in one
 * statement, however many there are. Returns how many were stored.
 */
export async function storeCustomPrices(db: DbOrTx, assetId: string, points: readonly { date: string; close: string }[]): Promise<number> {
  if (points.length === 0) return 0;
  return db.$executeRaw`
    INSERT INTO daily_prices (asset_id, date, open, high, low, close, volume, source)
    SELECT ${assetId}::uuid, point.date, point.close, point.close, point.close, point.close, NULL, ${CUSTOM_SOURCE}
    FROM unnest(${points.map((p) => p.date)}::date[], ${points.map((p) => p.close)}::numeric[]) AS point(date, close)
    ON CONFLICT (asset_id, date) DO UPDATE
      SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
          volume = NULL, source = EXCLUDED.source`;
}
