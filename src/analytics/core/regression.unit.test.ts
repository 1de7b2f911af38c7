import { describe, expect, it } from 'vitest';
import { formulaSeries } from './test-fixtures.js';
import { factorExposure } from './regression.js';

describe('factorExposure (OLS with intercept)', () => {
  // Reference: numpy.linalg.lstsq on [1, f1, f2] (bench/analytics_reference.py, "OLS").
  const { f1, f2, y } = formulaSeries(60);

  it('matches numpy.linalg.lstsq with two factors', () => {
    const exposure = factorExposure(y, [f1, f2]);
    expect(exposure).not.toBeNull();
    const { alpha, betas, rSquared, observations } = exposure!;
    expect(observations).toBe(60);
    expect(alpha).toBeCloseTo(0.00023988000609737305, 13);
    expect(betas[0]! / 1.2030823551563627).toBeCloseTo(1, 10);
    expect(betas[1]! / -0.4952699330036063).toBeCloseTo(1, 10);
    expect(rSquared! / 0.9499813237913167).toBeCloseTo(1, 10);
  });

  it('matches numpy.linalg.lstsq with one factor', () => {
    const { alpha, betas } = factorExposure(y, [f1])!;
    expect(alpha).toBeCloseTo(0.0003945658356335639, 13);
    expect(betas[0]! / 1.1868476267229877).toBeCloseTo(1, 10);
  });

  it('recovers an exact linear relation with R² = 1', () => {
    const exact = f1.map((v, t) => 0.001 + 2 * v - 3 * (f2[t] as number));
    const { alpha, betas, rSquared } = factorExposure(exact, [f1, f2])!;
    expect(alpha).toBeCloseTo(0.001, 14);
    expect(betas[0]).toBeCloseTo(2, 10);
    expect(betas[1]).toBeCloseTo(-3, 10);
    expect(rSquared).toBeCloseTo(1, 12);
  });

  it('is null when under-determined: too few observations, a constant or collinear factor', () => {
    expect(factorExposure(y.slice(0, 2), [f1.slice(0, 2), f2.slice(0, 2)])).toBeNull();
    expect(factorExposure(y, [new Float64Array(60).fill(0.01)])).toBeNull();
    expect(factorExposure(y, [f1, f1.map((v) => 2 * v)])).toBeNull();
    expect(factorExposure(y, [])).toBeNull();
  });

  it('has no R² when the portfolio return does not vary', () => {
    expect(factorExposure(new Float64Array(60).fill(0.001), [f1])?.rSquared).toBeNull();
  });
});
