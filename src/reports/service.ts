/**
 * ReportService: daily portfolio snapshots, risk report PDFs and rebalancing reminders. It reads
 * portfolios, prices and figures through the market and analytics services; it owns the
 * `portfolio_snapshots`, `reports` and `rebalancing_reminders` tables. No access checks here.
 *
 * Snapshots (`snapshotDay`): every portfolio's value at a day's close, in batches of portfolios
 * by id (keyset), each batch four statements whatever the number of holdings, each through the
 * owning domain's door: the batch with its holdings (the ledger's), their stored closes of the
 * day (market's; on a cold database it fetches missing history first), the batch's ledgers as
 * of the day (analytics' read model), and one insert of every snapshot of the batch with
 * `ON CONFLICT DO NOTHING`, so running a day twice changes nothing. The value follows
 * Valuation's rule: quantity × the last stored close on or before the day (the owner's custom
 * asset first), a holding without any close counted at its cost; holdings bought after the day
 * do not count. Each snapshot also stores the analytics' fingerprint of the ledger as of the
 * day, so performance and risk use its value only while the ledger up to that day is
 * unchanged. `onBatch` hands the cursor out, so a retried job resumes after the last batch.
 */
import { Decimal } from 'decimal.js';
import type { AnalyticsService, StoredValue } from '../analytics/index.js';
import { addDays, isCalendarDate, isoDateOf } from '../platform/dates.js';
import type { MarketService } from '../market/index.js';
import { allocate, isCash, ownedKey } from '../market/index.js';
import type { HoldingsOnDay, PortfolioValuations } from '../ledger/index.js';
import type { Db } from '../platform/db.js';
import { badInput, Problems } from '../platform/errors.js';
import { formatPercent, renderRiskReport, type RiskReportContent } from './pdf.js';
import type { OnReportStored, ReportMeta, ReportStore } from './store.js';
import { TaxLotReview } from './tax-lots.js';
import type { LedgerService } from '../ledger/index.js';

export const WEEKLY_REPORT_KIND = 'WEEKLY_RISK';
export const ON_DEMAND_REPORT_KIND = 'RISK';

export interface SnapshotProgress {
  /** The last portfolio id done (keyset cursor). */
  cursor: string | null;
  portfolios: number;
  written: number;
}

export class ReportService {
  /** The tax-lot review (Portfolio.taxLotSuggestions and the monthly email). */
  readonly taxLots: TaxLotReview;

  constructor(
    private readonly deps: {
      db: Db;
      market: MarketService;
      valuations: Pick<PortfolioValuations, 'valuePortfolio' | 'heading' | 'holdingsOn'>;
      analytics: AnalyticsService;
      ledger: LedgerService;
      store: ReportStore;
      /** TAX_LOT_MIN_LOSS. */
      taxLotMinLoss: string;
      now?: () => Date;
    },
  ) {
    this.taxLots = new TaxLotReview({
      ledger: deps.ledger,
      market: deps.market,
      defaultMinLoss: deps.taxLotMinLoss,
      now: () => this.now(),
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get store(): ReportStore {
    return this.deps.store;
  }

  // ------------------------------------------------------------------------------ snapshots

  /**
   * A portfolio's snapshots from..to (default: the last 365 days), oldest first. A snapshot taken
   * of a ledger that has changed since up to its day (a back-dated record, edit or delete: its
   * stored fingerprint is not the ledger's now) is taken again first, so no pre-edit value is
   * served.
   */
  async snapshots(portfolioId: string, input: { from?: string | null; to?: string | null }) {
    const to = input.to ?? isoDateOf(this.now());
    const from = input.from ?? addDays(to, -365);
    const problems = new Problems();
    if (from > to) problems.add('from', 'must not be after to');
    if (addDays(from, 366 * 20) < to) problems.add('from', 'the range may span at most 20 years');
    problems.throwIfAny();
    const read = () =>
      this.deps.db.portfolioSnapshot.findMany({
        where: { portfolioId, date: { gte: new Date(`${from}T00:00:00Z`), lte: new Date(`${to}T00:00:00Z`) } },
        orderBy: { date: 'asc' },
        select: { date: true, value: true, cost: true, currency: true, ledgerFingerprint: true },
      });
    const rows = await read();
    const dates = rows.map((row) => isoDateOf(row.date));
    const { fingerprints } = await this.deps.analytics.ledgerFingerprintsOfDays(portfolioId, dates);
    const stale = dates.filter((_, i) => rows[i]!.ledgerFingerprint !== fingerprints[i]);
    for (const date of stale) {
      const batch = await this.deps.valuations.holdingsOn(null, 1, date, portfolioId);
      if (batch.length > 0) await this.writeSnapshots(batch, date, true);
    }
    return (stale.length > 0 ? await read() : rows).map(({ ledgerFingerprint: _, ...row }) => row);
  }

  /**
   * Stores the day's snapshot of each portfolio of `batch` (its holdings by the day): one
   * statement for the closes, one for the ledgers' fingerprints, one insert. `replace`: a stored
   * one is overwritten (a snapshot taken again after a back-dated edit); else it stays.
   */
  private async writeSnapshots(batch: HoldingsOnDay[], date: string, replace: boolean): Promise<number> {
    const ids = batch.map((p) => p.id);
    // Market's door: the day's stored closes of what the batch holds (one statement; on a cold
    // database market fetches the missing history first).
    const closes = await this.deps.market.storedClosesOn(
      batch.flatMap((p) => p.holdings.map((h) => ({ ownerId: p.ownerId, symbol: h.symbol }))),
      date,
    );
    // The ledger as of the day, fingerprinted for the analytics (they use a snapshot only while
    // the ledger up to its day is unchanged); stored only when taken at the version the
    // holdings were read at, so no write came in between.
    const ledgers = await this.deps.analytics.ledgerFingerprintsOn(ids, date);
    const fingerprintOf = (p: HoldingsOnDay) => {
      const ledger = ledgers.get(p.id);
      return ledger && ledger.version === p.ledgerVersion ? ledger.fingerprint : null;
    };
    const held = batch.flatMap((p) =>
      p.holdings.map((h) => ({ ...h, id: p.id, close: closes.get(ownedKey(p.ownerId, h.symbol)) ?? null })),
    );
    // Valuation's rule in numeric arithmetic: quantity × close (a holding without one at its
    // cost); portfolios holding nothing are worth 0. A portfolio deleted since the batch was
    // read fails the insert (its foreign key): the job's retry reads the batch again without it.
    const written = await this.deps.db.$executeRaw`
      INSERT INTO portfolio_snapshots (portfolio_id, date, value, cost, currency, ledger_fingerprint)
      SELECT p.id, ${date}::date,
             coalesce(sum(h.quantity * coalesce(h.close, h.price)), 0),
             coalesce(sum(h.quantity * h.price), 0),
             p.currency, p.fingerprint
      FROM unnest(${ids}::uuid[], ${batch.map((p) => p.baseCurrency)}::text[], ${batch.map(fingerprintOf)}::text[])
             AS p(id, currency, fingerprint)
      LEFT JOIN unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.quantity)}::numeric[],
                       ${held.map((h) => h.purchasePrice)}::numeric[], ${held.map((h) => h.close)}::numeric[])
             AS h(portfolio_id, quantity, price, close) ON h.portfolio_id = p.id
      GROUP BY p.id, p.currency, p.fingerprint
      ON CONFLICT (portfolio_id, date) DO UPDATE
        SET value = excluded.value, cost = excluded.cost, currency = excluded.currency, ledger_fingerprint = excluded.ledger_fingerprint
        WHERE ${replace}::boolean`;
    return written;
  }

  /** Stored values of from..to, exact text, with their ledger fingerprints (the analytics' stored-values source: see AnalyticsService). */
  async storedValues(portfolioId: string, range: { from: string; to: string }): Promise<StoredValue[]> {
    return this.deps.db.$queryRaw<StoredValue[]>`
      SELECT to_char(date, 'YYYY-MM-DD') AS date, value::text AS value, ledger_fingerprint AS "ledgerFingerprint" FROM portfolio_snapshots
      WHERE portfolio_id = ${portfolioId}::uuid AND date BETWEEN ${range.from}::date AND ${range.to}::date`;
  }

  async snapshotDay(
    date: string,
    options: { batchSize?: number; resume?: SnapshotProgress | null; onBatch?: (progress: SnapshotProgress) => Promise<void> } = {},
  ): Promise<SnapshotProgress> {
    if (!isCalendarDate(date)) throw new RangeError(`not a date: ${date}`);
    const batchSize = options.batchSize ?? 200;
    const progress: SnapshotProgress = options.resume ? { ...options.resume } : { cursor: null, portfolios: 0, written: 0 };
    for (;;) {
      // Portfolios' door: the batch, its holdings by the day and ledger versions (one statement).
      const batch = await this.deps.valuations.holdingsOn(progress.cursor, batchSize, date);
      const ids = batch.map((p) => p.id);
      if (ids.length === 0) return progress;
      const written = await this.writeSnapshots(batch, date, false);
      progress.cursor = ids[ids.length - 1]!;
      progress.portfolios += ids.length;
      progress.written += written;
      await options.onBatch?.({ ...progress });
      if (ids.length < batchSize) return progress;
    }
  }

  // ------------------------------------------------------------------------------ reports

  /** The default period of a report: the 7 days up to yesterday. */
  defaultPeriod(): { from: string; to: string } {
    const to = addDays(isoDateOf(this.now()), -1);
    return { from: addDays(to, -6), to };
  }

  /** The figures, chart and tables of a report, from the analytics and market services. */
  async reportContent(portfolioId: string, from: string, to: string): Promise<RiskReportContent> {
    const { analytics, market, valuations } = this.deps;
    const portfolio = await valuations.heading(portfolioId);
    const [performance, risk, valuation] = await Promise.all([
      analytics.performance(portfolioId, { from, to }),
      analytics.risk(portfolioId, { from, to }),
      valuations.valuePortfolio(portfolioId),
    ]);
    const allocation = valuation
      ? allocate(valuation, 'SYMBOL').map((s) => ({ key: s.key, value: s.value.toFixed(2), weight: s.weight }))
      : [];
    const symbols = [...new Set(valuation?.holdings.filter((h) => !isCash(h.holding)).map((h) => h.holding.symbol) ?? [])];
    const movers: Array<{ symbol: string; change: number }> = [];
    for (const symbol of symbols) {
      const candles = await market.dailyHistory(symbol, { from: addDays(from, -7), to }, portfolio.ownerId).catch(() => []);
      const start = [...candles].reverse().find((c) => c.date <= from) ?? candles[0];
      const end = candles[candles.length - 1];
      if (!start || !end || start === end) continue;
      const first = new Decimal(start.close);
      if (first.isZero()) continue;
      movers.push({ symbol, change: new Decimal(end.close).div(first).minus(1).toNumber() });
    }
    movers.sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || (a.symbol < b.symbol ? -1 : 1));
    return {
      portfolioName: portfolio.name,
      currency: portfolio.baseCurrency,
      from: performance.from,
      to: performance.to,
      generatedAt: this.now(),
      series: performance.series.map((p) => ({ date: p.date, value: Number(p.value) })),
      figures: {
        timeWeightedReturn: performance.timeWeightedReturn,
        moneyWeightedReturn: performance.moneyWeightedReturn,
        annualizedReturn: performance.annualizedReturn,
        volatility: risk.volatility,
        sharpeRatio: risk.sharpeRatio,
        sortinoRatio: risk.sortinoRatio,
        beta: risk.beta,
        maxDrawdown: risk.maxDrawdown,
        valueAtRisk: risk.valueAtRisk,
        conditionalValueAtRisk: risk.conditionalValueAtRisk,
      },
      benchmark: risk.benchmark,
      allocation,
      movers: movers.slice(0, 5),
    };
  }

  /** Renders and stores a report; see ReportStore.put for `replace` and `onStored`. */
  async generate(
    portfolioId: string,
    kind: string,
    period: { from?: string | null; to?: string | null },
    replace: boolean,
    onStored?: (tx: Parameters<OnReportStored>[0], meta: ReportMeta, content: RiskReportContent) => Promise<void>,
  ): Promise<{ meta: ReportMeta; created: boolean; content: RiskReportContent }> {
    const defaults = this.defaultPeriod();
    const to = period.to ?? defaults.to;
    const from = period.from ?? addDays(to, -6);
    if (from > to) throw badInput([{ field: 'from', message: 'must not be after to' }]);
    if (addDays(from, 366 * 5) < to) throw badInput([{ field: 'from', message: 'a report may cover at most 5 years' }]);
    const content = await this.reportContent(portfolioId, from, to);
    const pdf = await renderRiskReport(content);
    const stored = await this.deps.store.put(
      { portfolioId, kind, from, to, content: pdf, replace },
      onStored && ((tx, meta) => onStored(tx, meta, content)),
    );
    return { ...stored, content };
  }

  /** One-line summary for notifications and emails. */
  static summary(content: RiskReportContent): string {
    return `${content.portfolioName}, ${content.from} to ${content.to}: return ${formatPercent(content.figures.timeWeightedReturn)}, volatility ${formatPercent(content.figures.volatility)}, max drawdown ${formatPercent(content.figures.maxDrawdown)}.`;
  }
}
