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

/** numpy's default ('linear') quantile, 0 ≤ p ≤ 1; the input is not modified. */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantilesInPlace(Float64Array.from(values), [p])[0] as number;
}

/**
 * numpy's default ('linear') quantiles of `values` for each p (0 ≤ p ≤ 1), in the order given.
 * Reorders `values`: selection (quickselect) finds just the order statistics needed, ranks in
 * ascending order each within what is right of the last one, which is several times faster than
 * sorting when there are many values and a few quantiles.
 */
export function quantilesInPlace(values: Float64Array, probabilities: readonly number[]): number[] {
  const n = values.length;
  const result = probabilities.map(() => Number.NaN);
  if (n === 0) return result;
  let selected = -1; // the largest rank selected so far: values[selected] holds it
  const orderStatistic = (rank: number): number => {
    if (rank > selected) {
      selectInPlace(values, rank, selected + 1, n - 1);
      selected = rank;
    }
    return values[rank] as number;
  };
  const ascending = probabilities.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p);
  for (const { p, index } of ascending) {
    const position = (n - 1) * p;
    const below = Math.floor(position);
    const fraction = position - below;
    const low = orderStatistic(below);
    result[index] = fraction === 0 ? low : low + (orderStatistic(below + 1) - low) * fraction;
  }
  return result;
}

/**
 * Moves the value of rank `rank` within values[left..right] to index `rank`, smaller or equal ones
 * before it and larger or equal ones after (Hoare partitioning around a median of three). Falls
 * back to sorting a range that keeps failing to shrink, so adversarial inputs stay O(n log n).
 */
function selectInPlace(values: Float64Array, rank: number, left: number, right: number): void {
  let rounds = 0;
  while (right > left) {
    if (++rounds > 64) {
      values.subarray(left, right + 1).sort();
      return;
    }
    const middle = (left + right) >>> 1;
    // Median of three as the pivot: sorted or reversed input is no worst case.
    if ((values[middle] as number) < (values[left] as number)) swap(values, middle, left);
    if ((values[right] as number) < (values[left] as number)) swap(values, right, left);
    if ((values[right] as number) < (values[middle] as number)) swap(values, right, middle);
    const pivot = values[middle] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // Now values[left..j] ≤ pivot ≤ values[i..right], and anything strictly between equals pivot.
    if (rank <= j) right = j;
    else if (rank >= i) left = i;
    else return;
  }
}

function swap(values: Float64Array, i: number, j: number): void {
  const value = values[i] as number;
  values[i] = values[j] as number;
  values[j] = value;
}
