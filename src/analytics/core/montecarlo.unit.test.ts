import { describe, expect, it } from 'vitest';
import { formulaSeries } from './test-fixtures.js';
import { MAX_SIMULATION_CELLS, isSimulationSizeAllowed, simulatePortfolioValue } from './montecarlo.js';
import { inverseNormalCdf } from './normal.js';

// Inputs: the formula series of bench/analytics_reference.py for t = 0..199, shifted; their sample
// moments there ("Monte Carlo inputs"), from numpy: means 0.00041763827356873463 and
// 0.0001234949965469129, stds (ddof 1) 0.007236905588976347 and 0.005577830014152592,
// correlation 0.6483424463188432.
const { f1, f3 } = formulaSeries(200);
const assetA = f1.map((v) => 0.0004 + v);
const assetB = f3.map((v) => 0.0001 + v);
const MEAN_A = 0.00041763827356873463;
const STD_A = 0.007236905588976347;
const STD_B = 0.005577830014152592;
const CORRELATION_AB = 0.6483424463188432;

/** Quantile levels Φ(−1) and Φ(1): their values are mean ∓ one std for a normal variable. */
const MINUS_ONE_SIGMA = 0.15865525393145707;
const PLUS_ONE_SIGMA = 0.8413447460685429;

describe('simulatePortfolioValue', () => {
  it('reproduces the input mean and std of a single asset over one day', () => {
    const paths = 200_000;
    const result = simulatePortfolioValue({
      assetReturns: [assetA],
      holdingValues: [1],
      horizonDays: 1,
      paths,
      seed: 1,
      quantiles: [MINUS_ONE_SIGMA, 0.5, PLUS_ONE_SIGMA],
    })!;
    const [low, median, high] = result.bands.map((band) => band.values[0] as number);
    // Day-one value = 1 + simulated return.
    expect(Math.abs(result.expectedValue - 1 - MEAN_A)).toBeLessThan((4 * STD_A) / Math.sqrt(paths));
    expect(Math.abs((median as number) - 1 - MEAN_A)).toBeLessThan((5 * STD_A) / Math.sqrt(paths));
    expect(((high as number) - (low as number)) / 2 / STD_A).toBeCloseTo(1, 2);
    // One-day Monte Carlo VaR of one asset ≈ the parametric VaR −(mean + z_0.05 × std).
    expect(result.valueAtRisk / -(MEAN_A + inverseNormalCdf(0.05) * STD_A)).toBeCloseTo(1, 1);
  });

  it('reproduces the input correlation of two assets (from the spread of their sum)', () => {
    const result = simulatePortfolioValue({
      assetReturns: [assetA, assetB],
      holdingValues: [1, 1],
      horizonDays: 1,
      paths: 200_000,
      seed: 2,
      quantiles: [MINUS_ONE_SIGMA, PLUS_ONE_SIGMA],
    })!;
    const spread = ((result.bands[1]!.values[0] as number) - (result.bands[0]!.values[0] as number)) / 2;
    // var(a + b) = σa² + σb² + 2ρσaσb  ⇒  ρ = (var − σa² − σb²) / (2σaσb)
    const implied = (spread ** 2 - STD_A ** 2 - STD_B ** 2) / (2 * STD_A * STD_B);
    expect(Math.abs(implied - CORRELATION_AB)).toBeLessThan(0.03);
  });

  const input = { assetReturns: [assetA, assetB], holdingValues: [600, 400], horizonDays: 20, paths: 3001, seed: 99 };

  it('gives the same result for the same seed and another for another seed', () => {
    const first = simulatePortfolioValue(input)!;
    const second = simulatePortfolioValue(input)!;
    expect(second).toEqual(first);
    const other = simulatePortfolioValue({ ...input, seed: 100 })!;
    expect(other.expectedValue).not.toBe(first.expectedValue);
  });

  it('reports ordered bands for every day, and VaR from the horizon quantile', () => {
    const result = simulatePortfolioValue({ ...input, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95] })!;
    expect(result.startValue).toBe(1000);
    expect(result.covarianceJitter).toBe(0);
    for (let day = 0; day < 20; day++) {
      const values = result.bands.map((band) => band.values[day] as number);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
    }
    // Default confidence 0.95: VaR is the loss at the 5 % quantile of the last day.
    expect(result.valueAtRisk).toBeCloseTo(1 - (result.bands[0]!.values[19] as number) / 1000, 12);
    // Spread grows with the horizon (≈ √days).
    const spread = (day: number): number => (result.bands[4]!.values[day] as number) - (result.bands[0]!.values[day] as number);
    expect(spread(19) / spread(0)).toBeGreaterThan(3);
  });

  it('jitters a singular covariance (two identical assets) instead of failing', () => {
    const result = simulatePortfolioValue({ ...input, assetReturns: [assetA, assetA] })!;
    expect(result.covarianceJitter).toBeGreaterThan(0);
    expect(Number.isFinite(result.expectedValue)).toBe(true);
  });

  it('is null with fewer than 2 days of history', () => {
    expect(simulatePortfolioValue({ ...input, assetReturns: [[0.01], [0.02]] })).toBeNull();
  });

  it('refuses sizes over MAX_SIMULATION_CELLS and invalid inputs', () => {
    expect(isSimulationSizeAllowed(10_000, 252, 20)).toBe(true);
    expect(isSimulationSizeAllowed(100_000, 2520, 50)).toBe(false);
    expect(isSimulationSizeAllowed(0, 252, 20)).toBe(false);
    expect(isSimulationSizeAllowed(1.5, 252, 20)).toBe(false);
    expect(MAX_SIMULATION_CELLS).toBeGreaterThanOrEqual(10_000 * 252 * 20);
    expect(() => simulatePortfolioValue({ ...input, paths: MAX_SIMULATION_CELLS })).toThrow(RangeError);
    expect(() => simulatePortfolioValue({ ...input, holdingValues: [1] })).toThrow(RangeError);
    expect(() => simulatePortfolioValue({ ...input, confidence: 1 })).toThrow(RangeError);
  });
});
