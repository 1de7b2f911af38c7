import { describe, expect, it } from 'vitest';
import { normalCdf } from './normal.js';
import { SeededRandom } from './random.js';

describe('SeededRandom: xoshiro128** seeded by splitmix32', () => {
  // A second implementation in Python (bench/analytics_reference.py, "xoshiro128**"), whose
  // generator step reproduces the reference vector of xoshiro128** from state [1, 2, 3, 4]:
  // 11520, 0, 5927040, 70819200, 2031721883, 1637235492.
  it('produces the same integers as the Python twin', () => {
    const first = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 6 }, () => random.nextInt32());
    };
    expect(first(42)).toEqual([660444221, -642143564, 77672526, 910233633, -1997629540, -508894619]);
    expect(first(2 ** 40 + 5)).toEqual([-1496106027, 1098627217, -1745433258, -635419306, -887618542, 2114885131]);
  });

  it('gives uniforms strictly inside (0, 1) with mean 1/2', () => {
    const random = new SeededRandom(3);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = random.nextFloat();
      if (!(u > 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / 100_000));
  });
});

describe('standard normals (ziggurat)', () => {
  const count = 1_000_000;
  const normals = new Float64Array(count);
  new SeededRandom(11).fillStandardNormal(normals);

  it('have mean 0, variance 1 and kurtosis 3 within 4 standard errors', () => {
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (const x of normals) {
      m1 += x;
      m2 += x * x;
      m4 += x ** 4;
    }
    expect(Math.abs(m1 / count)).toBeLessThan(4 * Math.sqrt(1 / count));
    expect(Math.abs(m2 / count - 1)).toBeLessThan(4 * Math.sqrt(2 / count));
    expect(Math.abs(m4 / count - 3)).toBeLessThan(4 * Math.sqrt(96 / count));
  });

  it('follow the normal CDF bin by bin, tails beyond the ziggurat base (3.44) included (chi-square)', () => {
    const edges = [-Infinity, -4, -3.442619855899, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 3.442619855899, 4, Infinity];
    const counts = new Array<number>(edges.length - 1).fill(0);
    for (const x of normals) {
      let bin = 0;
      while (x >= (edges[bin + 1] as number)) bin++;
      counts[bin]!++;
    }
    let chiSquare = 0;
    counts.forEach((observed, bin) => {
      const expected = count * (normalCdf(edges[bin + 1] as number) - normalCdf(edges[bin] as number));
      chiSquare += (observed - expected) ** 2 / expected;
    });
    expect(chiSquare).toBeLessThan(37.7); // 99.9th percentile of chi-square with 15 degrees of freedom
  });

  it('are reproducible: same seed, same numbers; another seed, other numbers', () => {
    const again = new Float64Array(1000);
    new SeededRandom(11).fillStandardNormal(again);
    expect(again).toEqual(normals.subarray(0, 1000));
    const other = new Float64Array(1000);
    new SeededRandom(12).fillStandardNormal(other);
    expect(other).not.toEqual(again);
  });
});
