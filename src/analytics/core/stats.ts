/**
 * The one place for the basic sample statistics every figure is built from
 * (two-pass mean/variance for accuracy; ddof = 1 like numpy's `std(ddof=1)` and pandas' default).
 */

/** Periods per year used to annualise daily figures. */
export const TRADING_DAYS_PER_YEAR = 252;

/** `value` when it is a finite number, otherwise null: figures are never NaN or ±Infinity. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Arithmetic mean; NaN for an empty input (callers check the length first). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Sample variance (ddof = 1); NaN for fewer than 2 values. */
export function sampleVariance(values: ArrayLike<number>): number {
  return sampleCovariance(values, values);
}

/** Sample standard deviation (ddof = 1); NaN for fewer than 2 values. */
export function sampleStd(values: ArrayLike<number>): number {
  return Math.sqrt(sampleVariance(values));
}

/** Sample covariance (ddof = 1) of two equally long series; NaN for fewer than 2 values. */
export function sampleCovariance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Series lengths differ: ${n} and ${y.length}`);
  if (n < 2) return Number.NaN;
  const meanX = mean(x);
  const meanY = mean(y);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((x[i] as number) - meanX) * ((y[i] as number) - meanY);
  return sum / (n - 1);
}

/**
 * True when a spread (standard deviation) is zero up to rounding: a constant series such as
 * [0.01, 0.01, …] has a computed std of ~1e-18, not 0, and dividing by it would give nonsense.
 */
export function isNegligibleSpread(std: number, center: number): boolean {
  return !(std > 1e-12 * Math.abs(center));
}

/** numpy's default ('linear') quantile of already ascending-sorted values, 0 ≤ p ≤ 1. */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below] as number;
  if (fraction === 0) return low;
  const high = sorted[below + 1] as number;
  return low + (high - low) * fraction;
}

/** numpy's default ('linear') quantile, 0 ≤ p ≤ 1; the input is not modified. */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileOfSorted(Float64Array.from(values).sort(), p);
}
