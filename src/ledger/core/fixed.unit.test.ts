/**
 * Fixed point against decimal.js, an independent implementation: reading decimal texts
 * (fixedPointAt, toFixedPoint) and printing them rounded half-even (formatFixed), on worked
 * cases (ties either way, carries, negatives, values below one unit of the last place) and on
 * pseudo-random values of every length the columns hold.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { FIXED_PLACES, fixedPointAt, formatFixed, toFixedPoint, UNIT } from './fixed.js';
import { mulberry32 } from '../../platform/random.js';

const Exact = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_HALF_EVEN });
const asDecimal = (value: bigint) => new Exact(value.toString()).div(new Exact(10).pow(FIXED_PLACES));

function randomValues(count: number): bigint[] {
  const next = mulberry32(7);
  const values: bigint[] = [];
  for (let i = 0; i < count; i++) {
    let digits = '';
    const length = 1 + Math.floor(next() * 50);
    for (let k = 0; k < length; k++) digits += Math.floor(next() * 10);
    let value = BigInt(digits);
    // Every third one an exact tie at 8 decimals (…5 followed by zeros).
    if (i % 3 === 0) value = (value / 10n ** 22n) * 10n ** 22n + 5n * 10n ** 21n;
    values.push(i % 2 ? -value : value);
  }
  return values;
}

describe('formatFixed', () => {
  it('prints worked cases', () => {
    expect(formatFixed(1705n * UNIT)).toBe('1705');
    expect(formatFixed(-UNIT / 8n)).toBe('-0.125');
    expect(formatFixed(0n)).toBe('0');
    expect(formatFixed(1n)).toBe('0.000000000000000000000000000001');
    expect(formatFixed(1n, 8)).toBe('0');
    expect(formatFixed(-1n, 8)).toBe('0');
    // Ties go to the even neighbour, either sign.
    expect(formatFixed(5n * 10n ** 21n, 8)).toBe('0');
    expect(formatFixed(15n * 10n ** 21n, 8)).toBe('0.00000002');
    expect(formatFixed(-25n * 10n ** 21n, 8)).toBe('-0.00000002');
    expect(formatFixed(25n * 10n ** 21n + 1n, 8)).toBe('0.00000003');
    // A carry through every digit.
    expect(formatFixed(99_999_999_999_999_999n * 10n ** 22n + 5n * 10n ** 21n, 8)).toBe('1000000000');
    expect(formatFixed((UNIT * 341n) / 3n, 8)).toBe('113.66666667');
    expect(formatFixed((UNIT * 7n) / 2n, 0)).toBe('4');
  });

  it('rounds half-even as decimal.js does, at every number of places', () => {
    for (const value of randomValues(3000)) {
      for (const places of [0, 2, 8, 14, 29, 30]) {
        expect(formatFixed(value, places)).toBe(asDecimal(value).toDecimalPlaces(places).toFixed());
      }
    }
  });
});

describe('reading decimal texts', () => {
  it('reads every text exactly, from characters or through toFixedPoint', () => {
    const texts = ['0', '-0', '1', '12', '1023', '1024', '-7', '0.5', '.5', '170.72', '0.00000001', '999999999999999', '9999999999999999'];
    const next = mulberry32(11);
    for (let i = 0; i < 3000; i++) {
      const whole = String(Math.floor(next() * 10 ** Math.floor(next() * 22)));
      const places = Math.floor(next() * 17);
      const fraction = Array.from({ length: places }, () => Math.floor(next() * 10)).join('');
      texts.push(`${i % 4 === 0 ? '-' : ''}${whole}${places ? `.${fraction}` : ''}`);
    }
    for (const text of texts) {
      const expected = BigInt(new Exact(text).times(new Exact(10).pow(FIXED_PLACES)).toFixed(0));
      expect(toFixedPoint(text)).toBe(expected);
      // As a cell inside a longer text.
      const line = `x|${text}|y`;
      expect(fixedPointAt(line, 2, 2 + text.length)).toBe(expected);
    }
    expect(fixedPointAt('a||b', 2, 2)).toBeNull();
  });
});
