/** Small dense linear algebra on row-major n×n Float64Arrays. */

/**
 * Lower-triangular Cholesky factor L of a symmetric matrix A (A = L·Lᵀ), or null when A is not
 * positive definite: a pivot ≤ relativeTolerance × (largest diagonal entry of A) counts as zero,
 * so rounding noise on a singular matrix is not mistaken for a tiny positive variance.
 */
export function choleskyDecompose(a: Float64Array, n: number, relativeTolerance = 1e-12): Float64Array | null {
  if (a.length !== n * n) throw new RangeError(`Expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
  let largestDiagonal = 0;
  for (let i = 0; i < n; i++) largestDiagonal = Math.max(largestDiagonal, a[i * n + i] as number);
  const minimumPivot = relativeTolerance * largestDiagonal;

  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = a[j * n + j] as number;
    for (let k = 0; k < j; k++) pivot -= (l[j * n + k] as number) ** 2;
    if (!(pivot > minimumPivot)) return null;
    const diagonal = Math.sqrt(pivot);
    l[j * n + j] = diagonal;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = sum / diagonal;
    }
  }
  return l;
}

/** Solves A·x = b given A's Cholesky factor L (forward then back substitution). */
export function solveWithCholesky(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/**
 * Sample means and the sample covariance matrix (ddof = 1) of equally long rows (one row per
 * variable, e.g. an asset's daily returns), from one Gram product of the demeaned rows.
 */
export function sampleCovarianceMatrix(rows: readonly ArrayLike<number>[]): { means: Float64Array; covariance: Float64Array } {
  const n = rows.length;
  const length = n === 0 ? 0 : (rows[0] as ArrayLike<number>).length;
  const means = new Float64Array(n);
  // Demeaned rows packed one after the other: each dot product below reads two contiguous rows.
  const demeaned = new Float64Array(n * length);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as ArrayLike<number>;
    if (row.length !== length) throw new RangeError(`Row ${i} has ${row.length} values, expected ${length}`);
    let sum = 0;
    for (let t = 0; t < length; t++) sum += row[t] as number;
    const rowMean = sum / length;
    means[i] = rowMean;
    const offset = i * length;
    for (let t = 0; t < length; t++) demeaned[offset + t] = (row[t] as number) - rowMean;
  }

  const covariance = new Float64Array(n * n);
  const divisor = length - 1;
  for (let i = 0; i < n; i++) {
    const offsetI = i * length;
    for (let j = 0; j <= i; j++) {
      const offsetJ = j * length;
      let sum = 0;
      for (let t = 0; t < length; t++) sum += (demeaned[offsetI + t] as number) * (demeaned[offsetJ + t] as number);
      const value = sum / divisor;
      covariance[i * n + j] = value;
      covariance[j * n + i] = value;
    }
  }
  return { means, covariance };
}
