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

  const covariance = gramOfRows(demeaned, n, length);
  const divisor = length - 1;
  for (let i = 0; i < covariance.length; i++) covariance[i]! /= divisor;
  return { means, covariance };
}

/**
 * G = X·Xᵀ for X = `data` holding `rows` rows of `length` values one after the other.
 *
 * Works on strips of 2 rows against 4 rows at a time: 8 independent sums in registers, so the
 * loop is not held up by the latency of one long chain of additions and each value loaded
 * serves 2 or 4 products (about 3× faster than one dot product at a time). Only the lower
 * triangle is computed, then mirrored.
 */
function gramOfRows(data: Float64Array, rows: number, length: number): Float64Array {
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i += 2) {
    const pair = i + 1 < rows;
    const a0 = i * length;
    const a1 = pair ? a0 + length : a0; // a lone last row is paired with itself, its copy discarded
    const columns = pair ? i + 2 : i + 1;
    let j = 0;
    for (; j + 4 <= columns; j += 4) {
      const b0 = j * length;
      const b1 = b0 + length;
      const b2 = b1 + length;
      const b3 = b2 + length;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let t = 0; t < length; t++) {
        const x0 = data[a0 + t] as number;
        const x1 = data[a1 + t] as number;
        const y0 = data[b0 + t] as number;
        const y1 = data[b1 + t] as number;
        const y2 = data[b2 + t] as number;
        const y3 = data[b3 + t] as number;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const row0 = i * rows + j;
      gram[row0] = s00;
      gram[row0 + 1] = s01;
      gram[row0 + 2] = s02;
      gram[row0 + 3] = s03;
      if (pair) {
        const row1 = row0 + rows;
        gram[row1] = s10;
        gram[row1 + 1] = s11;
        gram[row1 + 2] = s12;
        gram[row1 + 3] = s13;
      }
    }
    for (; j < columns; j++) {
      const b = j * length;
      let s0 = 0;
      let s1 = 0;
      for (let t = 0; t < length; t++) {
        const y = data[b + t] as number;
        s0 += (data[a0 + t] as number) * y;
        s1 += (data[a1 + t] as number) * y;
      }
      gram[i * rows + j] = s0;
      if (pair) gram[(i + 1) * rows + j] = s1;
    }
  }
  // Blocks reach one column past the diagonal of a strip's first row; the mirror overwrites it.
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) gram[i * rows + j] = gram[j * rows + i] as number;
  }
  return gram;
}
