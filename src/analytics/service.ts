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
 *   5. on a miss, one statement reads every close, and the pure core computes the report.
 * So a report costs 1 statement when cached and 2 when computed from stored prices, whatever the
 * number of holdings; 3 with a stored-values source (the daily snapshots, set by the composition
 * root: `useStoredValues`), read once for the past days of the range. A stored day is used only
 * when its cost equals the cost of the lots bought by then (exactly, as the snapshot rounds it),
 * so a purchase recorded or changed after the snapshot was taken makes that day computed again;
 * the stored value is the one the same rule computed when the day closed, so the figures agree
 * either way (and the cache key need not name the snapshots).
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
import { addDays } from '../market/index.js';
import { isoDateOf } from '../platform/dates.js';
import { Money } from '../platform/money.js';
import type { MarketService, QuoteLookup } from '../market/index.js';
import type { Db } from '../platform/db.js';
import { badInput } from '../platform/errors.js';
import type { Redis } from '../platform/redis.js';
import { AnalyticsCache, createAnalyticsMetrics, type AnalyticsMetrics, type ReportKind } from './cache.js';
import { buildPriceTable, type DateRange } from './core/index.js';
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
import { AnalyticsData, type PortfolioSnapshot } from './read-model.js';
import {
  factorExposureReport,
  performanceReport,
  rebalanceReport,
  riskReport,
  simulationReport,
  type Dataset,
  type FactorExposureReport,
  type PerformanceReport,
  type RebalanceReport,
  type RiskReport,
  type SimulationReport,
} from './reports.js';

export interface AnalyticsServiceOptions {
  config: Config;
  db: Db;
  redis: Redis;
  market: MarketService;
  registry: Registry;
  logger: FastifyBaseLogger;
  /** Clock (tests pin it). */
  now?: () => Date;
}

/** A portfolio's stored daily values from..to (the reports domain's snapshots): exact text, by date. */
export type StoredValuesSource = (
  portfolioId: string,
  range: DateRange,
) => Promise<ReadonlyArray<{ date: string; value: string; cost: string }>>;

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

interface ReportRequest<T> {
  kind: ReportKind;
  portfolioId: string;
  range: RangeInput;
  extras: readonly ExtraSymbol[];
  /** The resolved arguments besides the range, and the settings the report uses (part of the cache key). */
  arguments: unknown;
  /** Checks that need the snapshot (e.g. the simulation's size), before any price is read. */
  check?: (snapshot: PortfolioSnapshot, range: DateRange) => void;
  compute: (requested: DateRange, dataset: Dataset) => T;
}

export class AnalyticsService {
  readonly data: AnalyticsData;
  readonly cache: AnalyticsCache;
  readonly metrics: AnalyticsMetrics;
  private readonly riskFreeRate: number;
  private readonly market: MarketService;
  private readonly now: () => Date;
  private storedValues: StoredValuesSource | null = null;

  constructor(options: AnalyticsServiceOptions) {
    const { config, db, redis, market, registry, logger } = options;
    this.market = market;
    this.now = options.now ?? (() => new Date());
    this.riskFreeRate = config.RISK_FREE_RATE;
    this.metrics = createAnalyticsMetrics(registry);
    this.data = new AnalyticsData(db, market);
    this.cache = new AnalyticsCache(redis, config.REDIS_PREFIX, this.metrics, logger);
  }

  /** Past days' values come from `source` where it has them (see the top of this file). */
  useStoredValues(source: StoredValuesSource): void {
    this.storedValues = source;
  }

  performance(portfolioId: string, input: RangeInput): Promise<PerformanceReport> {
    return this.cachedReport({
      kind: 'performance',
      portfolioId,
      range: checkedRange(input, this.now()),
      extras: [],
      arguments: null,
      compute: performanceReport,
    });
  }

  risk(portfolioId: string, input: RiskInput): Promise<RiskReport> {
    const checked = checkedRisk(input, this.now());
    const options = { ...checked, riskFreeRate: this.riskFreeRate };
    return this.cachedReport({
      kind: 'risk',
      portfolioId,
      range: input,
      extras: checked.benchmark === null ? [] : [{ symbol: checked.benchmark, field: 'benchmark' }],
      arguments: options,
      compute: (requested, dataset) => riskReport(requested, dataset, options),
    });
  }

  simulation(portfolioId: string, input: SimulationInput): Promise<SimulationReport> {
    const checked = checkedSimulation(input, this.now());
    return this.cachedReport({
      kind: 'simulation',
      portfolioId,
      range: input,
      extras: [],
      arguments: checked,
      check: (snapshot, range) => checkSimulationSize(checked, heldSymbolsOf(snapshot, range).length),
      compute: (requested, dataset) => simulationReport(requested, dataset, checked),
    });
  }

  factorExposure(portfolioId: string, input: FactorInput): Promise<FactorExposureReport> {
    const factors = checkedFactors(input, this.now());
    return this.cachedReport({
      kind: 'factorExposure',
      portfolioId,
      range: input,
      extras: factors.map((symbol, i) => ({ symbol, field: `factors[${i}]` })),
      arguments: factors,
      compute: (requested, dataset) => factorExposureReport(requested, dataset, factors),
    });
  }

  /** Trades toward target weights at current quotes (through `lookup`, the request's quote loader). */
  async rebalance(portfolioId: string, input: RebalanceInput, lookup?: QuoteLookup): Promise<RebalanceReport> {
    const checked = checkedRebalance(input);
    const snapshot = await this.data.snapshot(portfolioId);
    const header = { id: portfolioId, ownerId: snapshot.ownerId, baseCurrency: snapshot.baseCurrency };
    const valuation = await this.market.valueHoldings(header, snapshot.holdings, lookup);
    return rebalanceReport(valuation, snapshot.assets, checked);
  }

  /** The stored values of the range's past days whose holdings are the snapshot's (cost check), as numbers. */
  private async storedDays(snapshot: PortfolioSnapshot, range: DateRange, today: string): Promise<Map<string, number> | undefined> {
    const days = this.storedValues && storedRange(range, today);
    if (!days) return undefined;
    const rows = await this.storedValues!(snapshot.portfolioId, days);
    if (rows.length === 0) return undefined;
    const accepted = new Map<string, number>();
    const holdings = snapshot.holdings; // oldest purchase first
    let next = 0;
    let cost = new Money(0);
    for (const row of [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))) {
      for (; next < holdings.length && holdings[next]!.purchaseDate <= row.date; next++) {
        cost = cost.plus(new Money(holdings[next]!.quantity).times(holdings[next]!.purchasePrice));
      }
      // The snapshot stores cost rounded to 8 places (PostgreSQL rounds half away from zero).
      if (cost.toDecimalPlaces(8, Money.ROUND_HALF_UP).equals(row.cost)) accepted.set(row.date, Number(row.value));
    }
    return accepted;
  }

  private async cachedReport<T>(request: ReportRequest<T>): Promise<T> {
    const today = isoDateOf(this.now());
    const extraSymbols = request.extras.map((extra) => extra.symbol);
    let snapshot = await this.data.snapshot(request.portfolioId, extraSymbols);
    const firstPurchase = snapshot.holdings[0]?.purchaseDate ?? null;
    const requested = resolveRange(request.range, firstPurchase, today);
    const range: DateRange = {
      from: firstPurchase !== null && firstPurchase > requested.from ? firstPurchase : requested.from,
      to: requested.to,
    };
    request.check?.(snapshot, range);

    const symbols = [...heldSymbolsOf(snapshot, range), ...extraSymbols];
    // Nothing held by `to`: the extras are still looked up (an unknown one is refused all the same).
    const historyFrom = addDays(range.from <= range.to ? range.from : requested.from, -CARRY_FORWARD_LOOKBACK_DAYS);
    if (await this.data.ensureHistory(snapshot, symbols, { from: historyFrom, to: range.to }, today)) {
      snapshot = await this.data.snapshot(request.portfolioId, extraSymbols);
    }
    const unknown = request.extras.filter((extra) => !snapshot.assets.has(extra.symbol));
    if (unknown.length > 0) throw badInput(unknown.map(({ field, symbol }) => ({ field, message: `unknown symbol ${symbol}` })));

    const key = this.cache.key(request.kind, request.portfolioId, [snapshot.fingerprint, requested, request.arguments]);
    const loaded = snapshot;
    return this.cache.getOrCompute(request.kind, key, async () => {
      const closes = range.from <= range.to ? await this.data.closes(loaded, symbols, range) : new Map();
      const lots = loaded.holdings.map((h) => ({
        symbol: h.symbol,
        quantity: Number(h.quantity),
        purchasePrice: Number(h.purchasePrice),
        purchaseDate: h.purchaseDate,
      }));
      // The simulation compounds symbol returns, not the portfolio's values.
      const stored = request.kind === 'simulation' ? undefined : await this.storedDays(loaded, range, today);
      return request.compute(requested, { range, lots, prices: buildPriceTable(closes), stored });
    });
  }
}

/** Days before the current one only: today's value is still moving. */
function storedRange(range: DateRange, today: string): DateRange | null {
  const to = range.to < today ? range.to : addDays(today, -1);
  return range.from <= to ? { from: range.from, to } : null;
}

/** Distinct symbols of the holdings bought by the end of the range. */
function heldSymbolsOf(snapshot: PortfolioSnapshot, range: DateRange): string[] {
  return [...new Set(snapshot.holdings.filter((h) => h.purchaseDate <= range.to).map((h) => h.symbol))];
}
