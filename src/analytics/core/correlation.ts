import { sampleCovarianceMatrix } from './linalg.js';
import { isNegligibleSpread } from './stats.js';

/** Pearson correlation matrix, row-major size×size. */
export interface CorrelationMatrix {
  size: number;
  /**
   * values[i * size + j] = corr(row i, row j). A row that does not move (zero variance) has no
   * correlation with anything: its entries are NaN here, and correlationAt/correlationPairs turn
   * that into null / leave the pair out.
   */
  values: Float64Array;
}

/** Pearson correlations of equally long rows (e.g. holdings' returns from alignedSymbolReturns). */
export function correlationMatrix(rows: readonly ArrayLike<number>[]): CorrelationMatrix {
  const size = rows.length;
  const { means, covariance } = sampleCovarianceMatrix(rows);
  const scale = new Float64Array(size); // 1 / std, or NaN for a constant row
  for (let i = 0; i < size; i++) {
    const std = Math.sqrt(covariance[i * size + i] as number);
    scale[i] = isNegligibleSpread(std, means[i] as number) ? Number.NaN : 1 / std;
  }
  const values = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      // Clamp: rounding can put a perfect correlation a hair outside [−1, 1].
      const r = (covariance[i * size + j] as number) * (scale[i] as number) * (scale[j] as number);
      values[i * size + j] = i === j && !Number.isNaN(r) ? 1 : Math.min(1, Math.max(-1, r));
    }
  }
  return { size, values };
}

/** corr(i, j), or null when either row does not move. */
export function correlationAt(matrix: CorrelationMatrix, i: number, j: number): number | null {
  const value = matrix.values[i * matrix.size + j] as number;
  return Number.isNaN(value) ? null : value;
}

export interface CorrelationPair {
  a: string;
  b: string;
  coefficient: number;
}

/** Pairs {a, b, coefficient} for i < j with labels[i], labels[j]; pairs without a correlation are left out. */
export function correlationPairs(matrix: CorrelationMatrix, labels: readonly string[]): CorrelationPair[] {
  if (labels.length !== matrix.size) throw new RangeError(`Expected ${matrix.size} labels, got ${labels.length}`);
  const pairs: CorrelationPair[] = [];
  for (let i = 0; i < matrix.size; i++) {
    for (let j = i + 1; j < matrix.size; j++) {
      const coefficient = correlationAt(matrix, i, j);
      if (coefficient !== null) pairs.push({ a: labels[i] as string, b: labels[j] as string, coefficient });
    }
  }
  return pairs;
}
