import { describe, expect, it } from 'vitest';
import { mean, quantile, quantilesInPlace, sampleCovariance, sampleStd } from './stats.js';

describe('quantile (numpy linear)', () => {
  // bench/analytics_reference.py ("quantiles"): np.quantile of the same values.
  const values = [...Array.from({ length: 250 }, (_, i) => ((i * 37) % 101) / 10 - 5), ...Array<number>(10).fill(0.5)];
  const ps = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];
  const expected = [-5, -4.941, -4.505, -2.425, 0.1499999999999999, 2.4000000000000004, 4.5, 4.9410000000000025, 5];

  it('matches numpy, one at a time and all at once in any order', () => {
    ps.forEach((p, i) => expect(quantile(values, p)).toBeCloseTo(expected[i] as number, 12));
    const shuffled = [7, 2, 0, 8, 4, 1, 6, 3, 5];
    const many = quantilesInPlace(
      Float64Array.from(values),
      shuffled.map((i) => ps[i] as number),
    );
    shuffled.forEach((i, k) => expect(many[k]).toBeCloseTo(expected[i] as number, 12));
  });

  it('handles sorted, reversed and constant inputs, and one value', () => {
    const sorted = Float64Array.from({ length: 1001 }, (_, i) => i);
    expect(quantilesInPlace(sorted.slice(), [0.05, 0.5, 0.95])).toEqual([50, 500, 950]);
    expect(quantilesInPlace(sorted.slice().reverse(), [0.05, 0.5, 0.95])).toEqual([50, 500, 950]);
    expect(quantilesInPlace(new Float64Array(100).fill(3), [0.1, 0.9])).toEqual([3, 3]);
    expect(quantile([4], 0.3)).toBe(4);
    expect(quantile([], 0.3)).toBeNaN();
  });
});

describe('mean, sample std and covariance (ddof = 1)', () => {
  it('match hand computation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(sampleCovariance([1, 2, 3], [2, 4, 7])).toBeCloseTo(2.5, 14);
    expect(sampleStd([1])).toBeNaN();
    expect(() => sampleCovariance([1, 2], [1])).toThrow(RangeError);
  });
});
