import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, normalCdf } from './normal.js';

// Reference: Python's statistics.NormalDist (inv_cdf is Wichura's AS241, ~1e-16), printed by
// bench/analytics_reference.py ("inverse normal CDF").
const ps = [1e-10, 1e-6, 0.001, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.95, 0.975, 0.99, 0.999999];
const quantiles = [
  -6.361340902404056, -4.753424308822899, -3.090232306167813, -2.3263478740408408, -1.9729610513118845, -1.9599639845400538,
  -1.6448536269514726, -1.2815515655446008, -0.5244005127080407, 0, 0.5244005127080407, 1.6448536269514715, 1.9599639845400536,
  2.3263478740408408, 4.753424308817089,
];
// CDF reference: 0.5 × math.erfc(−x / √2) (NormalDist().cdf uses erf and loses the lower tail).
const xs = [-37, -20, -8, -6.36, -5, -3.01, -3, -2.99, -1.5, -0.5, 0, 0.3, 1, 2.5, 6];
const cdfs = [
  5.725571222525139e-300, 2.7536241186063314e-89, 6.220960574271819e-16, 1.008768746639295e-10, 2.866515718791946e-7, 0.0013062384487694699,
  0.0013498980316300957, 0.0013948872354922503, 0.06680720126885809, 0.3085375387259869, 0.5, 0.6179114221889526, 0.8413447460685429,
  0.9937903346742238, 0.9999999990134123,
];

describe('inverseNormalCdf (Acklam + one Halley step)', () => {
  it('matches AS241 to 1e-13 across the range, including both tails and the region boundary 0.02425', () => {
    ps.forEach((p, i) => {
      const expected = quantiles[i] as number;
      expect(Math.abs(inverseNormalCdf(p) - expected)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected)));
    });
  });

  it('is exact at the ends and NaN outside [0, 1]', () => {
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
    expect(inverseNormalCdf(-0.1)).toBeNaN();
    expect(inverseNormalCdf(Number.NaN)).toBeNaN();
  });

  it('inverts normalCdf', () => {
    for (const x of [-7, -3.3, -0.01, 0.7, 2.2]) expect(inverseNormalCdf(normalCdf(x))).toBeCloseTo(x, 9);
  });
});

describe('normalCdf (series below |x| = 3, continued fraction beyond)', () => {
  it('matches erfc within 1e-13 relative, deep into the lower tail and on both sides of the switch at 3', () => {
    xs.forEach((x, i) => {
      const expected = cdfs[i] as number;
      expect(Math.abs(normalCdf(x) - expected)).toBeLessThanOrEqual(1e-13 * expected);
    });
  });

  it('is symmetric and NaN for NaN', () => {
    expect(normalCdf(1.7) + normalCdf(-1.7)).toBeCloseTo(1, 15);
    expect(normalCdf(Number.NaN)).toBeNaN();
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});
