import { choleskyDecompose, sampleCovarianceMatrix } from './linalg.js';
import { SeededRandom } from './random.js';
import { quantilesInPlace } from './stats.js';

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
  /** Each asset's historical daily returns, aligned on common dates (rows of alignedSymbolReturns). */
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
 * quantiles are taken as soon as the day is simulated; nothing is allocated inside the loops
 * but the few quantiles of each day.
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

  // Paths are simulated PATH_BLOCK at a time; the count is rounded up to a whole number of
  // blocks and the extra paths ignored, so the inner loop needs no remainder case.
  const blocks = Math.ceil(paths / PATH_BLOCK);
  const stride = blocks * PATH_BLOCK;
  // Asset-major: holdings[i * stride + p] is asset i's value on path p, normals likewise.
  const holdings = new Float64Array(assets * stride);
  const normals = new Float64Array(assets * stride); // one day's draws
  const portfolioValues = new Float64Array(stride);
  let startValue = 0;
  for (let i = 0; i < assets; i++) {
    const value = holdingValues[i] as number;
    startValue += value;
    holdings.fill(value, i * stride, (i + 1) * stride);
  }
  const random = new SeededRandom(seed);
  const bandQuantiles = [...quantiles, 1 - confidence];
  const bands: ValueBand[] = quantiles.map((quantile) => ({ quantile, values: new Float64Array(horizonDays) }));
  const dayValues = portfolioValues.subarray(0, paths);
  let expectedValue = 0;
  let horizonQuantile = 0;

  for (let day = 0; day < horizonDays; day++) {
    random.fillStandardNormal(normals);
    portfolioValues.fill(0);
    simulateDay(holdings, normals, portfolioValues, factor, means, assets, stride);
    if (day === horizonDays - 1) {
      let sum = 0;
      for (let p = 0; p < paths; p++) sum += dayValues[p] as number;
      expectedValue = sum / paths;
    }
    const dayQuantiles = quantilesInPlace(dayValues, bandQuantiles);
    bands.forEach((band, k) => (band.values[day] = dayQuantiles[k] as number));
    horizonQuantile = dayQuantiles[quantiles.length] as number;
  }

  const valueAtRisk = startValue > 0 ? 1 - horizonQuantile / startValue : 0;
  return { startValue, bands, expectedValue, valueAtRisk, covarianceJitter: jitter };
}

/** Paths per inner-loop block: 8 independent sums keep the floating-point units busy. */
const PATH_BLOCK = 8;

/**
 * One day for every path: asset i grows by 1 + mean_i + Σ_{j ≤ i} L_ij z_j (L the Cholesky factor,
 * z the day's normals) and its new value is added to the path's portfolio value.
 *
 * For each asset the loop runs over blocks of 8 paths, 8 sums in registers; the normals of one
 * asset for 8 consecutive paths are adjacent in memory. Summing over j for one path at a time
 * would instead wait on one chain of dependent additions (about 2× slower).
 */
function simulateDay(
  holdings: Float64Array,
  normals: Float64Array,
  portfolioValues: Float64Array,
  factor: Float64Array,
  means: Float64Array,
  assets: number,
  stride: number,
): void {
  for (let i = 0; i < assets; i++) {
    const growthBase = 1 + (means[i] as number);
    const row = i * assets;
    const offset = i * stride;
    for (let p = 0; p < stride; p += PATH_BLOCK) {
      let g0 = growthBase,
        g1 = growthBase,
        g2 = growthBase,
        g3 = growthBase;
      let g4 = growthBase,
        g5 = growthBase,
        g6 = growthBase,
        g7 = growthBase;
      for (let j = 0; j <= i; j++) {
        const weight = factor[row + j] as number;
        const z = j * stride + p;
        g0 += weight * (normals[z] as number);
        g1 += weight * (normals[z + 1] as number);
        g2 += weight * (normals[z + 2] as number);
        g3 += weight * (normals[z + 3] as number);
        g4 += weight * (normals[z + 4] as number);
        g5 += weight * (normals[z + 5] as number);
        g6 += weight * (normals[z + 6] as number);
        g7 += weight * (normals[z + 7] as number);
      }
      const h = offset + p;
      const v0 = (holdings[h] as number) * g0;
      const v1 = (holdings[h + 1] as number) * g1;
      const v2 = (holdings[h + 2] as number) * g2;
      const v3 = (holdings[h + 3] as number) * g3;
      const v4 = (holdings[h + 4] as number) * g4;
      const v5 = (holdings[h + 5] as number) * g5;
      const v6 = (holdings[h + 6] as number) * g6;
      const v7 = (holdings[h + 7] as number) * g7;
      holdings[h] = v0;
      holdings[h + 1] = v1;
      holdings[h + 2] = v2;
      holdings[h + 3] = v3;
      holdings[h + 4] = v4;
      holdings[h + 5] = v5;
      holdings[h + 6] = v6;
      holdings[h + 7] = v7;
      portfolioValues[p]! += v0;
      portfolioValues[p + 1]! += v1;
      portfolioValues[p + 2]! += v2;
      portfolioValues[p + 3]! += v3;
      portfolioValues[p + 4]! += v4;
      portfolioValues[p + 5]! += v5;
      portfolioValues[p + 6]! += v6;
      portfolioValues[p + 7]! += v7;
    }
  }
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
