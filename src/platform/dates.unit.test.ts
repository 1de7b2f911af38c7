import { describe, expect, it } from 'vitest';
import { epochDayFromIsoDate, isCalendarDate } from './dates.js';

/** The rule isCalendarDate must keep: what epochDayFromIsoDate (regex and Date.UTC) accepts. */
function acceptedByEpochDay(text: string): boolean {
  try {
    epochDayFromIsoDate(text);
    return true;
  } catch {
    return false;
  }
}

describe('isCalendarDate', () => {
  it('agrees with epochDayFromIsoDate on every day-of-month 0-32 of every month 00-13, in leap and other years', () => {
    const years = ['0000', '0099', '0100', '1900', '1970', '1999', '2000', '2023', '2024', '2100', '2400', '9999'];
    let checked = 0;
    for (const year of years) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          expect(isCalendarDate(text), text).toBe(acceptedByEpochDay(text));
          checked++;
        }
      }
    }
    expect(checked).toBe(years.length * 14 * 33);
  });

  it('refuses anything but YYYY-MM-DD, as the regex does', () => {
    for (const text of [
      '2024-1-01',
      '2024-01-1',
      '2024/01/01',
      '20240101',
      '2024-01-01 ',
      ' 2024-01-01',
      '2024-01-01T00:00:00Z',
      '２０２４-01-01',
      '2024-0a-01',
      '+024-01-01',
      '-024-01-01',
      '',
    ]) {
      expect(isCalendarDate(text), text).toBe(false);
      expect(acceptedByEpochDay(text), text).toBe(false);
    }
    expect(isCalendarDate(20240101)).toBe(false);
    expect(isCalendarDate(null)).toBe(false);
  });
});
