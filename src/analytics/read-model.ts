/**
 * What the analytics of one portfolio read, in a constant number of SQL statements whatever the
 * number of holdings:
 *
 * 1. `snapshot`: ONE statement returns the portfolio's ledger (its transactions), the asset each
 *    of its symbols resolves to for the portfolio's owner (their custom asset first, as
 *    src/market resolves it) and each extra one (benchmark, factor) for the caller, what of its
 *    history has been fetched, and the state of its stored prices. Its fingerprint is the analytics cache key's "what the figures depend on".
 * 2. `ensureHistory`: market symbols whose fetched range (price_history_coverage) lacks days of
 *    the range are completed through the market service (which asks the providers only for the
 *    missing days and stores them): on a cold database one call per such symbol, on a warm one
 *    none at all, since the snapshot already told which are complete.
 * 3. `closes`: ONE statement reads every close of every symbol in the range, plus each symbol's
 *    last close before it (carried forward into the range), as one row per symbol.
 *
 * Prices stay exact decimal text in SQL and become numbers only here, at the boundary to the
 * pure core (src/analytics/core), which computes in floating point like numpy.
 */
import { createHash } from 'node:crypto';
import { addDays, missingRanges } from '../market/index.js';
import { isoDateFromEpochDay } from '../platform/dates.js';
import type { MarketService } from '../market/index.js';
import type { DateRange } from '../market/index.js';
import type { Db } from '../platform/db.js';
import { notFound } from '../platform/errors.js';
import { decodeLedger, ledgerText, type LedgerRow } from '../ledger/index.js';
import type { PricePoint } from './core/index.js';

/**
 * One ledger transaction as the analytics read it (ledger order: date, then as recorded), decoded
 * by the ledger's decoder, without ids (id '' and lotIds null: figures never name a
 * transaction): decimals as exact text; `fxRate` null when the transaction has
 * none of its own (a migrated investment in a foreign currency: the rate of its date applies).
 */
export type SnapshotTransaction = LedgerRow;

/** The asset a symbol resolves to for the portfolio's owner. */
export interface SnapshotAsset {
  symbol: string;
  assetId: string;
  /** The currency its closes are in. */
  currency: string;
  /** A custom asset (of the owner, or of the caller for a benchmark or factor) (priced only from its stored prices, never fetched). */
  custom: boolean;
  type: string;
  exchange: string | null;
  /** Days of a market asset's history already asked of the providers; null: none yet, or custom. */
  coverage: DateRange | null;
  /**
   * What its stored prices look like, cheaply: for a market asset its fetched range, when that
   * last changed and its last stored day (index lookups); for a custom asset, whose closes the
   * owner may overwrite, the count and an MD5 of all its (date, close) pairs.
   */
  priceState: string;
}

export interface PortfolioSnapshot {
  portfolioId: string;
  ownerId: string;
  baseCurrency: string;
  /** The ledger, in ledger order. */
  transactions: SnapshotTransaction[];
  /** Symbol → asset, for the held and extra symbols that have one. */
  assets: Map<string, SnapshotAsset>;
  /** SHA-256 over the ledger and the state of every asset's prices (and the symbols without one). */
  fingerprint: string;
}

interface SnapshotRow {
  ownerId: string;
  baseCurrency: string;
  /** The ledger text (the ledger's ledgerText; null: no transactions). */
  transactions: string | null;
  assets: SnapshotAsset[];
}

interface ClosesRow {
  symbol: string;
  /** Days since 1970-01-01, ascending, comma-separated. */
  days: string;
  /** Exact decimal texts, one per day, comma-separated. */
  closes: string;
}

export class AnalyticsData {
  constructor(
    private readonly db: Db,
    private readonly market: MarketService,
  ) {}

  /**
   * The portfolio's ledger and the assets of its symbols and of `extraSymbols` (normalised), in
   * one statement. NOT_FOUND when the portfolio is gone.
   *
   * A symbol of the ledger resolves to the owner's custom asset if they have one (that is what
   * the transactions were made against), else to the market asset. An extra symbol (benchmark,
   * factor) is one the caller can quote: the caller's own custom asset (`viewerId`) or a market
   * asset; custom assets are private, so a reader of a shared portfolio does not reach the
   * owner's other custom assets through them.
   */
  async snapshot(portfolioId: string, extraSymbols: readonly string[] = [], viewerId: string | null = null): Promise<PortfolioSnapshot> {
    const rows = await this.db.$queryRaw<SnapshotRow[]>`
      WITH portfolio AS (
        SELECT id, owner_id, base_currency FROM portfolios WHERE id = ${portfolioId}::uuid
      ),
      wanted AS (
        SELECT symbol, bool_or(held) AS held
        FROM (SELECT DISTINCT symbol, true AS held FROM transactions WHERE portfolio_id = ${portfolioId}::uuid AND symbol IS NOT NULL
              UNION ALL
              SELECT unnest(${[...extraSymbols]}::text[]), false) s
        GROUP BY symbol
      ),
      resolved AS (
        SELECT DISTINCT ON (w.symbol) w.symbol, a.id, a.owner_id, a.type, a.exchange, trim(a.currency) AS currency
        FROM wanted w
        JOIN portfolio p ON true
        JOIN assets a ON a.symbol = w.symbol
          AND (a.owner_id IS NULL OR (w.held AND a.owner_id = p.owner_id) OR (NOT w.held AND a.owner_id = ${viewerId}::uuid))
        ORDER BY w.symbol, a.owner_id NULLS LAST
      )
      SELECT p.owner_id::text AS "ownerId", p.base_currency AS "baseCurrency",
        (SELECT ${ledgerText('t', { ids: false })} FROM transactions t WHERE t.portfolio_id = p.id) AS transactions,
        coalesce((
          SELECT json_agg(json_build_object(
                   'symbol', r.symbol, 'assetId', r.id, 'currency', r.currency, 'custom', r.owner_id IS NOT NULL, 'type', r.type, 'exchange', r.exchange,
                   'coverage', CASE WHEN c.asset_id IS NULL THEN NULL ELSE json_build_object(
                     'from', to_char(c.from_date, 'YYYY-MM-DD'), 'to', to_char(c.to_date, 'YYYY-MM-DD')) END,
                   'priceState', CASE WHEN r.owner_id IS NULL
                     THEN concat_ws('|', c.from_date, c.to_date, c.updated_at,
                                    (SELECT max(d.date) FROM daily_prices d WHERE d.asset_id = r.id))
                     ELSE (SELECT concat_ws('|', count(*), md5(string_agg(d.date || '=' || d.close, ',' ORDER BY d.date)))
                           FROM daily_prices d WHERE d.asset_id = r.id)
                   END)
                 ORDER BY r.symbol)
          FROM resolved r LEFT JOIN price_history_coverage c ON c.asset_id = r.id), '[]') AS assets
      FROM portfolio p`;
    const row = rows[0];
    if (!row) throw notFound('Portfolio');
    const assets = new Map(row.assets.map((asset) => [asset.symbol, asset]));
    const transactions = decodeLedger(row.transactions);
    const symbols = transactions.flatMap((t) => (t.symbol === null ? [] : [t.symbol]));
    const unknown = [...new Set([...extraSymbols, ...symbols])].filter((s) => !assets.has(s)).sort();
    const fingerprint = createHash('sha256')
      .update(row.transactions ?? '')
      .update(JSON.stringify([row.baseCurrency, row.assets.map((a) => [a.symbol, a.assetId, a.currency, a.priceState]), unknown]))
      .digest('base64url');
    return { portfolioId, ownerId: row.ownerId, baseCurrency: row.baseCurrency.trim(), transactions, assets, fingerprint };
  }

  /**
   * The ledger of each portfolio of `portfolioIds` dated up to `date` (read as `snapshot` reads
   * it) and its ledger version, in one statement: the daily snapshot job's input to
   * ledgerFingerprints. A portfolio that is gone is left out.
   */
  async ledgersUpTo(
    portfolioIds: readonly string[],
    date: string,
  ): Promise<Map<string, { transactions: SnapshotTransaction[]; version: string }>> {
    const rows = await this.db.$queryRaw<Array<{ portfolioId: string; version: string; transactions: string | null }>>`
      SELECT p.id::text AS "portfolioId", coalesce(v.version, 0)::text AS version,
        (SELECT ${ledgerText('t', { ids: false })} FROM transactions t WHERE t.portfolio_id = p.id AND t.date <= ${date}::date) AS transactions
      FROM portfolios p LEFT JOIN ledger_versions v ON v.portfolio_id = p.id
      WHERE p.id = ANY(${[...portfolioIds]}::uuid[])`;
    return new Map(rows.map((row) => [row.portfolioId, { transactions: decodeLedger(row.transactions), version: row.version }]));
  }

  /**
   * Makes sure the daily history of `symbols` over `range` is stored: market symbols whose
   * fetched range lacks some of those days, and symbols without an asset that some provider
   * quotes, are fetched through the market service (only their missing days). Days from today
   * on are not final and never stored, so only days up to yesterday count. Custom assets have
   * what their owner stored. Returns whether anything was fetched (the snapshot is then stale).
   */
  async ensureHistory(snapshot: PortfolioSnapshot, symbols: readonly string[], range: DateRange, today: string): Promise<boolean> {
    const final: DateRange = { from: range.from, to: range.to < today ? range.to : addDays(today, -1) };
    if (final.from > final.to) return false;
    const incomplete: string[] = [];
    const unknown: string[] = [];
    for (const symbol of new Set(symbols)) {
      const asset = snapshot.assets.get(symbol);
      if (!asset) unknown.push(symbol);
      else if (!asset.custom && missingRanges(final, asset.coverage).length > 0) incomplete.push(symbol);
    }
    // A symbol nobody quotes is not worth a history call (the quote cache remembers unknowns).
    const quoted = unknown.length > 0 ? await this.market.marketQuotes(unknown) : new Map();
    const toFetch = [...incomplete, ...unknown.filter((symbol) => quoted.get(symbol))];
    // Held symbols as the owner sees them (their custom assets count), others as market symbols.
    const held = new Set(snapshot.transactions.map((t) => t.symbol));
    await Promise.all(toFetch.map((symbol) => this.market.dailyHistory(symbol, final, held.has(symbol) ? snapshot.ownerId : null)));
    return toFetch.length > 0;
  }

  /**
   * Stored closes of `symbols` (those with an asset) from `range.from` to `range.to`, each
   * symbol's last close before `range.from` first, oldest first: one statement.
   *
   * Each symbol's days and closes arrive as two comma-separated texts aggregated per symbol in
   * date order (from an ordered subquery, per asset: no sort of all rows together); for 50 × 1,300
   * closes that is about 4 times faster than one row per close, or than arrays, which the driver
   * parses element by element.
   */
  async closes(snapshot: PortfolioSnapshot, symbols: readonly string[], range: DateRange): Promise<Map<string, PricePoint[]>> {
    const assets = [...new Set(symbols)].flatMap((symbol) => snapshot.assets.get(symbol) ?? []);
    if (assets.length === 0) return new Map();
    const rows = await this.db.$queryRaw<ClosesRow[]>`
      SELECT w.symbol, p.days, p.closes
      FROM unnest(${assets.map((a) => a.assetId)}::uuid[], ${assets.map((a) => a.symbol)}::text[]) AS w(asset_id, symbol)
      CROSS JOIN LATERAL (
        SELECT string_agg((d.date - DATE '1970-01-01')::text, ',') AS days, string_agg(d.close::text, ',') AS closes
        FROM (SELECT u.date, u.close
              FROM ((SELECT date, close FROM daily_prices
                     WHERE asset_id = w.asset_id AND date < ${range.from}::date ORDER BY date DESC LIMIT 1)
                    UNION ALL
                    (SELECT date, close FROM daily_prices
                     WHERE asset_id = w.asset_id AND date BETWEEN ${range.from}::date AND ${range.to}::date)) u
              ORDER BY u.date) d
      ) p
      WHERE p.days IS NOT NULL`;
    const prices = new Map<string, PricePoint[]>();
    for (const row of rows) {
      const days = row.days.split(',');
      const closes = row.closes.split(',');
      const points = new Array<PricePoint>(days.length);
      for (let i = 0; i < days.length; i++) points[i] = { date: isoDateFromEpochDay(Number(days[i])), close: Number(closes[i]) };
      prices.set(row.symbol, points);
    }
    return prices;
  }
}
