import { describe, expect, it } from 'vitest';
import { xirr } from './xirr.js';

describe('xirr: annual rate r with Σ a_i (1 + r)^(−days_i / 365) = 0', () => {
  // References: bench/analytics_reference.py ("XIRR"): bisection in Python, and numpy.roots.
  it('matches a bisection for irregular dates', () => {
    const rate = xirr([
      { date: '2020-01-01', amount: -10000 },
      { date: '2020-03-15', amount: -2500 },
      { date: '2020-10-30', amount: 1000 },
      { date: '2021-06-30', amount: 13000 },
    ]);
    expect(rate).toBeCloseTo(0.08388835114838109, 10);
  });

  it('matches the polynomial root for flows 365 days apart (a 10 % bond)', () => {
    const rate = xirr([
      { date: '2021-01-01', amount: -1000 },
      { date: '2022-01-01', amount: 100 },
      { date: '2023-01-01', amount: 100 },
      { date: '2024-01-01', amount: 1100 }, // 2023-01-01 → 2024-01-01 is 365 days: 2023 is no leap year
    ]);
    expect(rate).toBeCloseTo(0.09999999999999942, 10);
  });

  it('finds large losses and gains', () => {
    expect(
      xirr([
        { date: '2021-01-01', amount: -1000 },
        { date: '2021-07-01', amount: 400 },
      ]),
    ).toBeCloseTo(-0.8424115833937214, 10);
    // 10 % in one day: 1.1^365 − 1, far beyond any fixed upper bracket of r.
    const rate = xirr([
      { date: '2021-01-01', amount: -100 },
      { date: '2021-01-02', amount: 110 },
    ]) as number;
    expect(rate / (1.1 ** 365 - 1)).toBeCloseTo(1, 10);
  });

  it('does not depend on the order of the flows', () => {
    const rate = xirr([
      { date: '2021-06-30', amount: 13000 },
      { date: '2020-01-01', amount: -10000 },
      { date: '2020-10-30', amount: 1000 },
      { date: '2020-03-15', amount: -2500 },
    ]);
    expect(rate).toBeCloseTo(0.08388835114838109, 10);
  });

  it('is 0 when the money comes back unchanged', () => {
    expect(
      xirr([
        { date: '2021-01-01', amount: -500 },
        { date: '2021-08-01', amount: 500 },
      ]),
    ).toBeCloseTo(0, 14);
  });

  it('is null without a root: flows of one sign, all on one day, or fewer than two', () => {
    expect(
      xirr([
        { date: '2021-01-01', amount: -1000 },
        { date: '2022-01-01', amount: -100 },
      ]),
    ).toBeNull();
    expect(
      xirr([
        { date: '2021-01-01', amount: 1000 },
        { date: '2022-01-01', amount: 100 },
      ]),
    ).toBeNull();
    expect(
      xirr([
        { date: '2021-01-01', amount: -1000 },
        { date: '2021-01-01', amount: 1100 },
      ]),
    ).toBeNull();
    expect(xirr([{ date: '2021-01-01', amount: -1000 }])).toBeNull();
    expect(xirr([])).toBeNull();
  });
});
