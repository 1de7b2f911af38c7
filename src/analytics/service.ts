/**
 * AnalyticsService: a portfolio's performance, risk, Monte Carlo simulation, factor exposure and
 * rebalancing plan. No access checks here (the GraphQL layer checks the caller's role first).
 *
 * Every cached report goes the same way (see `cachedReport`):
 *   1. validate the arguments (BAD_USER_INPUT with details, before anything is read);
 *   2. one statement: the portfolio snapshot (holdings, their assets, the state of their prices);
 *   3. make sure the price history of the range is stored (only on a cold database does this
 *      call the market service, once per symbol lacking days; then the snapshot is read again);
 *   4. look the report up in Redis under a key naming all it depends on (./cache.ts);
 *   5. on a miss, the caller is charged for the work (./compute.ts: CPU in the request budget, a
 *      worker slot), one statement reads every close, and the pure core computes the report:
 *      inline when small, in a worker thread over the size threshold (the same figures either way).
 * So a report costs 1 statement when cached and 2 when computed from stored prices, whatever the
 * number of holdings; 3 with a stored-values source (the daily snapshots, set by the composition
 * root: `useStoredValues`), read once for the past days of the range (not for the simulation,
 * which compounds symbol returns, nor for a ledger that tracks cash, see acceptedStoredValues).
 * A stored day is used only when the ledger dated up to it is the one the snapshot was taken of
 * (ledgerFingerprints) and the snapshot's rule is this ledger's valuation rule; the stored value
 * is then the one the same rule computed when the day closed, so the figures agree either way
 * (and the cache key need not name the snapshots).
 *
 * Ranges: `to` defaults to today (UTC), `from` to the first purchase. The figures cover the days
 * from the first purchase on (before it there is nothing to measure), with the prices stored for
 * finished days: today's still-moving price is not part of any figure.
 * Rebalancing is not cached: it reads live quotes (already cached by the market service), and
 * the plan itself takes microseconds.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { createFxSources, FxRates } from '../market/index.js';
import { addDays, isoDateOf } from '../platform/dates.js';
import type { MarketService, QuoteLookup } from '../market/index.js';
import type { PortfolioValuations } from '../ledger/index.js';
import { majorUnit } from '../platform/currency-units.js';
import type { Db } from '../platform/db.js';
import { badInput } from '../platform/errors.js';
import type { Redis } from '../platform/redis.js';
import { AnalyticsCache, createAnalyticsMetrics, type AnalyticsMetrics, type ReportKind } from './cache.js';
import { splitAdjustedEvents, tracksCash, withDates, type DateRange, type LedgerEvent, type PriceTable } from './core/index.js';
import type { RequestBudget } from '../platform/request-budget.js';
import { ReportComputer, windowCells, type ComputeCaller } from './compute.js';
import {
  checkedFactors,
  checkedRange,
  checkedRebalance,
  checkedRisk,
  checkedSimulation,
  checkSimulationSize,
  resolveRange,
  type FactorInput,
  type RangeInput,
  type RebalanceInput,
  type RiskInput,
  type SimulationInput,
} from './inputs.js';
import { ledgerFingerprints } from './ledger-fingerprint.js';
import { AnalyticsData, type PortfolioSnapshot, type SnapshotTransaction } from './read-model.js';
import { type Dataset, type FactorExposureReport, type PerformanceReport, type RiskReport, type SimulationReport } from './reports.js';
import { rebalanceReport, type RebalanceReport } from './rebalance-report.js';

export interface AnalyticsServiceOptions {
  config: Config;
  db: Db;
  redis: Redis;
  market: MarketService;
  /** Portfolios' valuations (what is held now, valued as Portfolio.valuation values it), for rebalancing. */
  valuations: Pick<PortfolioValuations, 'holdingsFor' | 'value'>;
  registry: Registry;
  logger: FastifyBaseLogger;
  /** FX rates (the app's, shared with the ledger); default: rates from FX_PROVIDERS of its own. */
  fx?: FxRates;
  /** Clock (tests pin it). */
  now?: () => Date;
  /** The API's request budget, which heavy reports are charged on (./compute.ts); none in the worker process. */
  budget?: RequestBudget | null;
}

/** One stored daily value (the reports domain's snapshot): exact text, and the ledger fingerprint it was taken with. */
export interface StoredValue {
  date: string;
  value: string;
  /** ledgerFingerprints of the ledger as of `date` when the value was taken; null: unknown (never used). */
  ledgerFingerprint: string | null;
}

/** A portfolio's stored daily values from..to. */
export type StoredValuesSource = (portfolioId: string, range: DateRange) => Promise<readonly StoredValue[]>;

/**
 * Days of history ensured before the range, so a holding without a close on the range's first
 * day has a last close to carry forward (weekends, holidays).
 */
const CARRY_FORWARD_LOOKBACK_DAYS = 7;

/** A symbol a report needs besides the holdings' (benchmark, factor), and the argument naming it. */
interface ExtraSymbol {
  symbol: string;
  field: string;
}

interface ReportRequest {
  kind: ReportKind;
  portfolioId: string;
  /** Who asks: extra symbols may be their own custom assets. */
  viewerId?: string | null;
  range: RangeInput;
  extras: readonly ExtraSymbol[];
  /** The resolved arguments besides the range, and the settings the report uses (part of the cache key). */
  arguments: unknown;
  /** Checks that need the snapshot (e.g. the simulation's size), before any price is read. */
  check?: (snapshot: PortfolioSnapshot, range: DateRange) => void;
  /** The options the report's task takes (./compute-worker.ts). */
  options: unknown;
  /** The work, in cells (./compute.ts), given the range and the symbols read; default: the window's (windowCells). */
  cells?: (range: DateRange, symbols: readonly string[]) => number;
  /** Whose budget and concurrency the computation counts against (null: a job's own). */
  caller: ComputeCaller | null;
}

export class AnalyticsService {
  readonly data: AnalyticsData;
  readonly cache: AnalyticsCache;
  readonly metrics: AnalyticsMetrics;
  /** Where reports are computed (inline or in the worker threads) and what they cost. */
  readonly computer: ReportComputer;
  private readonly riskFreeRate: number;
  private readonly valuations: Pick<PortfolioValuations, 'holdingsFor' | 'value'>;
  private readonly fx: FxRates;
  private readonly now: () => Date;
  private storedValues: StoredValuesSource | null = null;

  constructor(options: AnalyticsServiceOptions) {
    const { config, db, redis, market, registry, logger } = options;
    this.valuations = options.valuations;
    this.now = options.now ?? (() => new Date());
    this.fx = options.fx ?? new FxRates(this.now, createFxSources(config.FX_PROVIDERS));
    this.riskFreeRate = config.RISK_FREE_RATE;
    this.metrics = createAnalyticsMetrics(registry);
    this.data = new AnalyticsData(db, market);
    this.cache = new AnalyticsCache(redis, config.REDIS_PREFIX, this.metrics, logger);
    this.computer = new ReportComputer({
      redis,
      prefix: config.REDIS_PREFIX,
      registry,
      budget: options.budget,
      threads: config.ANALYTICS_THREADS,
      queue: config.ANALYTICS_QUEUE,
      concurrencyPerUser: config.ANALYTICS_CONCURRENCY_PER_USER,
      offloadCells: config.ANALYTICS_OFFLOAD_CELLS,
    });
  }

  /** Stops the worker threads (on close of the app or worker). */
  close(): Promise<void> {
    return this.computer.close();
  }

  /** Past days' values come from `source` where it has them (see the top of this file). */
  useStoredValues(source: StoredValuesSource): void {
    this.storedValues = source;
  }

  /**
   * The fingerprint of each portfolio's ledger as of `date` (what a snapshot of that day stores)
   * and the ledger version it was read at, in one statement. A snapshot taken in a later
   * statement stores the fingerprint only if the version is still the same.
   */
  async ledgerFingerprintsOn(
    portfolioIds: readonly string[],
    date: string,
  ): Promise<Map<string, { fingerprint: string; version: string }>> {
    const ledgers = await this.data.ledgersUpTo(portfolioIds, date);
    return new Map(
      [...ledgers].map(([id, { transactions, version }]) => [id, { fingerprint: ledgerFingerprints(transactions, [date])[0]!, version }]),
    );
  }

  /**
   * The fingerprint of a portfolio's ledger as of each of `dates` (ascending), as the snapshot
   * job stores them, and the ledger version read, in one statement: a stored snapshot whose
   * fingerprint differs was taken of a ledger changed since (a back-dated edit).
   */
  async ledgerFingerprintsOfDays(portfolioId: string, dates: readonly string[]): Promise<{ fingerprints: string[]; version: string }> {
    if (dates.length === 0) return { fingerprints: [], version: '0' };
    const ledger = (await this.data.ledgersUpTo([portfolioId], dates[dates.length - 1]!)).get(portfolioId);
    return { fingerprints: ledgerFingerprints(ledger?.transactions ?? [], dates), version: ledger?.version ?? '0' };
  }

  /** `caller`: whose budget and concurrency a computation counts against (./compute.ts); null for jobs. */
  performance(portfolioId: string, input: RangeInput, caller: ComputeCaller | null = null): Promise<PerformanceReport> {
    return this.cachedReport<PerformanceReport>({
      kind: 'performance',
      portfolioId,
      range: checkedRange(input, this.now()),
      extras: [],
      arguments: null,
      options: null,
      caller,
    });
  }

  /** `viewerId`: the caller, whose own custom assets may be the benchmark. */
  risk(portfolioId: string, input: RiskInput, viewerId: string | null = null, caller: ComputeCaller | null = null): Promise<RiskReport> {
    const checked = checkedRisk(input, this.now());
    const options = { ...checked, riskFreeRate: this.riskFreeRate };
    return this.cachedReport<RiskReport>({
      kind: 'risk',
      portfolioId,
      viewerId,
      range: input,
      extras: checked.benchmark === null ? [] : [{ symbol: checked.benchmark, field: 'benchmark' }],
      arguments: options,
      options,
      caller,
    });
  }

  simulation(portfolioId: string, input: SimulationInput, caller: ComputeCaller | null = null): Promise<SimulationReport> {
    const checked = checkedSimulation(input, this.now());
    return this.cachedReport<SimulationReport>({
      kind: 'simulation',
      portfolioId,
      range: input,
      extras: [],
      arguments: checked,
      options: checked,
      check: (snapshot, range) => checkSimulationSize(checked, heldSymbolsOf(snapshot, range).length),
      // The paths (what the core bounds), besides estimating the returns over the window.
      cells: (range, symbols) => checked.paths * checked.horizonDays * Math.max(symbols.length, 1) + windowCells(range, symbols.length),
      caller,
    });
  }

  /** `viewerId`: the caller, whose own custom assets may be factors. */
  factorExposure(
    portfolioId: string,
    input: FactorInput,
    viewerId: string | null = null,
    caller: ComputeCaller | null = null,
  ): Promise<FactorExposureReport> {
    const factors = checkedFactors(input, this.now());
    return this.cachedReport<FactorExposureReport>({
      kind: 'factorExposure',
      portfolioId,
      viewerId,
      range: input,
      extras: factors.map((symbol, i) => ({ symbol, field: `factors[${i}]` })),
      arguments: factors,
      options: factors,
      caller,
    });
  }

  /** Trades toward target weights at current quotes (through `lookup`, the request's quote loader). */
  async rebalance(portfolioId: string, input: RebalanceInput, lookup?: QuoteLookup): Promise<RebalanceReport> {
    const checked = checkedRebalance(input);
    const snapshot = await this.data.snapshot(portfolioId);
    const header = { id: portfolioId, ownerId: snapshot.ownerId, baseCurrency: snapshot.baseCurrency };
    // What is held now (the ledger's open lots), valued as the portfolio's valuation values it.
    const holdings = await this.valuations.holdingsFor(portfolioId, []);
    const valuation = await this.valuations.value(header, holdings, lookup);
    return rebalanceReport(valuation, snapshot.assets, checked);
  }

  private async cachedReport<T>(request: ReportRequest): Promise<T> {
    const today = isoDateOf(this.now());
    const extraSymbols = request.extras.map((extra) => extra.symbol);
    const viewerId = request.viewerId ?? null;
    let snapshot = await this.data.snapshot(request.portfolioId, extraSymbols, viewerId);
    const firstTransaction = snapshot.transactions[0]?.date ?? null;
    const requested = resolveRange(request.range, firstTransaction, today);
    const range: DateRange = {
      from: firstTransaction !== null && firstTransaction > requested.from ? firstTransaction : requested.from,
      to: requested.to,
    };
    request.check?.(snapshot, range);

    const symbols = [...heldSymbolsOf(snapshot, range), ...extraSymbols];
    // Nothing held by `to`: the extras are still looked up (an unknown one is refused all the same).
    const historyFrom = addDays(range.from <= range.to ? range.from : requested.from, -CARRY_FORWARD_LOOKBACK_DAYS);
    if (await this.data.ensureHistory(snapshot, symbols, { from: historyFrom, to: range.to }, today)) {
      snapshot = await this.data.snapshot(request.portfolioId, extraSymbols, viewerId);
    }
    const unknown = request.extras.filter((extra) => !snapshot.assets.has(extra.symbol));
    if (unknown.length > 0) throw badInput(unknown.map(({ field, symbol }) => ({ field, message: `unknown symbol ${symbol}` })));

    const key = this.cache.key(request.kind, request.portfolioId, [snapshot.fingerprint, requested, request.arguments]);
    const loaded = snapshot;
    // Charged (and given a worker slot) before the closes are read: a refused report reads nothing more.
    const cells = request.cells ? request.cells(range, symbols) : windowCells(range, symbols.length);
    return this.cache.getOrCompute(
      request.kind,
      key,
      () =>
        this.computer.run(request.kind, cells, request.caller, async (priceTable) => {
          const prices = await priceTable(range.from <= range.to ? await this.data.closeRows(loaded, symbols, range) : []);
          const dataset = await this.dataset(loaded, range, prices, symbols, historyFrom);
          // The simulation compounds symbol returns, not the portfolio's values.
          if (request.kind !== 'simulation') dataset.stored = await this.storedDays(loaded, dataset, today);
          return { requested, dataset, options: request.options };
        }) as Promise<T>,
    );
  }

  /** The stored values of the range's past days that are this ledger's (acceptedStoredValues), as numbers. */
  private async storedDays(snapshot: PortfolioSnapshot, dataset: Dataset, today: string): Promise<Map<string, number> | undefined> {
    const days = this.storedValues && storedRange(dataset.range, today);
    if (!days || tracksCash(dataset.events)) return undefined;
    return acceptedStoredValues(snapshot.transactions, dataset, await this.storedValues!(snapshot.portfolioId, days));
  }

  /**
   * The ledger as numbers, with the currency of each symbol's closes and each currency's rate
   * into the base currency on every day of the price table (rates are read from memory once
   * each pair's series is loaded: no statement). A transaction without a rate of its own takes
   * its date's; a currency no source knows counts at par with its major unit.
   */
  private async dataset(
    snapshot: PortfolioSnapshot,
    range: DateRange,
    closes: PriceTable,
    symbols: readonly string[],
    since: string,
  ): Promise<Dataset> {
    const base = snapshot.baseCurrency;
    // Every transaction date of the range is a valued day: the table gets it, so it has its own FX rates.
    const transactionDates = [
      ...new Set(snapshot.transactions.map((t) => t.date).filter((date) => date >= range.from && date <= range.to)),
    ];
    const prices = withDates(closes, transactionDates);
    const priceCurrency = new Map<string, string>();
    for (const symbol of symbols) {
      const asset = snapshot.assets.get(symbol);
      if (asset) priceCurrency.set(symbol, asset.currency);
    }
    const currencies = new Set([
      ...priceCurrency.values(),
      ...snapshot.transactions.flatMap((t) => (t.toCurrency ? [t.currency, t.toCurrency] : [t.currency])),
    ]);
    currencies.delete(base);
    const earliest = snapshot.transactions.find((t) => t.fxRate === null)?.date;
    const from = earliest !== undefined && earliest < since ? earliest : since;
    await Promise.all([...currencies].map((currency) => this.fx.prefetch(currency, base, from)));
    const rateOn = (currency: string, date: string): number =>
      this.fx.cachedRate(currency, base, date)?.rate.toNumber() ?? majorUnit(currency).factor.div(majorUnit(base).factor).toNumber();
    const fx = new Map<string, Float64Array>();
    for (const currency of currencies)
      fx.set(
        currency,
        Float64Array.from(prices.dates, (date) => rateOn(currency, date)),
      );
    const recorded = snapshot.transactions.map((t): LedgerEvent => ({
      type: t.type,
      date: t.date,
      symbol: t.symbol,
      quantity: t.quantity === null ? 0 : Number(t.quantity),
      price: t.price === null ? 0 : Number(t.price),
      amount: Number(t.amount),
      fee: Number(t.fee),
      currency: t.currency,
      fxRate: t.fxRate !== null ? Number(t.fxRate) : t.currency === base ? 1 : rateOn(t.currency, t.date),
      splitRatio: t.splitFrom !== null && t.splitTo !== null ? Number(t.splitTo) / Number(t.splitFrom) : 1,
      ...(t.toCurrency && { toAmount: Number(t.toAmount), toCurrency: t.toCurrency }),
    }));
    // Market closes are split-adjusted: count shares in today's shares (custom assets: as typed).
    const events = splitAdjustedEvents(recorded, (symbol) => snapshot.assets.get(symbol)?.custom === false);
    return { range, events, prices, priceCurrency, fx };
  }
}

/** Days before the current one only: today's value is still moving. */
function storedRange(range: DateRange, today: string): DateRange | null {
  const to = range.to < today ? range.to : addDays(today, -1);
  return range.from <= to ? { from: range.from, to } : null;
}

/**
 * The stored values that are what the ledger valuation gives for their day. The snapshot job
 * values the BUY lots held on the day (Σ quantity × the day's last close, in the closes' own
 * currency, at cost before any close), so a stored day counts only when
 *   1. the ledger dated up to that day is the one the snapshot was taken of (same fingerprint:
 *      a transaction recorded, changed or deleted later with an earlier date makes it differ), and
 *   2. that rule is the ledger valuation's for this ledger on that day: the ledger tracks no cash
 *      (checked by the caller: a DEPOSIT or WITHDRAWAL of any date puts cash in every day's
 *      value), and up to that day it holds only what BUYs in the base currency of symbols priced
 *      in the base currency bought (no SELL, SPLIT or transfer; a dividend, interest, fee or tax
 *      is a flow that leaves a holdings portfolio's value alone).
 * `transactions` and `dataset.events` are the same ledger (the events are its numbers).
 */
function acceptedStoredValues(
  transactions: readonly SnapshotTransaction[],
  dataset: Dataset,
  rows: readonly StoredValue[],
): Map<string, number> {
  const accepted = new Map<string, number>();
  const fingerprinted = rows
    .filter((row) => row.ledgerFingerprint !== null)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (fingerprinted.length === 0) return accepted;
  const pricedInBase = (symbol: string | null) => symbol === null || !dataset.fx.has(dataset.priceCurrency.get(symbol) ?? '');
  const unlike = dataset.events.find((e) =>
    e.type === 'BUY' ? e.fxRate !== 1 || !pricedInBase(e.symbol) : !['DIVIDEND', 'INTEREST', 'FEE', 'TAX'].includes(e.type),
  );
  const fingerprints = ledgerFingerprints(
    transactions,
    fingerprinted.map((row) => row.date),
  );
  fingerprinted.forEach((row, i) => {
    if ((unlike === undefined || row.date < unlike.date) && fingerprints[i] === row.ledgerFingerprint)
      accepted.set(row.date, Number(row.value));
  });
  return accepted;
}

/** Distinct symbols the ledger opens a position in by the end of the range. */
function heldSymbolsOf(snapshot: PortfolioSnapshot, range: DateRange): string[] {
  const symbols = new Set<string>();
  for (const t of snapshot.transactions) {
    if (t.date <= range.to && t.symbol !== null && (t.type === 'BUY' || t.type === 'TRANSFER_IN')) symbols.add(t.symbol);
  }
  return [...symbols];
}
