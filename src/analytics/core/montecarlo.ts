import { choleskyDecompose, sampleCovarianceMatrix } from './linalg.js';
import { SeededRandom } from './random.js';
import { quantileOfSorted } from './stats.js';

/**
 * Largest paths × horizonDays × assets a simulation may take (about a second on one core):
 * requests above it should be refused before any work starts.
 */
export const MAX_SIMULATION_CELLS = 60_000_000;

/** Whether a simulation of this size is within MAX_SIMULATION_CELLS (and every size is a positive integer). */
export function isSimulationSizeAllowed(paths: number, horizonDays: number, assets: number): boolean {
  const sizes = [paths, horizonDays, assets];
  return sizes.every((size) => Number.isSafeInteger(size) && size > 0) && paths * horizonDays * assets <= MAX_SIMULATION_CELLS;
}

export interface MonteCarloInput {
  /** Each asset's historical daily returns, aligned on common dates (rows of alignOnCommonDates). */
  assetReturns: readonly ArrayLike<number>[];
  /** Current value of the holding in each asset, in the same order. */
  holdingValues: ArrayLike<number>;
  horizonDays: number;
  paths: number;
  /** Same seed and inputs, same result. */
  seed: number;
  /** For valueAtRisk; default 0.95. */
  confidence?: number;
  /** Quantiles (fractions) of the portfolio value reported for every day; default 5/25/50/75/95 %. */
  quantiles?: readonly number[];
}

export interface ValueBand {
  quantile: number;
  /** values[d]: that quantile of the simulated portfolio value at the close of day d + 1. */
  values: Float64Array;
}

export interface MonteCarloResult {
  startValue: number;
  bands: ValueBand[];
  /** Mean simulated portfolio value at the horizon. */
  expectedValue: number;
  /**
   * Loss at the horizon not exceeded with the given confidence, as a fraction of startValue:
   * 1 − quantile(V_horizon, 1 − confidence) / startValue (negative when even that quantile is a gain).
   */
  valueAtRisk: number;
  /** Added to the covariance diagonal so it could be factored (0 when it was positive definite). */
  covarianceJitter: number;
}

const DEFAULT_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/**
 * Simulates the portfolio value over `horizonDays`: each day every path draws correlated normal
 * daily returns with the sample mean vector and sample covariance (ddof = 1) of assetReturns
 * (correlated through the covariance's Cholesky factor), and each holding compounds its own
 * simple returns; the portfolio value is the sum of the holdings. Null with fewer than 2 days of
 * history. Throws a RangeError for inputs that cannot be simulated (see isSimulationSizeAllowed).
 *
 * Days are the outer loop, so the state is one value per path and asset, and each day's
 * quantiles are taken as soon as the day is simulated; nothing is allocated inside the loops.
 */
export function simulatePortfolioValue(input: MonteCarloInput): MonteCarloResult | null {
  const { assetReturns, holdingValues, horizonDays, paths, seed } = input;
  const confidence = input.confidence ?? 0.95;
  const quantiles = input.quantiles ?? DEFAULT_QUANTILES;
  const assets = assetReturns.length;
  if (holdingValues.length !== assets) {
    throw new RangeError(`Expected ${assets} holding values, got ${holdingValues.length}`);
  }
  if (!isSimulationSizeAllowed(paths, horizonDays, assets)) {
    throw new RangeError(
      `Simulation of ${paths} paths × ${horizonDays} days × ${assets} assets is not allowed (positive integers, at most ${MAX_SIMULATION_CELLS} in all)`,
    );
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  if (!quantiles.every((q) => q >= 0 && q <= 1)) throw new RangeError('quantiles must be between 0 and 1');
  if ((assetReturns[0] as ArrayLike<number>).length < 2) return null;

  const { means, covariance } = sampleCovarianceMatrix(assetReturns);
  const { factor, jitter } = factorCovariance(covariance, assets);
  const growthBase = new Float64Array(assets); // 1 + mean daily return
  for (let i = 0; i < assets; i++) growthBase[i] = 1 + (means[i] as number);

  let startValue = 0;
  const holdings = new Float64Array(paths * assets); // holdings[p * assets + i]: value of asset i on path p
  for (let i = 0; i < assets; i++) startValue += holdingValues[i] as number;
  for (let p = 0; p < paths; p++) {
    for (let i = 0; i < assets; i++) holdings[p * assets + i] = holdingValues[i] as number;
  }

  const random = new SeededRandom(seed);
  const normals = new Float64Array(paths * assets); // one day's draws
  const portfolioValues = new Float64Array(paths);
  const bands: ValueBand[] = quantiles.map((quantile) => ({ quantile, values: new Float64Array(horizonDays) }));
  let expectedValue = 0;

  for (let day = 0; day < horizonDays; day++) {
    random.fillStandardNormal(normals);
    for (let p = 0; p < paths; p++) {
      const base = p * assets;
      let total = 0;
      for (let i = 0; i < assets; i++) {
        // Growth factor 1 + mean_i + (L z)_i, L lower triangular.
        let growth = growthBase[i] as number;
        const row = i * assets;
        for (let j = 0; j <= i; j++) growth += (factor[row + j] as number) * (normals[base + j] as number);
        const value = (holdings[base + i] as number) * growth;
        holdings[base + i] = value;
        total += value;
      }
      portfolioValues[p] = total;
    }
    if (day === horizonDays - 1) {
      let sum = 0;
      for (let p = 0; p < paths; p++) sum += portfolioValues[p] as number;
      expectedValue = sum / paths;
    }
    portfolioValues.sort();
    for (const band of bands) band.values[day] = quantileOfSorted(portfolioValues, band.quantile);
  }

  // portfolioValues holds the horizon's values, sorted.
  const valueAtRisk = startValue > 0 ? 1 - quantileOfSorted(portfolioValues, 1 - confidence) / startValue : 0;
  return { startValue, bands, expectedValue, valueAtRisk, covarianceJitter: jitter };
}

/**
 * Cholesky factor of a sample covariance. A singular one (an asset that never moved, two assets
 * moving in lockstep) gets a growing jitter on its diagonal, from 1e-10 to 1e-4 of the average
 * variance; past that the matrix is not a covariance matrix and this throws.
 */
function factorCovariance(covariance: Float64Array, size: number): { factor: Float64Array; jitter: number } {
  let averageVariance = 0;
  for (let i = 0; i < size; i++) averageVariance += (covariance[i * size + i] as number) / size;
  if (averageVariance === 0) return { factor: new Float64Array(size * size), jitter: 0 }; // nothing moves

  const exact = choleskyDecompose(covariance, size);
  if (exact) return { factor: exact, jitter: 0 };
  const jittered = new Float64Array(size * size);
  for (const scale of [1e-10, 1e-8, 1e-6, 1e-4]) {
    const jitter = scale * averageVariance;
    jittered.set(covariance);
    for (let i = 0; i < size; i++) jittered[i * size + i]! += jitter;
    const factor = choleskyDecompose(jittered, size);
    if (factor) return { factor, jitter };
  }
  throw new RangeError('The covariance of the asset returns is not positive semi-definite; cannot simulate');
}
