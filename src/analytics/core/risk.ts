import { inverseNormalCdf } from './normal.js';
import { alignOnCommonDates, type ReturnSeries } from './returns.js';
import {
  TRADING_DAYS_PER_YEAR,
  finiteOrNull,
  isNegligibleSpread,
  mean,
  quantile,
  sampleCovariance,
  sampleStd,
  sampleVariance,
} from './stats.js';

/**
 * Risk figures of daily simple returns (fractions). Dispersion-based figures (volatility, ratios,
 * beta, the VaRs) need at least MIN_RETURNS_FOR_DISPERSION returns and are null otherwise.
 * `riskFreeRate` is annual and converted to daily as rf / 252.
 */
export const MIN_RETURNS_FOR_DISPERSION = 2;

const SQRT_TRADING_DAYS = Math.sqrt(TRADING_DAYS_PER_YEAR);

/** std(r, ddof=1) × √252. */
export function volatility(returns: ArrayLike<number>): number | null {
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  return finiteOrNull(sampleStd(returns) * SQRT_TRADING_DAYS);
}

/** mean(r − rf/252) / std(r − rf/252, ddof=1) × √252; null when the std is zero. */
export function sharpeRatio(returns: ArrayLike<number>, riskFreeRate = 0): number | null {
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  const excess = excessReturns(returns, riskFreeRate);
  const average = mean(excess);
  const std = sampleStd(excess);
  if (isNegligibleSpread(std, average)) return null;
  return finiteOrNull((average / std) * SQRT_TRADING_DAYS);
}

/**
 * mean(r − rf/252) / sqrt(mean(min(0, r − rf/252)²)) × √252 (downside deviation over all days,
 * not only the losing ones); null when no day falls below the risk-free rate.
 */
export function sortinoRatio(returns: ArrayLike<number>, riskFreeRate = 0): number | null {
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  const excess = excessReturns(returns, riskFreeRate);
  let downsideSquares = 0;
  for (let i = 0; i < excess.length; i++) {
    const value = excess[i] as number;
    if (value < 0) downsideSquares += value * value;
  }
  const downsideDeviation = Math.sqrt(downsideSquares / excess.length);
  if (downsideDeviation === 0) return null;
  return finiteOrNull((mean(excess) / downsideDeviation) * SQRT_TRADING_DAYS);
}

/**
 * cov(r, b, ddof=1) / var(b, ddof=1) of two series already aligned day by day (see
 * alignOnCommonDates or betaOnCommonDates); null when the benchmark does not move.
 */
export function beta(returns: ArrayLike<number>, benchmarkReturns: ArrayLike<number>): number | null {
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  const benchmarkVariance = sampleVariance(benchmarkReturns);
  if (isNegligibleSpread(Math.sqrt(benchmarkVariance), mean(benchmarkReturns))) return null;
  return finiteOrNull(sampleCovariance(returns, benchmarkReturns) / benchmarkVariance);
}

/** beta on the dates both series have. */
export function betaOnCommonDates(returns: ReturnSeries, benchmark: ReturnSeries): number | null {
  const { rows } = alignOnCommonDates([returns, benchmark]);
  return beta(rows[0] as Float64Array, rows[1] as Float64Array);
}

/**
 * Largest fall from a running peak of the index Π(1 + r_t), starting at 1 before the first
 * return, as a positive fraction (0 without a fall); null without any return.
 */
export function maxDrawdown(returns: ArrayLike<number>): number | null {
  if (returns.length === 0) return null;
  let index = 1;
  let peak = 1;
  let largest = 0;
  for (let i = 0; i < returns.length; i++) {
    index *= 1 + (returns[i] as number);
    if (index > peak) peak = index;
    else {
      const drawdown = 1 - index / peak;
      if (drawdown > largest) largest = drawdown;
    }
  }
  return finiteOrNull(largest);
}

/** Historical one-day VaR: −quantile(r, 1 − confidence), numpy's linear interpolation. */
export function historicalValueAtRisk(returns: ArrayLike<number>, confidence = 0.95): number | null {
  assertConfidence(confidence);
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  return negate(quantile(returns, 1 - confidence));
}

/** Historical one-day CVaR (expected shortfall): −mean of the r ≤ quantile(r, 1 − confidence). */
export function conditionalValueAtRisk(returns: ArrayLike<number>, confidence = 0.95): number | null {
  assertConfidence(confidence);
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  const cutoff = quantile(returns, 1 - confidence);
  let sum = 0;
  let count = 0; // ≥ 1: the smallest return is ≤ any quantile
  for (let i = 0; i < returns.length; i++) {
    const value = returns[i] as number;
    if (value <= cutoff) {
      sum += value;
      count++;
    }
  }
  return negate(sum / count);
}

/** Parametric (normal) one-day VaR: −(mean + z_{1−confidence} × std(r, ddof=1)). */
export function parametricValueAtRisk(returns: ArrayLike<number>, confidence = 0.95): number | null {
  assertConfidence(confidence);
  if (returns.length < MIN_RETURNS_FOR_DISPERSION) return null;
  return finiteOrNull(negate(mean(returns) + inverseNormalCdf(1 - confidence) * sampleStd(returns)));
}

/** All the risk figures of a return series, as the risk report shows them. */
export interface RiskFigures {
  observations: number;
  volatility: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  /** Against the benchmark on common dates; null without a benchmark. */
  beta: number | null;
  maxDrawdown: number | null;
  valueAtRisk: number | null;
  conditionalValueAtRisk: number | null;
  parametricValueAtRisk: number | null;
}

export interface RiskOptions {
  /** Annual risk-free rate as a fraction; default 0. */
  riskFreeRate?: number;
  /** VaR confidence, 0 < c < 1; default 0.95. */
  confidence?: number;
  benchmark?: ReturnSeries;
}

export function riskFigures(series: ReturnSeries, options: RiskOptions = {}): RiskFigures {
  const { riskFreeRate = 0, confidence = 0.95, benchmark } = options;
  const { returns } = series;
  return {
    observations: returns.length,
    volatility: volatility(returns),
    sharpeRatio: sharpeRatio(returns, riskFreeRate),
    sortinoRatio: sortinoRatio(returns, riskFreeRate),
    beta: benchmark ? betaOnCommonDates(series, benchmark) : null,
    maxDrawdown: maxDrawdown(returns),
    valueAtRisk: historicalValueAtRisk(returns, confidence),
    conditionalValueAtRisk: conditionalValueAtRisk(returns, confidence),
    parametricValueAtRisk: parametricValueAtRisk(returns, confidence),
  };
}

function excessReturns(returns: ArrayLike<number>, riskFreeRate: number): Float64Array {
  const dailyRiskFree = riskFreeRate / TRADING_DAYS_PER_YEAR;
  const excess = new Float64Array(returns.length);
  for (let i = 0; i < returns.length; i++) excess[i] = (returns[i] as number) - dailyRiskFree;
  return excess;
}

/** −x, but 0 rather than −0 for a loss of 0. */
function negate(x: number): number {
  return 0 - x;
}

function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1 (exclusive), got ${confidence}`);
  }
}
