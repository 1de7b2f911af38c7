import { choleskyDecompose, sampleCovarianceMatrix, solveWithCholesky } from './linalg.js';
import { isNegligibleSpread } from './stats.js';

export interface FactorExposure {
  /** Intercept: the daily return not explained by the factors. */
  alpha: number;
  /** One slope per factor, in the order given. */
  betas: number[];
  /** 1 − SS_residual / SS_total; null when the portfolio return does not vary. */
  rSquared: number | null;
  observations: number;
}

/**
 * OLS regression of daily portfolio returns on factor returns (all aligned day by day):
 * r_t = alpha + Σ beta_k f_{k,t} + e_t.
 *
 * Solved on demeaned data (slopes from the factors' covariance matrix by Cholesky, then
 * alpha = mean(r) − Σ beta_k mean(f_k)), which is far better conditioned than the raw normal
 * equations with a column of ones. Null when under-determined: fewer observations than
 * coefficients, or factors that are constant or collinear.
 */
export function factorExposure(returns: ArrayLike<number>, factors: readonly ArrayLike<number>[]): FactorExposure | null {
  const observations = returns.length;
  const k = factors.length;
  if (k === 0 || observations < k + 1) return null;
  for (const factor of factors) {
    if (factor.length !== observations) throw new RangeError(`A factor has ${factor.length} values, expected ${observations}`);
  }

  // Rows: the factors, then the portfolio; the last row/column of the covariance holds Sxy and Syy.
  const { means, covariance } = sampleCovarianceMatrix([...factors, returns]);
  const size = k + 1;
  const factorCovariance = new Float64Array(k * k);
  const crossCovariance = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) factorCovariance[i * k + j] = covariance[i * size + j] as number;
    crossCovariance[i] = covariance[i * size + k] as number;
  }
  // A constant factor's variance is rounding noise, which no pivot tolerance can tell from data.
  for (let i = 0; i < k; i++) {
    if (isNegligibleSpread(Math.sqrt(factorCovariance[i * k + i] as number), means[i] as number)) return null;
  }
  const factor = choleskyDecompose(factorCovariance, k);
  if (!factor) return null;
  const betas = solveWithCholesky(factor, k, crossCovariance);

  let alpha = means[k] as number;
  for (let i = 0; i < k; i++) alpha -= (betas[i] as number) * (means[i] as number);

  let residualSquares = 0;
  let totalSquares = 0;
  const meanReturn = means[k] as number;
  for (let t = 0; t < observations; t++) {
    let fitted = alpha;
    for (let i = 0; i < k; i++) fitted += (betas[i] as number) * ((factors[i] as ArrayLike<number>)[t] as number);
    const actual = returns[t] as number;
    residualSquares += (actual - fitted) ** 2;
    totalSquares += (actual - meanReturn) ** 2;
  }
  return {
    alpha,
    betas: Array.from(betas),
    rSquared: isNegligibleSpread(Math.sqrt(covariance[k * size + k] as number), meanReturn) ? null : 1 - residualSquares / totalSquares,
    observations,
  };
}
