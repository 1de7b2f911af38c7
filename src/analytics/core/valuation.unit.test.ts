import { describe, expect, it } from 'vitest';
import { calendarDaysBetween } from './dates.js';
import { buildPriceTable, type PricePoint } from './prices.js';
import {
  alignOnCommonDates,
  alignedSymbolReturns,
  annualizedReturn,
  cumulativeReturns,
  portfolioReturns,
  symbolReturns,
  timeWeightedReturn,
} from './returns.js';
import { maxDrawdown, sharpeRatio, volatility } from './risk.js';
import { buildValuationSeries, type HoldingLot } from './valuation.js';
import { moneyWeightedReturn } from './xirr.js';

function expectAllClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => {
    expect(Math.abs((actual[i] as number) - value)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(value)));
  });
}

const points = (closes: Record<string, number>): PricePoint[] => Object.entries(closes).map(([date, close]) => ({ date, close }));

/**
 * The case of bench/analytics_reference.py ("valuation"), computed there with numpy: closes
 * carried forward onto the valued days (every close and every purchase date), purchase price
 * before a first close.
 */
const rows = new Map<string, PricePoint[]>([
  [
    'AAA',
    points({
      '2024-01-02': 10,
      '2024-01-03': 10.5,
      '2024-01-04': 10.2,
      '2024-01-05': 10.8,
      '2024-01-08': 11,
      '2024-01-09': 10.7,
      '2024-01-10': 11.3,
    }),
  ],
  // No close on 01-04 and 01-09 (carried forward); one before the range (carried into it).
  ['BBB', points({ '2023-12-29': 49, '2024-01-02': 50, '2024-01-03': 49, '2024-01-05': 51, '2024-01-08': 52.5, '2024-01-10': 53 })],
  // First close ever on 01-05: valued at its purchase price before that.
  ['CCC', points({ '2024-01-05': 21, '2024-01-08': 20, '2024-01-09': 22, '2024-01-10': 23 })],
]);
const lots: HoldingLot[] = [
  { symbol: 'AAA', quantity: 100, purchaseDate: '2023-12-15', purchasePrice: 9 }, // before the range
  { symbol: 'BBB', quantity: 10, purchaseDate: '2023-12-20', purchasePrice: 45 }, // before the range
  { symbol: 'AAA', quantity: 50, purchaseDate: '2024-01-04', purchasePrice: 10 }, // mid-range purchase
  { symbol: 'BBB', quantity: 20, purchaseDate: '2024-01-06', purchasePrice: 52 }, // a Saturday: a valued day of its own
  { symbol: 'CCC', quantity: 30, purchaseDate: '2024-01-03', purchasePrice: 20 }, // before its first close
];
const range = { from: '2024-01-02', to: '2024-01-10' };
const prices = buildPriceTable(rows);
const series = buildValuationSeries(lots, prices, range);

describe('buildValuationSeries', () => {
  it('values every day a held symbol traded and every purchase day, carrying closes forward (numpy reference)', () => {
    expect(series.dates).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-06',
      '2024-01-08',
      '2024-01-09',
      '2024-01-10',
    ]);
    expectAllClose(series.values, [1500, 2140, 2620, 2760, 3780, 3825, 3840, 3975]);
  });

  it('counts each purchase cost as an inflow of its own date, and the earlier lots as the start value', () => {
    expectAllClose(series.inflows, [0, 600, 500, 0, 1040, 0, 0, 0]);
    expectAllClose(series.outflows, [0, 0, 0, 0, 0, 0, 0, 0]);
    // 100 AAA at cost (no close before the range) and 10 BBB at 2023-12-29's 49.
    expect(series.startValue).toBeCloseTo(1390, 10);
  });

  it('starts at the first day a lot is held, and leaves out lots bought after the range', () => {
    const later = buildValuationSeries(
      [
        { symbol: 'AAA', quantity: 2, purchaseDate: '2024-01-05', purchasePrice: 10.8 },
        { symbol: 'AAA', quantity: 1, purchaseDate: '2024-01-11', purchasePrice: 11 },
      ],
      prices,
      range,
    );
    expect(later.dates).toEqual(['2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10']);
    expectAllClose(later.values, [21.6, 22, 21.4, 22.6]);
    expectAllClose(later.inflows, [21.6, 0, 0, 0]);
    expect(later.startValue).toBe(0);
  });

  it('values a symbol without any price at its cost', () => {
    const unpriced = buildValuationSeries(
      [{ symbol: 'ZZZ', quantity: 3, purchaseDate: '2023-01-01', purchasePrice: 7 }, lots[0] as HoldingLot],
      prices,
      range,
    );
    expectAllClose(unpriced.values, [1021, 1071, 1041, 1101, 1121, 1091, 1151]);
  });

  it('ignores days on which only symbols not held trade', () => {
    // BENCH trades on Saturday 01-06 (the day of the BBB purchase) and Sunday 01-07: same series as without it.
    const withBenchmark = buildPriceTable(
      new Map([...rows, ['BENCH', points({ '2024-01-02': 1, '2024-01-06': 1.1, '2024-01-07': 1.15, '2024-01-10': 1.2 })]]),
    );
    expect(withBenchmark.dates).toContain('2024-01-06');
    expect(buildValuationSeries(lots, withBenchmark, range)).toEqual(series);
  });

  it('is empty without a held symbol trading in the range', () => {
    const empty = buildValuationSeries(lots, prices, { from: '2025-01-01', to: '2025-12-31' });
    expect(empty.dates).toEqual([]);
    expect(empty.values.length).toBe(0);
  });
});

describe('returns and performance of the valuation', () => {
  const returns = portfolioReturns(series);

  it('r_t = (V_t + O_t) / (V_{t−1} + I_t) − 1, the first day from the start value (numpy reference)', () => {
    expect(returns.dates).toEqual(series.dates);
    expectAllClose(
      returns.returns,
      [
        0.07913669064748197, 0.01904761904761898, -0.007575757575757569, 0.05343511450381677, -0.0052631578947368585, 0.011904761904761862,
        0.0039215686274509665, 0.03515625,
      ],
    );
  });

  it('time-weighted return leaves the purchases out (V_last / V_start − 1 would be 186 %)', () => {
    expectAllClose([timeWeightedReturn(returns.returns) as number], [0.20262334220115363]);
    expectAllClose(
      cumulativeReturns(series),
      [
        0.07913669064748197, 0.09969167523124356, 0.09136067769161293, 0.1496776604690273, 0.14362672541392718, 0.15724132928790246,
        0.16177953057922756, 0.20262334220115363,
      ],
    );
  });

  it('annualizes over calendar days, and money-weighted return matches a bisection in Python', () => {
    const days = calendarDaysBetween(series.dates[0] as string, series.dates[series.dates.length - 1] as string);
    expect(days).toBe(8);
    expectAllClose([annualizedReturn(timeWeightedReturn(returns.returns), days) as number], [4527.0824127919295]);
    expectAllClose([moneyWeightedReturn(series) as number], [876.8420207492916]);
  });

  it('risk figures of these returns match numpy', () => {
    expectAllClose([volatility(returns.returns) as number], [0.4821567374994124]);
    expectAllClose([sharpeRatio(returns.returns) as number], [12.397498254843578]);
    expectAllClose([maxDrawdown(returns.returns) as number], [0.007575757575757569]);
  });

  it('one day of data is one return, from the evening before; MWR needs two dates', () => {
    const oneDay = buildValuationSeries(lots, prices, { from: '2024-01-03', to: '2024-01-03' });
    expect(oneDay.dates).toEqual(['2024-01-03']);
    const one = portfolioReturns(oneDay);
    // 100 AAA at 10 and 10 BBB at 50 the evening before; 600 of CCC bought that day.
    expectAllClose(one.returns, [2140 / (1500 + 600) - 1]);
    expect(annualizedReturn(timeWeightedReturn(one.returns), 0)).toBeNull();
    expect(moneyWeightedReturn(oneDay)).toBeNull();
  });

  it('a first purchase counts from the price paid: nothing held before, the cost is the base', () => {
    const first = buildValuationSeries([{ symbol: 'AAA', quantity: 10, purchaseDate: '2024-01-03', purchasePrice: 10 }], prices, range);
    expectAllClose(portfolioReturns(first).returns.subarray(0, 1), [10.5 / 10 - 1]);
  });

  it('annualizedReturn is null for 0 calendar days or a total below −100 %', () => {
    expect(annualizedReturn(0.1, 0)).toBeNull();
    expect(annualizedReturn(-1.5, 10)).toBeNull();
    expect(annualizedReturn(0.21, 730)).toBeCloseTo(0.1, 12);
  });
});

describe('symbol returns and alignment on common dates', () => {
  it("a symbol's returns are on its own trading days", () => {
    const bbb = symbolReturns(prices, 'BBB', range);
    expect(bbb.dates).toEqual(['2024-01-03', '2024-01-05', '2024-01-08', '2024-01-10']);
    expectAllClose(bbb.returns, [49 / 50 - 1, 51 / 49 - 1, 52.5 / 51 - 1, 53 / 52.5 - 1]);
    expect(symbolReturns(prices, 'NONE', range).returns.length).toBe(0);
  });

  it('alignedSymbolReturns keeps the dates on which every symbol has a return', () => {
    const aligned = alignedSymbolReturns(prices, ['AAA', 'BBB'], range);
    expect(aligned).toEqual(alignOnCommonDates([symbolReturns(prices, 'AAA', range), symbolReturns(prices, 'BBB', range)]));
    expect(aligned.dates).toEqual(['2024-01-03', '2024-01-05', '2024-01-08', '2024-01-10']);
    // CCC's first close is on 01-05: its first return on 01-08.
    expect(alignedSymbolReturns(prices, ['AAA', 'CCC'], range).dates).toEqual(['2024-01-08', '2024-01-09', '2024-01-10']);
    expect(alignedSymbolReturns(prices, ['AAA', 'NONE'], range).dates).toEqual([]);
  });

  it('aligns series on the dates they all have', () => {
    const aligned = alignOnCommonDates([symbolReturns(prices, 'AAA', range), symbolReturns(prices, 'BBB', range)]);
    expect(aligned.dates).toEqual(['2024-01-03', '2024-01-05', '2024-01-08', '2024-01-10']);
    expectAllClose(aligned.rows[0] as Float64Array, [10.5 / 10 - 1, 10.8 / 10.2 - 1, 11 / 10.8 - 1, 11.3 / 10.7 - 1]);
    expectAllClose(aligned.rows[1] as Float64Array, [49 / 50 - 1, 51 / 49 - 1, 52.5 / 51 - 1, 53 / 52.5 - 1]);
  });
});

describe('buildPriceTable', () => {
  it('puts every symbol on the union of dates, NaN where it has no close', () => {
    expect(prices.dates).toEqual([
      '2023-12-29',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-08',
      '2024-01-09',
      '2024-01-10',
    ]);
    const ccc = prices.closes[prices.columns.get('CCC') as number] as Float64Array;
    expect(Array.from(ccc)).toEqual([NaN, NaN, NaN, NaN, 21, 20, 22, 23]);
  });
});
