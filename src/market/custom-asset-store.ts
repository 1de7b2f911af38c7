/**
 * The symbol master and custom assets' closes as other domains use them. Market owns the
 * `assets` and `daily_prices` tables, so portfolios (investments, the ledger, custom assets,
 * import/export) reads and writes them through these, via market's door; the input rules and
 * the messages stay with the callers. Each takes a client or a transaction.
 */
import type { Asset } from '../generated/prisma/client.js';
import type { AssetType } from '../generated/prisma/enums.js';
import type { Db, Prisma } from '../platform/db.js';
import { CUSTOM_SOURCE } from './custom.js';

type DbOrTx = Db | Prisma.TransactionClient;

/**
 * The assets `symbols` name for a portfolio owned by `ownerId`: that owner's custom assets and
 * market assets. Should a market asset appear later under a symbol the owner already uses for a
 * custom asset, the owner's own asset wins: it is what their holdings were created against.
 */
export async function resolveAssets(db: DbOrTx, ownerId: string, symbols: readonly string[]): Promise<Map<string, Asset>> {
  const wanted = [...new Set(symbols)];
  if (wanted.length === 0) return new Map();
  const rows = await db.asset.findMany({
    where: { symbol: { in: wanted }, OR: [{ ownerId: null }, { ownerId }] },
  });
  const bySymbol = new Map<string, Asset>();
  for (const row of rows) {
    const existing = bySymbol.get(row.symbol);
    if (!existing || row.ownerId !== null) bySymbol.set(row.symbol, row);
  }
  return bySymbol;
}

/** Who already uses `symbol` for `ownerId`: a market asset, the owner's own custom asset, or nobody (null). */
export async function symbolTakenBy(db: DbOrTx, ownerId: string, symbol: string): Promise<'market' | 'owner' | null> {
  const taken = await db.asset.findFirst({
    where: { symbol, OR: [{ ownerId: null }, { ownerId }] },
    select: { ownerId: true },
  });
  if (!taken) return null;
  return taken.ownerId === null ? 'market' : 'owner';
}

/** The id of `ownerId`'s custom asset `symbol`; null when they have none (another user's does not count). */
export async function customAssetId(db: DbOrTx, ownerId: string, symbol: string): Promise<string | null> {
  const asset = await db.asset.findFirst({ where: { symbol, ownerId }, select: { id: true } });
  return asset?.id ?? null;
}

/** `ownerId`'s custom assets among `symbols`, by symbol, each with all its closes, oldest first. */
export function customAssetsWithCloses(db: DbOrTx, ownerId: string, symbols: readonly string[]) {
  return db.asset.findMany({
    where: { ownerId, symbol: { in: [...symbols] } },
    include: { prices: { orderBy: { date: 'asc' }, select: { date: true, close: true } } },
    orderBy: { symbol: 'asc' },
  });
}

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
