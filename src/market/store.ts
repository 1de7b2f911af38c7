/**
 * The market domain's PostgreSQL side: the symbol master (`assets`) and the permanent daily price
 * store (`daily_prices`, the L3 cache for market data and the only source for custom assets),
 * with what has been fetched recorded in `price_history_coverage`.
 *
 * Visibility rule, the same in every query here: a market asset (owner_id null) is everyone's;
 * a custom asset is its owner's only. A custom symbol never collides with a market symbol when it
 * is created (src/ledger/assets.ts refuses that); should a market asset appear later under
 * the same symbol, the owner's custom asset still counts for its owner (their holdings were made
 * against it, as src/portfolios resolves them) and for nobody else.
 * Prices travel as exact decimal strings without trailing zeros (trim_scale(numeric)::text),
 * never floats.
 */
import { Prisma, type Db } from '../platform/db.js';
import type { AssetType, ProviderCandle, ProviderSymbol } from './providers/types.js';

export interface AssetRow {
  id: string;
  symbol: string;
  name: string;
  type: AssetType;
  currency: string;
  sector: string | null;
  exchange: string | null;
  ownerId: string | null;
}

/** A symbol as one caller sees it: their custom asset if they have one, else the market asset. */
export interface ResolvedAsset {
  market: (AssetRow & { coverage: DateRange | null }) | null;
  custom: AssetRow | null;
}

export interface DateRange {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

/** The latest two closes on or before a day of one asset, for a quote. */
export interface LatestClose {
  ownerId: string | null;
  symbol: string;
  currency: string;
  /** Newest first: [latest, previous?]; empty when the asset has no price yet. */
  closes: string[];
  /** Day of closes[0], YYYY-MM-DD. */
  date: string | null;
  /** daily_prices.source of closes[0]. */
  source: string | null;
}

export interface StoredCandle extends ProviderCandle {
  source: string;
}

export class PriceStore {
  constructor(private readonly db: Db) {}

  /**
   * Adds the instruments as market assets where their symbol is missing; existing rows are left
   * as they are. One statement, idempotent, and cheap when nothing is missing.
   */
  async syncMarketAssets(instruments: readonly ProviderSymbol[]): Promise<number> {
    if (instruments.length === 0) return 0;
    const column = <K extends keyof ProviderSymbol>(key: K) => instruments.map((i) => i[key]);
    return this.db.$executeRaw`
      INSERT INTO assets (id, symbol, name, type, currency, sector, exchange, owner_id, updated_at)
      SELECT gen_random_uuid(), t.symbol, t.name, t.type::"AssetType", t.currency, t.sector, t.exchange, NULL, now()
      FROM unnest(${column('symbol')}::text[], ${column('name')}::text[], ${column('type')}::text[],
                  ${column('currency')}::text[], ${column('sector')}::text[], ${column('exchange')}::text[])
        AS t(symbol, name, type, currency, sector, exchange)
      ON CONFLICT (symbol) WHERE owner_id IS NULL DO NOTHING`;
  }

  /** Creates one market asset unless its symbol exists; returns the market asset's id either way. */
  async ensureMarketAsset(asset: ProviderSymbol): Promise<string> {
    await this.syncMarketAssets([asset]);
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      SELECT id::text FROM assets WHERE owner_id IS NULL AND symbol = ${asset.symbol}`;
    return rows[0]!.id;
  }

  /** The market asset of a symbol (with its fetched range) and the owner's custom asset of it. */
  async resolve(symbol: string, ownerId: string | null): Promise<ResolvedAsset> {
    const rows = await this.db.$queryRaw<Array<AssetRow & { coverageFrom: string | null; coverageTo: string | null }>>`
      SELECT a.id::text, a.symbol, a.name, a.type::text, a.currency, a.sector, a.exchange, a.owner_id::text AS "ownerId",
             to_char(c.from_date, 'YYYY-MM-DD') AS "coverageFrom", to_char(c.to_date, 'YYYY-MM-DD') AS "coverageTo"
      FROM assets a LEFT JOIN price_history_coverage c ON c.asset_id = a.id
      WHERE a.symbol = ${symbol} AND (a.owner_id IS NULL OR a.owner_id = ${ownerId}::uuid)`;
    const resolved: ResolvedAsset = { market: null, custom: null };
    for (const { coverageFrom, coverageTo, ...asset } of rows) {
      if (asset.ownerId !== null) resolved.custom = asset;
      else resolved.market = { ...asset, coverage: coverageFrom && coverageTo ? { from: coverageFrom, to: coverageTo } : null };
    }
    return resolved;
  }

  /** Every custom asset's owner and symbol (the price feed leaves holdings of them out). */
  customAssetKeys(): Promise<Array<{ ownerId: string; symbol: string }>> {
    return this.db.$queryRaw`SELECT owner_id::text AS "ownerId", symbol FROM assets WHERE owner_id IS NOT NULL`;
  }

  /** Which of the symbols name an asset: a market one, or the owner's custom one. */
  async knownSymbols(symbols: readonly string[], ownerId: string | null): Promise<Set<string>> {
    if (symbols.length === 0) return new Set();
    const rows = await this.db.$queryRaw<Array<{ symbol: string }>>`
      SELECT DISTINCT symbol FROM assets
      WHERE symbol = ANY(${[...symbols]}::text[]) AND (owner_id IS NULL OR owner_id = ${ownerId}::uuid)`;
    return new Set(rows.map((r) => r.symbol));
  }

  /** Which of the symbols are custom assets of their owner (pairs in, "owner|symbol" keys out). */
  async customSymbols(pairs: ReadonlyArray<{ ownerId: string; symbol: string }>): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows = await this.db.$queryRaw<Array<{ ownerId: string; symbol: string }>>`
      SELECT a.owner_id::text AS "ownerId", a.symbol
      FROM unnest(${pairs.map((p) => p.ownerId)}::uuid[], ${pairs.map((p) => p.symbol)}::text[]) AS w(owner_id, symbol)
      JOIN assets a ON a.owner_id = w.owner_id AND a.symbol = w.symbol`;
    return new Set(rows.map((r) => ownedKey(r.ownerId, r.symbol)));
  }

  /**
   * The latest two closes on or before `day` of custom assets (by owner and symbol). Every
   * custom asset asked for is in the answer, with `closes` empty when it has no price yet.
   */
  latestCustomCloses(pairs: ReadonlyArray<{ ownerId: string; symbol: string }>, day: string): Promise<LatestClose[]> {
    if (pairs.length === 0) return Promise.resolve([]);
    return this.latestCloses(
      Prisma.sql`unnest(${pairs.map((p) => p.ownerId)}::uuid[], ${pairs.map((p) => p.symbol)}::text[]) AS w(owner_id, symbol)
                 JOIN assets a ON a.owner_id = w.owner_id AND a.symbol = w.symbol`,
      day,
    );
  }

  /** The latest two stored closes on or before `day` of market assets (the stale-quote fallback). */
  latestMarketCloses(symbols: readonly string[], day: string): Promise<LatestClose[]> {
    if (symbols.length === 0) return Promise.resolve([]);
    return this.latestCloses(Prisma.sql`assets a`, day, Prisma.sql`WHERE a.owner_id IS NULL AND a.symbol = ANY(${[...symbols]}::text[])`);
  }

  /** Stored daily candles of one asset, from..to inclusive, oldest first. */
  async dailyPrices(assetId: string, range: DateRange): Promise<StoredCandle[]> {
    const rows = await this.db.$queryRaw<StoredCandle[]>`
      SELECT to_char(date, 'YYYY-MM-DD') AS date, trim_scale(open)::text AS open, trim_scale(high)::text AS high,
             trim_scale(low)::text AS low, trim_scale(close)::text AS close, volume, source
      FROM daily_prices
      WHERE asset_id = ${assetId}::uuid AND date BETWEEN ${range.from}::date AND ${range.to}::date
      ORDER BY date`;
    return rows;
  }

  /** Stored daily candles of a custom asset, found by owner and symbol. */
  async customDailyPrices(ownerId: string, symbol: string, range: DateRange): Promise<StoredCandle[]> {
    return this.db.$queryRaw<StoredCandle[]>`
      SELECT to_char(d.date, 'YYYY-MM-DD') AS date, trim_scale(d.open)::text AS open, trim_scale(d.high)::text AS high,
             trim_scale(d.low)::text AS low, trim_scale(d.close)::text AS close, d.volume, d.source
      FROM assets a JOIN daily_prices d ON d.asset_id = a.id
      WHERE a.owner_id = ${ownerId}::uuid AND a.symbol = ${symbol}
        AND d.date BETWEEN ${range.from}::date AND ${range.to}::date
      ORDER BY d.date`;
  }

  /** Inserts or replaces (by asset and date) daily candles in one statement. */
  async upsertDailyPrices(assetId: string, candles: readonly StoredCandle[]): Promise<void> {
    if (candles.length === 0) return;
    const column = <K extends keyof StoredCandle>(key: K) => candles.map((c) => c[key]);
    await this.db.$executeRaw`
      INSERT INTO daily_prices AS p (asset_id, date, open, high, low, close, volume, source)
      SELECT ${assetId}::uuid, t.date, t.open, t.high, t.low, t.close, t.volume, t.source
      FROM unnest(${column('date')}::date[], ${column('open')}::numeric[], ${column('high')}::numeric[],
                  ${column('low')}::numeric[], ${column('close')}::numeric[], ${column('volume')}::float8[],
                  ${column('source')}::text[]) AS t(date, open, high, low, close, volume, source)
      ON CONFLICT (asset_id, date) DO UPDATE SET
        open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        volume = EXCLUDED.volume, source = EXCLUDED.source`;
  }

  /**
   * Records that `range` of an asset's history was asked of the providers. The recorded range
   * stays one contiguous run of days: a range that neither overlaps nor touches it (possible
   * only when two processes fetch at once) leaves it as it is; the candles are stored anyway.
   */
  async extendCoverage(assetId: string, range: DateRange): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO price_history_coverage AS c (asset_id, from_date, to_date, updated_at)
      VALUES (${assetId}::uuid, ${range.from}::date, ${range.to}::date, now())
      ON CONFLICT (asset_id) DO UPDATE SET
        from_date = LEAST(c.from_date, EXCLUDED.from_date),
        to_date = GREATEST(c.to_date, EXCLUDED.to_date),
        updated_at = now()
      WHERE EXCLUDED.from_date <= c.to_date + 1 AND EXCLUDED.to_date >= c.from_date - 1`;
  }

  /**
   * Symbol search over the assets the owner can see (market assets unless `marketAssets` is
   * false, plus the owner's custom assets), case-insensitive, ranked: exact ticker, ticker
   * prefix (shorter tickers first), name containing the text, then fuzzy (trigram) matches of
   * ticker or name words; by similarity within a rank. Served by the trigram indexes on
   * lower(symbol) and lower(name).
   */
  async searchAssets(query: string, limit: number, scope: { ownerId: string | null; marketAssets: boolean }): Promise<ProviderSymbol[]> {
    const text = query.trim().toLowerCase();
    if (text === '' || limit <= 0) return [];
    const literal = text.replace(/[\\%_]/g, '\\$&');
    const prefix = `${literal}%`;
    const contains = `%${literal}%`;
    const visible = scope.marketAssets
      ? Prisma.sql`(a.owner_id IS NULL OR a.owner_id = ${scope.ownerId}::uuid)`
      : Prisma.sql`a.owner_id = ${scope.ownerId}::uuid`;
    return this.db.$queryRaw<ProviderSymbol[]>`
      SELECT a.symbol, a.name, a.type::text AS type, a.currency, a.exchange, a.sector
      FROM assets a
      WHERE ${visible}
        AND (lower(a.symbol) LIKE ${prefix} ESCAPE '\\' OR lower(a.name) LIKE ${contains} ESCAPE '\\'
             OR lower(a.symbol) % ${text} OR ${text} <% lower(a.name))
      ORDER BY
        CASE WHEN lower(a.symbol) = ${text} THEN 0
             WHEN lower(a.symbol) LIKE ${prefix} ESCAPE '\\' THEN 1
             WHEN lower(a.name) LIKE ${contains} ESCAPE '\\' THEN 2
             ELSE 3 END,
        CASE WHEN lower(a.symbol) LIKE ${prefix} ESCAPE '\\' THEN length(a.symbol) ELSE 0 END,
        GREATEST(similarity(lower(a.symbol), ${text}), word_similarity(${text}, lower(a.name))) DESC,
        a.symbol, a.owner_id NULLS LAST
      LIMIT ${limit}`;
  }

  /**
   * For each holder (owner and symbol): the last stored close on or before `day`, the owner's
   * custom asset first, else the market asset's (null: no close yet), and whether it is a market
   * symbol for that owner whose fetched history does not cover `coveredFrom`..`day` (`uncovered`:
   * the snapshot job fetches those first). One statement, whatever the number of holders.
   */
  closesOn(
    holders: ReadonlyArray<{ ownerId: string; symbol: string }>,
    day: string,
    coveredFrom: string,
  ): Promise<Array<{ ownerId: string; symbol: string; close: string | null; uncovered: boolean }>> {
    return this.db.$queryRaw`
      SELECT w.owner_id::text AS "ownerId", w.symbol,
             (SELECT d.close::text FROM assets a JOIN daily_prices d ON d.asset_id = a.id AND d.date <= ${day}::date
              WHERE a.symbol = w.symbol AND (a.owner_id = w.owner_id OR a.owner_id IS NULL)
              ORDER BY (a.owner_id IS NULL), d.date DESC LIMIT 1) AS close,
             (NOT EXISTS (SELECT 1 FROM assets a WHERE a.owner_id = w.owner_id AND a.symbol = w.symbol)
              AND NOT EXISTS (SELECT 1 FROM assets a JOIN price_history_coverage c ON c.asset_id = a.id
                              WHERE a.owner_id IS NULL AND a.symbol = w.symbol
                                AND c.from_date <= ${coveredFrom}::date AND c.to_date >= ${day}::date)) AS uncovered
      FROM (SELECT DISTINCT * FROM unnest(${holders.map((h) => h.ownerId)}::uuid[], ${holders.map((h) => h.symbol)}::text[])
            AS t(owner_id, symbol)) w`;
  }

  private async latestCloses(from: Prisma.Sql, day: string, where: Prisma.Sql = Prisma.empty): Promise<LatestClose[]> {
    const rows = await this.db.$queryRaw<LatestClose[]>`
      SELECT a.owner_id::text AS "ownerId", a.symbol, a.currency,
             coalesce(p.closes, ARRAY[]::text[]) AS closes, p.date, p.source
      FROM ${from}
      LEFT JOIN LATERAL (
        SELECT array_agg(trim_scale(d.close)::text ORDER BY d.date DESC) AS closes,
               to_char(max(d.date), 'YYYY-MM-DD') AS date,
               (array_agg(d.source ORDER BY d.date DESC))[1] AS source
        FROM (SELECT date, close, source FROM daily_prices
              WHERE asset_id = a.id AND date <= ${day}::date ORDER BY date DESC LIMIT 2) d
      ) p ON true
      ${where}`;
    return rows;
  }
}

/** The key of a custom asset in sets and maps: owner and symbol. */
export function ownedKey(ownerId: string, symbol: string): string {
  return `${ownerId}|${symbol}`;
}
