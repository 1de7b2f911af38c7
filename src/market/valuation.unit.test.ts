import { describe, expect, it } from 'vitest';
import { allocate, valueHolding, valuePortfolio, type HoldingInput, type QuoteInput } from './valuation.js';

const at = new Date('2026-11-24T10:00:00.000Z');
const later = new Date('2026-11-24T10:00:05.000Z');

function holding(fields: Partial<HoldingInput> & Pick<HoldingInput, 'symbol' | 'quantity' | 'purchasePrice'>): HoldingInput {
  return { id: fields.symbol, type: 'STOCK', sector: null, ...fields };
}

function quote(price: string, change: string | null = null, timestamp = at, currency = 'USD'): QuoteInput {
  return { price, change, currency, timestamp };
}

describe('valueHolding', () => {
  it('multiplies exactly where floats drift', () => {
    const h = valueHolding(holding({ symbol: 'X', quantity: '1.1', purchasePrice: '3' }), quote('1.1'), 'USD');
    expect(1.1 * 3).not.toBe(3.3);
    expect(1.1 * 1.1).not.toBe(1.21);
    expect(h.costBasis.toFixed()).toBe('3.3');
    expect(h.marketValue!.toFixed()).toBe('1.21');
    expect(h.unrealizedGain!.toFixed()).toBe('-2.09');
  });

  it('keeps every digit of large quantities times precise prices', () => {
    // 36 significant digits: decimal.js's default 20-digit precision would round this.
    const h = valueHolding(
      holding({ symbol: 'X', quantity: '1234567890.12345678', purchasePrice: '0.00000001' }),
      quote('9999999999.99999999'),
      'USD',
    );
    expect(h.marketValue!.toFixed()).toBe('12345678901234567787.6543210987654322');
    expect(h.costBasis.toFixed()).toBe('12.3456789012345678');
  });

  it('has no market value or gain without a quote, and counts at cost', () => {
    const h = valueHolding(holding({ symbol: 'X', quantity: '2', purchasePrice: '10.5' }), null, 'EUR');
    expect(h.marketValue).toBeNull();
    expect(h.unrealizedGain).toBeNull();
    expect(h.value.toFixed()).toBe('21');
    expect(h.currency).toBe('EUR');
  });
});

describe('valuePortfolio', () => {
  it('sums values, costs and day changes exactly', () => {
    const v = valuePortfolio({
      portfolioId: 'p',
      baseCurrency: 'USD',
      holdings: [
        holding({ symbol: 'A', quantity: '0.1', purchasePrice: '100' }),
        holding({ symbol: 'B', quantity: '0.2', purchasePrice: '100' }),
      ],
      quotes: new Map([
        ['A', quote('110.1', '0.1', at)],
        ['B', quote('90.2', '-0.2', later)],
      ]),
    });
    // Floats: 0.1 × 110.1 + 0.2 × 90.2 = 29.049999999999997
    expect(0.1 * 110.1 + 0.2 * 90.2).not.toBe(29.05);
    expect(v.totalValue.toFixed()).toBe('29.05');
    expect(v.totalCost.toFixed()).toBe('30');
    expect(v.unrealizedGain.toFixed()).toBe('-0.95');
    expect(v.unrealizedGainPercent).toBeCloseTo(-3.1666666666666665, 12);
    expect(v.dayChange!.toFixed()).toBe('-0.03');
    expect(v.asOf).toEqual(later);
  });

  it('values a holding without a quote at its purchase price and still returns a valuation', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const v = valuePortfolio({
      portfolioId: 'p',
      baseCurrency: 'USD',
      holdings: [holding({ symbol: 'GONE', quantity: '3', purchasePrice: '7.25' })],
      quotes: new Map(),
      now,
    });
    expect(v.totalValue.toFixed()).toBe('21.75');
    expect(v.unrealizedGain.toFixed()).toBe('0');
    expect(v.unrealizedGainPercent).toBe(0);
    expect(v.dayChange).toBeNull();
    expect(v.asOf).toEqual(now);
  });

  it('has no gain percent without cost and no day change without any change', () => {
    const v = valuePortfolio({
      portfolioId: 'p',
      baseCurrency: 'USD',
      holdings: [holding({ symbol: 'FREE', quantity: '5', purchasePrice: '0' })],
      quotes: new Map([['FREE', quote('2')]]),
    });
    expect(v.totalValue.toFixed()).toBe('10');
    expect(v.unrealizedGainPercent).toBeNull();
    expect(v.dayChange).toBeNull();
    const empty = valuePortfolio({ portfolioId: 'p', baseCurrency: 'USD', holdings: [], quotes: new Map() });
    expect(empty.totalValue.toFixed()).toBe('0');
    expect(allocate(empty, 'TYPE')).toEqual([]);
  });
});

describe('allocate', () => {
  const thirds = valuePortfolio({
    portfolioId: 'p',
    baseCurrency: 'USD',
    holdings: [
      holding({ symbol: 'A', type: 'STOCK', sector: 'Energy', quantity: '1', purchasePrice: '1' }),
      holding({ symbol: 'B', type: 'ETF', sector: null, quantity: '1', purchasePrice: '1' }),
      holding({ symbol: 'C', type: 'BOND', sector: '  ', quantity: '1', purchasePrice: '1' }),
      holding({ symbol: 'D', type: 'STOCK', sector: 'Energy', quantity: '1', purchasePrice: '1' }),
    ],
    quotes: new Map([
      ['A', quote('0.1', null, at, 'USD')],
      ['B', quote('0.1', null, at, 'EUR')],
      ['C', quote('0.1', null, at, 'USD')],
    ]),
  });

  it('groups by each dimension, largest first, with exact values', () => {
    expect(allocate(thirds, 'TYPE').map((s) => [s.key, s.value.toFixed()])).toEqual([
      ['STOCK', '1.1'],
      ['BOND', '0.1'],
      ['ETF', '0.1'],
    ]);
    expect(allocate(thirds, 'SECTOR').map((s) => s.key)).toEqual(['Energy', 'Unclassified']);
    expect(allocate(thirds, 'SYMBOL').map((s) => s.key)).toEqual(['D', 'A', 'B', 'C']);
    // D has no quote: it counts in the portfolio's base currency.
    expect(allocate(thirds, 'CURRENCY').map((s) => [s.key, s.value.toFixed()])).toEqual([
      ['USD', '1.2'],
      ['EUR', '0.1'],
    ]);
  });

  it('makes weights sum to 1 where naive float shares do not', () => {
    const slices = allocate(thirds, 'SYMBOL');
    const naive = slices.map((s) => Number(s.value.toFixed()) / Number(thirds.totalValue.toFixed()));
    expect(naive.reduce((a, b) => a + b, 0)).not.toBe(1);
    expect(Math.abs(slices.reduce((a, s) => a + s.weight, 0) - 1)).toBeLessThan(1e-12);
    expect(slices[1]!.weight).toBeCloseTo(0.1 / 1.3, 15);
  });

  it('sums to 1 for many awkward slices', () => {
    const holdings = Array.from({ length: 97 }, (_, i) =>
      holding({ symbol: `S${i}`, quantity: `0.${i + 1}`, purchasePrice: `${(i * 7919) % 1000}.${i}7` }),
    );
    const v = valuePortfolio({ portfolioId: 'p', baseCurrency: 'USD', holdings, quotes: new Map() });
    for (const by of ['SYMBOL', 'TYPE', 'SECTOR', 'CURRENCY'] as const) {
      const slices = allocate(v, by);
      expect(Math.abs(slices.reduce((a, s) => a + s.weight, 0) - 1)).toBeLessThan(1e-12);
      expect(slices.every((s) => s.weight >= 0)).toBe(true);
    }
  });
});
