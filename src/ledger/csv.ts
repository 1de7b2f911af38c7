/**
 * CSV as RFC 4180 writes it (comma separated, fields with commas, quotes or line breaks in double
 * quotes, "" for a quote), read leniently (LF or CRLF, a UTF-8 byte order mark, a last line with
 * or without its line break).
 */

export interface CsvRecord {
  /** The line of the file the record starts on (1-based; a quoted field may span lines). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * The records of an uploaded file, or null when it is not CSV: then its syntax error is added to
 * `problems` (with its line), as every import reports what is wrong with a file.
 */
export function parseCsvFile(text: string, problems: Array<{ row: number | null; field: string; message: string }>): CsvRecord[] | null {
  try {
    return parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.push({ row: error.line, field: 'data', message: error.message });
    return null;
  }
}

/** Splits CSV text into records; blank lines are skipped. Throws CsvSyntaxError. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let recordLine = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let quoteOpenedOn = 0;
  let fieldStarted = false;

  const endRecord = () => {
    cells.push(cell);
    // A line with nothing on it is not a record.
    if (!(cells.length === 1 && cells[0] === '' && !fieldStarted)) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    fieldStarted = false;
  };

  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          const next = input[i + 1];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
            throw new CsvSyntaxError(line, `line ${line}: a closing quote must end its field`);
          }
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell !== '')
        throw new CsvSyntaxError(line, `line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`);
      quoted = true;
      quoteOpenedOn = line;
      fieldStarted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new CsvSyntaxError(quoteOpenedOn, `line ${quoteOpenedOn}: a quoted field is never closed`);
  if (cell !== '' || cells.length > 0 || fieldStarted) endRecord();
  return records;
}

/**
 * What gets the protecting apostrophe: what a spreadsheet reads as the start of a formula (CSV
 * injection, OWASP: = + - @ tab CR), or an apostrophe (so that one survives the round trip).
 */
const PROTECTED_START = /^[=+\-@\t\r']/;

/**
 * A cell as exported: a value a spreadsheet would run as a formula gets a leading apostrophe,
 * which spreadsheets hide and `unprotectCell` removes again on import. A value that itself
 * starts with an apostrophe gets one too, so the round trip is exact (`'=x` stays `'=x`).
 */
export function protectCell(value: string): string {
  return PROTECTED_START.test(value) ? `'${value}` : value;
}

export function unprotectCell(value: string): string {
  return value.startsWith("'") && PROTECTED_START.test(value.slice(1)) ? value.slice(1) : value;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows to CSV text, CRLF line ends as RFC 4180 has them. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}
