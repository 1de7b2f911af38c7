import { describe, expect, it } from 'vitest';
import { choleskyDecompose, sampleCovarianceMatrix, solveWithCholesky } from './linalg.js';

function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) =>
    expect(Math.abs((actual[i] as number) - value)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(value))),
  );
}

describe('choleskyDecompose', () => {
  // References: numpy.linalg.cholesky (bench/analytics_reference.py, "Cholesky").
  it('factors the textbook 3×3 matrix', () => {
    const a = Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98);
    expectAllClose(choleskyDecompose(a, 3) as Float64Array, [2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it('factors a 4×4 matrix and solves with the factor like numpy.linalg.solve', () => {
    const b = Float64Array.of(2, -1, 0, 0.5, -1, 2, -1, 0, 0, -1, 2, -1, 0.5, 0, -1, 2);
    const l = choleskyDecompose(b, 4) as Float64Array;
    expectAllClose(
      l,
      [
        1.4142135623730951, 0, 0, 0, -0.7071067811865475, 1.224744871391589, 0, 0, 0, -0.8164965809277261, 1.1547005383792515, 0,
        0.35355339059327373, 0.20412414523193148, -0.7216878364870323, 1.14564392373896,
      ],
    );
    expectAllClose(solveWithCholesky(l, 4, [1, 2, 3, 4]), [1.9047619047619049, 5.190476190476191, 6.476190476190476, 4.761904761904762]);
  });

  it('returns null for a singular or indefinite matrix, rounding noise included', () => {
    expect(choleskyDecompose(Float64Array.of(1, 1, 1, 1), 2)).toBeNull(); // rank 1
    expect(choleskyDecompose(Float64Array.of(1, 2, 2, 1), 2)).toBeNull(); // eigenvalue −1
    // Rank 2 in 3 dimensions: the last pivot is ~1e-17 of rounding, not a variance.
    const x = [0.1, 0.7, 0.3];
    const y = [0.2, 0.1, 0.9];
    const z = x.map((v, i) => v + (y[i] as number));
    const rows = [x, y, z];
    const gram = Float64Array.from({ length: 9 }, (_, k) => rows[Math.floor(k / 3)]!.reduce((s, v, t) => s + v * rows[k % 3]![t]!, 0));
    expect(choleskyDecompose(gram, 3)).toBeNull();
    expect(() => choleskyDecompose(new Float64Array(3), 2)).toThrow(RangeError);
  });
});

describe('sampleCovarianceMatrix', () => {
  it('matches numpy.cov (ddof = 1) for an odd number of rows, which exercises the lone last row', () => {
    // numpy.cov([[1, 2, 4, 7], [2, 1, 0, 3], [5, 5, 6, 4]]) = [[7, 4/3, −1], [4/3, 5/3, −1], [−1, −1, 2/3]].
    const { means, covariance } = sampleCovarianceMatrix([
      [1, 2, 4, 7],
      [2, 1, 0, 3],
      [5, 5, 6, 4],
    ]);
    expectAllClose(means, [3.5, 1.5, 5]);
    expectAllClose(covariance, [7, 4 / 3, -1, 4 / 3, 5 / 3, -1, -1, -1, 2 / 3]);
  });
});
