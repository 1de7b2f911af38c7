import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv, protectCell, toCsv, unprotectCell } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF or LF, with a BOM', () => {
    const text = '\uFEFFsymbol,notes\r\nAAPL,"bought, then ""held"""\nMSFT,"two\nlines"\r\n\nVTI,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['symbol', 'notes'] },
      { line: 2, cells: ['AAPL', 'bought, then "held"'] },
      { line: 3, cells: ['MSFT', 'two\nlines'] },
      { line: 6, cells: ['VTI', ''] },
    ]);
  });

  it('reads a last line without its line break, and quoted empty fields', () => {
    expect(parseCsv('a,b\n"",x')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['', 'x'] },
    ]);
  });

  it('says which line is malformed', () => {
    expect(() => parseCsv('a,b\nx,"never closed\n')).toThrow(CsvSyntaxError);
    const thrown = (() => {
      try {
        parseCsv('a\nb\nsome "quote" inside');
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(CsvSyntaxError);
    expect((thrown as CsvSyntaxError).line).toBe(3);
    expect(() => parseCsv('"closed"early,x')).toThrow(/closing quote/);
  });
});

describe('toCsv', () => {
  it('quotes only what needs it, ends lines with CRLF, and reads back the same', () => {
    const rows = [
      ['symbol', 'notes'],
      ['AAPL', 'plain'],
      ['MSFT', 'with, comma'],
      ['VTI', 'with "quote"\nand a line'],
    ];
    const text = toCsv(rows);
    expect(text).toBe('symbol,notes\r\nAAPL,plain\r\nMSFT,"with, comma"\r\nVTI,"with ""quote""\nand a line"\r\n');
    expect(parseCsv(text).map((r) => r.cells)).toEqual(rows);
  });
});

describe('formula protection', () => {
  it.each(['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)'])('%s is exported inert and imported as it was', (value) => {
    expect(protectCell(value)).toBe(`'${value}`);
    expect(unprotectCell(protectCell(value))).toBe(value);
  });

  it.each(["'=x", "'quoted on purpose", "''", "'", "'+1", 'plain'])('%s survives export and import exactly', (value) => {
    expect(unprotectCell(protectCell(value))).toBe(value);
  });

  it('leaves everything else alone', () => {
    expect(protectCell('AAPL')).toBe('AAPL');
    expect(unprotectCell("'quoted on purpose")).toBe("'quoted on purpose");
  });
});
