import { describe, expect, it } from 'vitest';
import { buildLedgerValuationSeries, externalFlow, type LedgerEvent } from './ledger-valuation.js';
import { buildPriceTable } from './prices.js';

const event = (e: Partial<LedgerEvent> & Pick<LedgerEvent, 'type' | 'date'>): LedgerEvent => ({
  symbol: null,
  quantity: 0,
  price: 0,
  amount: 0,
  fee: 0,
  currency: 'USD',
  fxRate: 1,
  splitRatio: 1,
  ...e,
});

const prices = buildPriceTable(
  new Map([
    [
      'XYZ',
      [
        { date: '2024-01-02', close: 30 },
        { date: '2024-01-03', close: 31 },
        { date: '2024-01-04', close: 10.5 },
        { date: '2024-01-05', close: 11 },
      ],
    ],
  ]),
);
const range = { from: '2024-01-02', to: '2024-01-05' };

describe('buildLedgerValuationSeries', () => {
  it('multiplies what is held on a split (closes are as traded), so the split is no loss', () => {
    const series = buildLedgerValuationSeries({
      events: [
        event({ type: 'BUY', date: '2024-01-02', symbol: 'XYZ', quantity: 10, price: 30, amount: 300 }),
        event({ type: 'SPLIT', date: '2024-01-04', symbol: 'XYZ', splitRatio: 3 }),
      ],
      prices,
      range,
      priceCurrency: new Map(),
      fx: new Map(),
    });
    expect(Array.from(series.values)).toEqual([300, 310, 315, 330]);
    expect(Array.from(series.inflows)).toEqual([300, 0, 0, 0]);
    expect(series.positions).toEqual(new Map([['XYZ', 30]]));
  });

  it('counts a transfer in and out as external flows of a cash portfolio, and its fee as a cost inside', () => {
    const events = [
      event({ type: 'DEPOSIT', date: '2024-01-02', amount: 100 }),
      event({ type: 'TRANSFER_IN', date: '2024-01-03', symbol: 'XYZ', quantity: 10, price: 31, amount: 310, fee: 5 }),
      event({ type: 'TRANSFER_OUT', date: '2024-01-05', symbol: 'XYZ', quantity: 4, price: 11, amount: 44 }),
    ];
    const series = buildLedgerValuationSeries({ events, prices, range, priceCurrency: new Map(), fx: new Map() });
    // Cash 100, then 95 after the fee; the XYZ held at its closes.
    expect(Array.from(series.values)).toEqual([100, 95 + 310, 95 + 105, 95 + 66]);
    expect(Array.from(series.inflows)).toEqual([100, 310, 0, 0]);
    expect(Array.from(series.outflows)).toEqual([0, 0, 0, 44]);
    // Without deposits the transfer-in's fee is money put in too.
    expect(externalFlow(events[1]!, false)).toBe(315);
  });

  it('values a position at the close × the day’s rate of its currency, and foreign cash at the day’s rate', () => {
    const fx = new Map([['EUR', Float64Array.from([1.1, 1.2, 1.0, 1.3])]]);
    const series = buildLedgerValuationSeries({
      events: [
        event({ type: 'DEPOSIT', date: '2024-01-02', amount: 400, currency: 'EUR', fxRate: 1.1 }),
        event({ type: 'BUY', date: '2024-01-02', symbol: 'XYZ', quantity: 10, price: 30, amount: 300, currency: 'EUR', fxRate: 1.1 }),
      ],
      prices,
      range,
      priceCurrency: new Map([['XYZ', 'EUR']]),
      fx,
    });
    // 100 EUR of cash left and 10 XYZ at the day's close, all at the day's rate.
    const expected = [(100 + 300) * 1.1, (100 + 310) * 1.2, (100 + 105) * 1.0, (100 + 110) * 1.3];
    series.values.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
    // The deposit at its own rate; the buy moves cash inside.
    expect(series.inflows[0]).toBeCloseTo(440, 12);
    expect(Array.from(series.inflows.subarray(1))).toEqual([0, 0, 0]);
  });
});
