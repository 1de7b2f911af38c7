import { describe, expect, it } from 'vitest';
import { correlationAt, correlationMatrix, correlationPairs } from './correlation.js';
import { sampleCovarianceMatrix } from './linalg.js';
import { formulaSeries } from './test-fixtures.js';

function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) =>
    expect(Math.abs((actual[i] as number) - value)).toBeLessThanOrEqual(tolerance * Math.max(1e-300, Math.abs(value))),
  );
}

describe('correlationMatrix (Pearson, one Gram product of demeaned rows)', () => {
  const { f1, f2, f3, y } = formulaSeries(60);

  it('matches numpy.corrcoef, and numpy.cov for the covariance it comes from', () => {
    const matrix = correlationMatrix([f1, f2, f3, y]);
    expect(matrix.size).toBe(4);
    expectAllClose(
      matrix.values,
      [
        1, 0.04229366054249315, 0.637426888722009, 0.9274509561975081, 0.04229366054249315, 1, 0.03220147161207494, -0.26019980131698656,
        0.637426888722009, 0.03220147161207494, 1, 0.5861116701354439, 0.9274509561975081, -0.26019980131698656, 0.5861116701354439, 1,
      ],
      1e-10,
    );
    expectAllClose(
      sampleCovarianceMatrix([f1, f2, f3, y]).covariance,
      [
        5.30182433363953e-5, 1.7379144689057532e-6, 2.5716832169818585e-5, 6.29245762768226e-5, 1.7379144689057532e-6, 3.18479082422216e-5,
        1.0069098753659076e-6, -1.3682457149118633e-5, 2.5716832169818585e-5, 1.0069098753659076e-6, 3.070074032323694e-5,
        3.026017757848167e-5, 6.29245762768226e-5, -1.3682457149118633e-5, 3.026017757848167e-5, 8.682271429372129e-5,
      ],
      1e-10,
    );
  });

  it('agrees with a pairwise computation for many rows (all block shapes of the Gram product)', () => {
    const rows = Array.from({ length: 11 }, (_, k) =>
      Float64Array.from({ length: 37 }, (_, t) => Math.sin((k + 1) * 0.37 * t + k) + 0.1 * Math.cos(t * (k % 3))),
    );
    const matrix = correlationMatrix(rows);
    const pearson = (a: Float64Array, b: Float64Array): number => {
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      let ab = 0;
      let aa = 0;
      let bb = 0;
      a.forEach((v, t) => {
        ab += (v - ma) * ((b[t] as number) - mb);
        aa += (v - ma) ** 2;
        bb += ((b[t] as number) - mb) ** 2;
      });
      return ab / Math.sqrt(aa * bb);
    };
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < rows.length; j++) expect(correlationAt(matrix, i, j)).toBeCloseTo(pearson(rows[i]!, rows[j]!), 12);
    }
  });

  it('has no correlation for a row that does not move', () => {
    const matrix = correlationMatrix([f1, new Float64Array(60).fill(0.01), f2]);
    expect(correlationAt(matrix, 0, 1)).toBeNull();
    expect(correlationAt(matrix, 1, 1)).toBeNull();
    expect(correlationAt(matrix, 0, 2)).toBeCloseTo(0.04229366054249315, 10);
    expect(correlationPairs(matrix, ['A', 'FLAT', 'B']).map(({ a, b }) => `${a}-${b}`)).toEqual(['A-B']);
  });
});

describe('correlationPairs', () => {
  it('lists each pair once, a before b in the given order', () => {
    const { f1, f2, f3 } = formulaSeries(60);
    const pairs = correlationPairs(correlationMatrix([f1, f2, f3]), ['X', 'Y', 'Z']);
    expect(pairs.map(({ a, b }) => [a, b])).toEqual([
      ['X', 'Y'],
      ['X', 'Z'],
      ['Y', 'Z'],
    ]);
    expect(pairs[1]?.coefficient).toBeCloseTo(0.637426888722009, 10);
    expect(() => correlationPairs(correlationMatrix([f1, f2]), ['X'])).toThrow(RangeError);
  });
});
