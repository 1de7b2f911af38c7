import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { dayMonthYearDate, europeanNumber, isoDate, plainNumber, readCsv, splitRatio, usDate, usNumber } from './common.js';

describe('broker number and date grammars', () => {
  it('reads US money strictly', () => {
    expect(['-$1,856.40', '$0.50', '1,259.59', '-1505.00', '$1680.00', '500,135', '+3'].map(usNumber)).toEqual([
      '-1856.4',
      '0.5',
      '1259.59',
      '-1505',
      '1680',
      '500135',
      '3',
    ]);
    for (const bad of ['$1,14,0.07', '1,2345.00', '($5.00)', '$', '1.2.3', '1e3', '5 USD', '-$-1', '٣'])
      expect(usNumber(bad), bad).toBeNull();
  });

  it('reads European decimals (a comma or a point, no thousands separators)', () => {
    expect(['-79,35', '1,0540', '10000', '-97.93'].map(europeanNumber)).toEqual(['-79.35', '1.054', '10000', '-97.93']);
    for (const bad of ['1.228,02', '1,228.02', '1 000,00', ',5', '1,', '€5']) expect(europeanNumber(bad), bad).toBeNull();
  });

  it('reads plain decimals only', () => {
    expect(['0.0290530000', '-5', '10.0000000000'].map(plainNumber)).toEqual(['0.029053', '-5', '10']);
    for (const bad of ['1,5', '1e3', 'Not available', '', '.5']) expect(plainNumber(bad), bad).toBeNull();
  });

  it('reads real calendar dates only', () => {
    expect(usDate('02/29/2024')).toBe('2024-02-29');
    expect(usDate('02/29/2023')).toBeNull();
    expect(usDate('2/9/2024')).toBeNull();
    expect(dayMonthYearDate('31-01-2024')).toBe('2024-01-31');
    expect(dayMonthYearDate('01-31-2024')).toBeNull();
    expect(
      ['20240315', '20240315;093015', '2024-03-15', '2024-03-15 09:30:15.123', '2025-09-13 21:15:46+00:00', '2024-03-15, 20:25:00'].map(
        isoDate,
      ),
    ).toEqual(
      Array(6)
        .fill('2024-03-15')
        .map((d, i) => (i === 4 ? '2025-09-13' : d)),
    );
    for (const bad of ['2024-0315', '20241315', '2024-03-15 9am', '15.03.2024']) expect(isoDate(bad), bad).toBeNull();
  });
});

describe('split ratios', () => {
  it('are the smallest whole numbers, from decimals too', () => {
    expect(splitRatio(new Decimal(10), new Decimal(100))).toEqual({ splitFrom: '1', splitTo: '10' });
    expect(splitRatio(new Decimal('1.6531'), new Decimal('16.531'))).toEqual({ splitFrom: '1', splitTo: '10' });
    expect(splitRatio(new Decimal(3), new Decimal('4.5'))).toEqual({ splitFrom: '2', splitTo: '3' });
    expect(splitRatio(new Decimal(30), new Decimal(3))).toEqual({ splitFrom: '10', splitTo: '1' });
  });
});

describe('CSV records', () => {
  it('name the line they start on, quoted line breaks and blank lines included', () => {
    const csv = readCsv('\uFEFFa,b\r\n\r\n"x\ny",1\r\nz,2\r\n');
    expect('lines' in csv && csv.lines).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['x\ny', '1'] },
      { line: 5, cells: ['z', '2'] },
    ]);
  });
});
