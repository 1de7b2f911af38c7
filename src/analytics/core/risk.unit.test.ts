import { describe, expect, it } from 'vitest';
import {
  beta,
  betaOnCommonDates,
  conditionalValueAtRisk,
  historicalValueAtRisk,
  maxDrawdown,
  parametricValueAtRisk,
  riskFigures,
  sharpeRatio,
  sortinoRatio,
  volatility,
} from './risk.js';

/** |actual − expected| ≤ 1e-10 × max(1, |expected|). */
function expectClose(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(expected)));
}

/**
 * The return arrays of empyrical's test suite (empyrical/tests/test_stats.py), as fractions.
 * Expected figures: bench/analytics_reference.py ("empyrical test arrays"), numpy under our
 * conventions. Where they differ from empyrical's own expectations it is said below.
 */
const simpleBenchmark = [0, 1, 0, 1, 0, 1, 0, 1, 0].map((x) => x / 100);
const positiveReturns = [1, 2, 1, 1, 1, 1, 1, 1, 1].map((x) => x / 100);
const negativeReturns = [0, -6, -7, -1, -9, -2, -6, -8, -5].map((x) => x / 100);
const allNegativeReturns = [-2, -6, -7, -1, -9, -2, -6, -8, -5].map((x) => x / 100);
/** empyrical's mixed_returns is [nan, 1, 10, −4, 2, 3, 2, 1, −10] %: the nan (no return that day) left out. */
const mixedReturns = [1, 10, -4, 2, 3, 2, 1, -10].map((x) => x / 100);
const flatLine = [1, 1, 1, 1, 1, 1, 1, 1, 1].map((x) => x / 100);
const oneReturn = [0.01];

describe('Sharpe ratio: mean(r − rf/252) / std(r − rf/252, ddof=1) × √252', () => {
  // empyrical uses the same formula (ddof=1, √252): its published values are these.
  it('matches empyrical for mixed, positive and negative returns', () => {
    expectClose(sharpeRatio(mixedReturns), 1.7238613961706857); // empyrical: 1.7238613961706866
    expectClose(sharpeRatio(positiveReturns), 52.915026221291804);
    expectClose(sharpeRatio(negativeReturns), -24.406808633910085);
  });

  it('subtracts an annual risk-free rate as rf / 252 a day', () => {
    expectClose(sharpeRatio(mixedReturns, 0.02), 1.7019710927272491);
  });

  it('is null for one return or none, and for a flat line (empyrical: nan, inf)', () => {
    expect(sharpeRatio(oneReturn)).toBeNull();
    expect(sharpeRatio([])).toBeNull();
    expect(sharpeRatio(flatLine)).toBeNull(); // std is rounding noise (~1e-18), not a spread
    expect(sharpeRatio(flatLine, 0.03)).toBeNull();
    expect(sharpeRatio([0, 0, 0, 0])).toBeNull();
  });
});

describe('Sortino ratio: mean(r − rf/252) / sqrt(mean(min(0, r − rf/252)²)) × √252', () => {
  // Same as empyrical's sortino_ratio with required_return 0 (downside over all days).
  it('matches empyrical for mixed and negative returns', () => {
    expectClose(sortinoRatio(mixedReturns), 2.6055312516736913); // empyrical: 2.605531251673693
    expectClose(sortinoRatio(negativeReturns), -13.532743075043403); // empyrical: -13.532743075043401
    expectClose(sortinoRatio(mixedReturns, 0.02), 2.5699832544208396);
  });

  it('is null without a day below the risk-free rate (empyrical: inf) and for one return', () => {
    expect(sortinoRatio(positiveReturns)).toBeNull();
    expect(sortinoRatio(simpleBenchmark)).toBeNull();
    expect(sortinoRatio(oneReturn)).toBeNull();
  });
});

describe('volatility: std(r, ddof=1) × √252', () => {
  it('matches numpy', () => {
    expectClose(volatility(mixedReturns), 0.9136465399704637);
    expectClose(volatility(positiveReturns), 0.052915026221291815);
    expectClose(volatility(negativeReturns), 0.5047771785649584);
  });

  it('is 0 for flat prices and null for fewer than 2 returns', () => {
    expect(volatility([0, 0, 0, 0, 0])).toBe(0);
    expect(volatility(oneReturn)).toBeNull();
    expect(volatility([])).toBeNull();
  });
});

describe('max drawdown of Π(1 + r), as a positive fraction', () => {
  // empyrical returns the same magnitudes as negative numbers (−0.1 for mixed_returns).
  it('matches empyrical', () => {
    expectClose(maxDrawdown(mixedReturns), 0.09999999999999998);
    expectClose(maxDrawdown([0.1, -0.1, 0.1]), 0.09999999999999998);
    // All negative: the fall from the starting 1 is the whole cumulative return (empyrical:
    // cum_returns_final(negative_returns) = −0.365907303498736).
    expectClose(maxDrawdown(negativeReturns), 0.365907303498736);
    expectClose(maxDrawdown(allNegativeReturns), 0.37858915742876154);
  });

  it('is 0 without a fall, and null without returns', () => {
    expect(maxDrawdown(simpleBenchmark)).toBe(0);
    expect(maxDrawdown(positiveReturns)).toBe(0);
    expect(maxDrawdown(oneReturn)).toBe(0);
    expect(maxDrawdown([])).toBeNull();
  });
});

describe('historical VaR = −quantile(r, 1 − confidence), numpy linear interpolation', () => {
  // empyrical's value_at_risk(returns, cutoff) is np.percentile(returns, 100 × cutoff), not
  // negated: its cases [1, 2] at cutoff 0.3 → 1.3 and [1, 81, …, 85] at 0.1 / 0.2 / 0.3 → 41 / 81 /
  // 81.5 are ours at confidence 1 − cutoff, with the sign flipped.
  it('matches empyrical', () => {
    expectClose(historicalValueAtRisk([1, 2], 0.7), -1.3);
    expectClose(historicalValueAtRisk([1, 81, 82, 83, 84, 85], 0.9), -41);
    expectClose(historicalValueAtRisk([1, 81, 82, 83, 84, 85], 0.8), -81);
    expectClose(historicalValueAtRisk([1, 81, 82, 83, 84, 85], 0.7), -81.5);
  });

  it('matches numpy on mixed returns, default confidence 0.95', () => {
    expectClose(historicalValueAtRisk(mixedReturns), 0.07899999999999999);
    expectClose(historicalValueAtRisk(mixedReturns, 0.9), 0.05800000000000001);
  });

  it('does not reorder its input', () => {
    const returns = [...mixedReturns];
    historicalValueAtRisk(returns);
    expect(returns).toEqual(mixedReturns);
  });

  it('rejects a confidence outside (0, 1)', () => {
    expect(() => historicalValueAtRisk(mixedReturns, 1)).toThrow(RangeError);
    expect(() => historicalValueAtRisk(mixedReturns, 0)).toThrow(RangeError);
  });
});

describe('conditional VaR = −mean of the r ≤ quantile(r, 1 − confidence)', () => {
  // empyrical's conditional_value_at_risk averages the lowest int((n − 1) × cutoff) + 1 values
  // instead; on these 8 returns both take only −10 %.
  it('matches numpy', () => {
    expectClose(conditionalValueAtRisk(mixedReturns), 0.1);
    expectClose(conditionalValueAtRisk(mixedReturns, 0.9), 0.1);
    // By hand: quantile(0.5) of [−4, −3, 1, 2] is −1; the returns ≤ −1 are −4 and −3.
    expectClose(conditionalValueAtRisk([1, -4, 2, -3], 0.5), 3.5);
  });
});

describe('parametric VaR = −(mean + z_{1−c} × std(r, ddof=1))', () => {
  it('matches numpy with statistics.NormalDist().inv_cdf', () => {
    expectClose(parametricValueAtRisk(mixedReturns), 0.08841843556165407);
    expectClose(parametricValueAtRisk(mixedReturns, 0.9), 0.06750883167583235);
  });
});

describe('beta = cov(r, b, ddof=1) / var(b, ddof=1) on common dates', () => {
  // mixed_returns starts a day after simple_benchmark (its first value is nan in empyrical):
  // 8 common dates. empyrical's beta (ddof 0 on both sides) gives the same ratio.
  const days = [
    '2000-01-30',
    '2000-01-31',
    '2000-02-01',
    '2000-02-02',
    '2000-02-03',
    '2000-02-04',
    '2000-02-05',
    '2000-02-06',
    '2000-02-07',
  ];
  const portfolio = { dates: days.slice(1), returns: Float64Array.from(mixedReturns) };
  const benchmark = { dates: days, returns: Float64Array.from(simpleBenchmark) };

  it('matches numpy and pandas on the common dates', () => {
    expectClose(betaOnCommonDates(portfolio, benchmark), -0.7499999999999996);
  });

  it('is 1 against itself, −1 against its negation, null against a flat benchmark or one return', () => {
    expectClose(beta(mixedReturns, mixedReturns), 1);
    expectClose(
      beta(
        mixedReturns,
        mixedReturns.map((x) => -x),
      ),
      -1,
    );
    expect(
      beta(
        mixedReturns,
        mixedReturns.map(() => 0.01),
      ),
    ).toBeNull();
    expect(beta(oneReturn, oneReturn)).toBeNull();
  });

  it('uses only the dates both have, whatever is missing on either side', () => {
    const gappy = {
      dates: ['2000-01-31', '2000-02-02', '2000-02-03', '2000-02-07'],
      returns: Float64Array.from([0.01, -0.04, 0.02, -0.1]),
    };
    // By hand: the benchmark on those dates is [0.01, 0.01, 0, 0] → its returns [1, 1, 0, 0] %.
    // cov/var = Σ(r − r̄)(b − b̄) / Σ(b − b̄)²; b̄ = 0.005, r̄ = −0.0275.
    const expected = (0.0375 * 0.005 + -0.0125 * 0.005 + 0.0475 * -0.005 + -0.0725 * -0.005) / (4 * 0.005 ** 2);
    expectClose(betaOnCommonDates(gappy, benchmark), expected);
  });
});

describe('riskFigures', () => {
  it('gathers the figures above, all null for one day of data', () => {
    const figures = riskFigures({ dates: ['2024-01-02'], returns: Float64Array.of(0.01) });
    expect(figures).toEqual({
      observations: 1,
      volatility: null,
      sharpeRatio: null,
      sortinoRatio: null,
      beta: null,
      maxDrawdown: 0,
      valueAtRisk: null,
      conditionalValueAtRisk: null,
      parametricValueAtRisk: null,
    });
  });

  it('flat prices: volatility 0, the ratios null', () => {
    const figures = riskFigures({ dates: ['a', 'b', 'c'], returns: new Float64Array(3) });
    expect(figures.volatility).toBe(0);
    expect(figures.sharpeRatio).toBeNull();
    expect(figures.sortinoRatio).toBeNull();
    expect(figures.maxDrawdown).toBe(0);
    expect(figures.valueAtRisk).toBe(0);
  });
});
