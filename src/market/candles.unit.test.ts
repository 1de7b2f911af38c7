import { describe, expect, it } from 'vitest';
import { aggregateCandles, missingRanges } from './candles.js';
import type { ProviderCandle } from './providers/types.js';

const day = (date: string, open: string, high: string, low: string, close: string, volume: number | null): ProviderCandle => ({
  date,
  open,
  high,
  low,
  close,
  volume,
});

// Wed 2024-01-31 .. Tue 2024-02-06 (a weekend and a month end inside), plus Mon 2024-02-12.
const daily = [
  day('2024-01-31', '10.00', '10.50', '9.90', '10.20', 100),
  day('2024-02-01', '10.20', '11.10', '10.10', '11.00', 200),
  day('2024-02-02', '11.00', '11.05', '9.00', '9.50', null),
  day('2024-02-05', '9.50', '9.80', '9.40', '9.70', 300),
  day('2024-02-06', '9.70', '12.00', '9.60', '11.90', 400),
  day('2024-02-12', '11.90', '12.10', '11.80', '12.00', null),
];

describe('aggregateCandles', () => {
  it('returns daily candles as they are', () => {
    expect(aggregateCandles(daily, 'DAY')).toEqual(daily);
  });

  it('groups Monday-to-Sunday weeks: first open, max high, min low, last close, summed volume', () => {
    expect(aggregateCandles(daily, 'WEEK')).toEqual([
      day('2024-01-31', '10.00', '11.1', '9', '9.50', 300),
      day('2024-02-05', '9.50', '12', '9.4', '11.90', 700),
      day('2024-02-12', '11.90', '12.1', '11.8', '12.00', null),
    ]);
  });

  it('groups calendar months', () => {
    expect(aggregateCandles(daily, 'MONTH')).toEqual([
      day('2024-01-31', '10.00', '10.5', '9.9', '10.20', 100),
      day('2024-02-01', '10.20', '12.1', '9', '12.00', 900),
    ]);
  });

  it('compares prices as decimals, not as text', () => {
    const candles = [day('2024-03-04', '9.5', '9.9', '9.1', '9.8', 1), day('2024-03-05', '9.8', '10.2', '9.7', '10.1', 1)];
    const [week] = aggregateCandles(candles, 'WEEK');
    expect(week!.high).toBe('10.2');
    expect(week!.low).toBe('9.1');
  });
});

describe('missingRanges', () => {
  it('asks for everything when nothing was asked before', () => {
    expect(missingRanges({ from: '2024-01-01', to: '2024-03-31' }, null)).toEqual([{ from: '2024-01-01', to: '2024-03-31' }]);
  });

  it('asks for nothing inside what was asked before', () => {
    expect(missingRanges({ from: '2024-02-01', to: '2024-02-29' }, { from: '2024-01-01', to: '2024-03-31' })).toEqual([]);
  });

  it('asks only for the parts outside, on either side', () => {
    expect(missingRanges({ from: '2023-12-01', to: '2024-04-30' }, { from: '2024-01-01', to: '2024-03-31' })).toEqual([
      { from: '2023-12-01', to: '2023-12-31' },
      { from: '2024-04-01', to: '2024-04-30' },
    ]);
  });

  it('bridges a gap so the asked days stay one run', () => {
    expect(missingRanges({ from: '2024-06-01', to: '2024-06-30' }, { from: '2024-01-01', to: '2024-03-31' })).toEqual([
      { from: '2024-04-01', to: '2024-06-30' },
    ]);
  });

  it('asks for nothing for an empty range', () => {
    expect(missingRanges({ from: '2024-02-02', to: '2024-02-01' }, null)).toEqual([]);
  });
});
