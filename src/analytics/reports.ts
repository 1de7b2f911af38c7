/**
 * The analytics reports, assembled from loaded data by the pure core (no I/O here). Reports are
 * plain JSON (numbers, strings, null): the cache stores them as they are and GraphQL serves them.
 * Money leaves as exact decimal text: quantities and prices the way they are stored, figures the
 * core computed in floating point rounded to 15 significant digits (what a double holds), so
 * 1104.9000000000001 reads "1104.9".
 * The reports here run in the analytics worker threads too (./compute-worker.ts): this file
 * imports no domain (the rebalancing plan, which reads live quotes, is ./rebalance-report.ts).
 */
import { Decimal } from 'decimal.js';
import {
  alignOnCommonDates,
  alignedSymbolReturns,
  annualizedReturn,
  buildLedgerValuationSeries,
  calendarDaysBetween,
  closesOf,
  correlationAt,
  correlationMatrix,
  correlationPairs,
  cumulativeReturns,
  dayRange,
  factorExposure,
  moneyWeightedReturn,
  portfolioReturns,
  riskFigures,
  simulatePortfolioValue,
  symbolReturns,
  timeWeightedReturn,
  TRADING_DAYS_PER_YEAR,
  type CorrelationPair,
  type DateRange,
  type LedgerEvent,
  type Positions,
  type PriceTable,
  type RiskFigures,
} from './core/index.js';
import type { CheckedSimulation } from './inputs.js';

/** The ledger, closes and FX rates a report is computed from. */
export interface Dataset {
  /** The days the figures cover: the range asked for, from the first transaction on. */
  range: DateRange;
  /** The whole ledger, in ledger order. */
  events: LedgerEvent[];
  prices: PriceTable;
  /** The currency of each symbol's closes (base currency when not named). */
  priceCurrency: ReadonlyMap<string, string>;
  /** Base currency per unit of each other currency, on every date of `prices`. */
  fx: ReadonlyMap<string, Float64Array>;
  /**
   * Values already known for some days (the daily snapshots the service found to be of this
   * ledger, see AnalyticsService): a valuation day found here takes that value, the others are
   * computed. The days themselves, the flows and the positions are the same either way.
   */
  stored?: ReadonlyMap<string, number>;
}

/** The daily valuation of the dataset's ledger in base currency, and what it holds at range.to. */
export function ledgerValuation(dataset: Dataset) {
  const series = buildLedgerValuationSeries(dataset);
  const stored = dataset.stored;
  if (stored && stored.size > 0) {
    series.dates.forEach((date, t) => {
      const value = stored.get(date);
      if (value !== undefined) series.values[t] = value;
    });
  }
  return series;
}

export interface PerformancePoint {
  date: string;
  value: string;
  cumulativeReturn: number;
}

export interface PerformanceReport {
  from: string;
  to: string;
  timeWeightedReturn: number | null;
  moneyWeightedReturn: number | null;
  /** The MWR over moneyWeightedReturnDays, not annualised. */
  moneyWeightedReturnPeriod: number | null;
  /** Calendar days from the first to the last valued day (the MWR's start and end). */
  moneyWeightedReturnDays: number | null;
  annualizedReturn: number | null;
  series: PerformancePoint[];
}

/** The core's risk figures with the range and the options they were computed with. */
export interface RiskReport extends RiskFigures {
  from: string;
  to: string;
  confidence: number;
  benchmark: string | null;
  riskFreeRate: number;
  correlations: CorrelationPair[];
}

export interface SimulationDay {
  day: number;
  p5: string;
  p25: string;
  p50: string;
  p75: string;
  p95: string;
}

export interface SimulationReport {
  from: string;
  to: string;
  horizonDays: number;
  paths: number;
  seed: number;
  confidence: number;
  /** The assets simulated (held symbols with prices), alphabetically. */
  symbols: string[];
  /** Days of common history the return distribution was estimated from. */
  observations: number;
  startValue: string;
  expectedValue: string | null;
  valueAtRisk: number | null;
  bands: SimulationDay[];
}

export interface FactorBeta {
  factor: string;
  beta: number;
}

export interface FactorExposureReport {
  from: string;
  to: string;
  observations: number;
  alpha: number | null;
  annualizedAlpha: number | null;
  rSquared: number | null;
  betas: FactorBeta[];
}

/** A floating-point amount as exact decimal text, to the 15 significant digits a double holds. */
export function moneyText(value: number): string {
  return new Decimal(value.toPrecision(15)).toFixed();
}

/** Symbols held at the end of the range that have prices, alphabetically. */
export function heldSymbols(dataset: Dataset, positions: Positions = ledgerValuation(dataset).positions): string[] {
  return [...positions.keys()].filter((symbol) => dataset.prices.columns.has(symbol)).sort();
}

export function performanceReport(requested: DateRange, dataset: Dataset): PerformanceReport {
  const series = ledgerValuation(dataset);
  const twr = timeWeightedReturn(portfolioReturns(series).returns);
  const days = series.dates.length;
  const cumulative = cumulativeReturns(series);
  const mwr = moneyWeightedReturn(series);
  // The MWR's flows run from the first valued day to the last (the start value and the end value).
  const mwrDays = mwr === null ? null : calendarDaysBetween(series.dates[0]!, series.dates[days - 1]!);
  return {
    ...requested,
    timeWeightedReturn: twr,
    moneyWeightedReturn: mwr,
    moneyWeightedReturnPeriod: mwr === null || mwrDays === null ? null : Math.expm1((mwrDays / 365) * Math.log1p(mwr)),
    moneyWeightedReturnDays: mwrDays,
    annualizedReturn: days < 2 ? null : annualizedReturn(twr, calendarDaysBetween(series.dates[0]!, series.dates[days - 1]!)),
    series: series.dates.map((date, t) => ({ date, value: moneyText(series.values[t]!), cumulativeReturn: cumulative[t]! })),
  };
}

export interface RiskOptions {
  confidence: number;
  benchmark: string | null;
  riskFreeRate: number;
}

export function riskReport(requested: DateRange, dataset: Dataset, options: RiskOptions): RiskReport {
  const { prices, range } = dataset;
  const series = ledgerValuation(dataset);
  const returns = portfolioReturns(series);
  const benchmark = options.benchmark === null ? undefined : symbolReturns(prices, options.benchmark, range);
  const figures = riskFigures(returns, { riskFreeRate: options.riskFreeRate, confidence: options.confidence, benchmark });
  return {
    ...requested,
    ...figures,
    confidence: options.confidence,
    benchmark: options.benchmark,
    riskFreeRate: options.riskFreeRate,
    correlations: correlations(prices, heldSymbols(dataset, series.positions), range),
  };
}

/**
 * Pearson correlation of each pair of symbols' daily returns on the dates both have. When every
 * symbol has a return on the same days (the usual case: one trading calendar) that is one
 * correlation matrix; otherwise each pair is aligned on its own common dates, as pandas'
 * DataFrame.corr() does. Pairs without a correlation (a symbol that never moves, fewer than two
 * common days) are left out.
 */
export function correlations(prices: PriceTable, symbols: readonly string[], range: DateRange): CorrelationPair[] {
  if (symbols.length < 2) return [];
  const aligned = alignedSymbolReturns(prices, symbols, range);
  const ownDays = symbols.map((symbol) => symbolReturns(prices, symbol, range).dates.length);
  if (ownDays.every((days) => days === aligned.dates.length)) return correlationPairs(correlationMatrix(aligned.rows), symbols);
  const pairs: CorrelationPair[] = [];
  for (let i = 0; i < symbols.length; i++) {
    for (let j = i + 1; j < symbols.length; j++) {
      const pair = [symbols[i]!, symbols[j]!];
      const coefficient = correlationAt(correlationMatrix(alignedSymbolReturns(prices, pair, range).rows), 0, 1);
      if (coefficient !== null) pairs.push({ a: pair[0]!, b: pair[1]!, coefficient });
    }
  }
  return pairs;
}

const BAND_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/**
 * Monte Carlo of the portfolio's value: each held symbol with prices, worth what is held of it at
 * its last close of the range (in base currency at that day's rate), simulated from the mean and covariance of the symbols' daily
 * returns on their common days.
 */
export function simulationReport(requested: DateRange, dataset: Dataset, checked: CheckedSimulation): SimulationReport {
  const { positions } = ledgerValuation(dataset);
  const symbols = heldSymbols(dataset, positions);
  const { prices, range } = dataset;
  const aligned = alignedSymbolReturns(prices, symbols, range);
  const values = symbols.map((symbol) => heldValue(dataset, symbol, positions.get(symbol) ?? 0));
  const result =
    symbols.length === 0
      ? null
      : simulatePortfolioValue({ assetReturns: aligned.rows, holdingValues: values, ...checked, quantiles: BAND_QUANTILES });
  const startValue = values.reduce((sum, value) => sum + value, 0);
  return {
    ...requested,
    ...checked,
    symbols,
    observations: aligned.dates.length,
    startValue: moneyText(startValue),
    expectedValue: result ? moneyText(result.expectedValue) : null,
    valueAtRisk: result ? result.valueAtRisk : null,
    bands: result
      ? Array.from({ length: checked.horizonDays }, (_, d) => {
          const [p5, p25, p50, p75, p95] = result.bands.map((band) => moneyText(band.values[d]!));
          return { day: d + 1, p5: p5!, p25: p25!, p50: p50!, p75: p75!, p95: p95! };
        })
      : [],
  };
}

/** The quantity held at the end of the range × the symbol's last close in the range × that day's rate. */
function heldValue({ prices, range, priceCurrency, fx }: Dataset, symbol: string, quantity: number): number {
  const closes = closesOf(prices, symbol)!;
  const { end } = dayRange(prices, range);
  let close = Number.NaN;
  let day = end - 1;
  for (; day >= 0 && Number.isNaN(close); day--) close = closes[day]!;
  const currency = priceCurrency.get(symbol);
  const rates = currency === undefined ? undefined : fx.get(currency);
  return Number.isNaN(close) ? 0 : quantity * close * (rates ? rates[day + 1]! : 1);
}

/**
 * OLS of the portfolio's daily returns on the factors' daily returns, on the days all of them
 * have; annualizedAlpha = alpha × 252 (arithmetic, as regression alphas are usually quoted).
 */
export function factorExposureReport(requested: DateRange, dataset: Dataset, factors: readonly string[]): FactorExposureReport {
  const { prices, range } = dataset;
  const returns = portfolioReturns(ledgerValuation(dataset));
  const { dates, rows } = alignOnCommonDates([returns, ...factors.map((factor) => symbolReturns(prices, factor, range))]);
  const fit = factorExposure(rows[0]!, rows.slice(1));
  return {
    ...requested,
    observations: dates.length,
    alpha: fit?.alpha ?? null,
    annualizedAlpha: fit ? fit.alpha * TRADING_DAYS_PER_YEAR : null,
    rSquared: fit?.rSquared ?? null,
    betas: fit ? factors.map((factor, k) => ({ factor, beta: fit.betas[k]! })) : [],
  };
}
