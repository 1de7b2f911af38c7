/**
 * What every broker reader shares: CSV records with the line they start on, strict number and
 * date grammars, and the file builder that turns a reader's drafts into rows (oldest first,
 * withholding tax attached to its dividend, share distributions read as splits, broker ids made
 * unique). Pure: text in, rows out.
 */
import { parse as parseCsvText } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { isCalendarDate } from '../../platform/dates.js';
import type { BrokerFile, BrokerProblem, BrokerRow, TransactionField } from './types.js';

export type Fields = Partial<Record<TransactionField, string>>;

/** DECIMAL(18,8): what a computed figure (a fee converted, a gross dividend) is rounded to. */
export const DECIMAL_PLACES = 8;
/** How much of a file detection looks at. */
export const DETECT_PREFIX = 4_096;

// ---------------------------------------------------------------------------------- CSV

export interface CsvLine {
  /** The line of the file the record starts on (1-based). */
  line: number;
  /** Cells with surrounding blanks removed. */
  cells: string[];
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote must end its field',
};

/**
 * CSV records (RFC 4180, a byte order mark and CRLF or LF line ends allowed, blank lines
 * skipped), each with the line it starts on; records may have any number of cells (title and
 * trailer lines are shorter than the header). A syntax error is one problem with its line.
 */
export function readCsv(text: string): { lines: CsvLine[] } | { problem: BrokerProblem } {
  try {
    const records = parseCsvText(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return {
      lines: records.map(({ record, info }) => {
        // info.lines is where the record ends; line breaks inside quoted cells are the difference.
        const breaks = record.reduce((sum, cell) => sum + (cell.match(/\n/g)?.length ?? 0), 0);
        return { line: info.lines - breaks, cells: record.map((cell) => cell.trim()) };
      }),
    };
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    const why = (code && CSV_ERRORS[code]) ?? 'it is not valid CSV';
    return { problem: { row: lines ?? 1, message: `the file cannot be read as CSV: ${why}` } };
  }
}

/** The file's CSV records, or null once the reason it cannot be read is a problem. */
export function csvRecords(b: FileBuilder, text: string): CsvLine[] | null {
  const csv = readCsv(text);
  if ('lines' in csv) return csv.lines;
  b.problem(csv.problem.row, csv.problem.message);
  return null;
}

/** Whether a record's cells are all empty (a spacer line of commas). */
export const blankRecord = (cells: readonly string[]) => cells.every((cell) => cell === '');

/** The column names of a header, trimmed; maps a name to its first position. */
export function columnsOf(header: readonly string[]): Map<string, number> {
  const columns = new Map<string, number>();
  header.forEach((name, i) => {
    if (name !== '' && !columns.has(name)) columns.set(name, i);
  });
  return columns;
}

/**
 * Whether a record fits its header: cells past the header's last column must be empty (a comma
 * too many in an unquoted number shifts every cell after it); missing trailing cells read as empty.
 */
export function fitsHeader(b: FileBuilder, record: CsvLine, header: CsvLine): boolean {
  if (record.cells.slice(header.cells.length).every((cell) => cell === '')) return true;
  b.problem(
    record.line,
    `has ${record.cells.length} cells where the header has ${header.cells.length} (a number with a comma must be in quotes)`,
  );
  return false;
}

/** The first non-blank line of the text, for detection (without a byte order mark). */
export function firstLines(text: string, count: number): string[] {
  const head = text.slice(0, DETECT_PREFIX).replace(/^\uFEFF/, '');
  return head
    .split(/\r\n|\n|\r/)
    .filter((line) => line.trim() !== '')
    .slice(0, count);
}

/** A CSV header line's names (quotes removed): enough for detection, no full CSV parse. */
export function headerNames(line: string): string[] {
  return line.split(',').map((name) =>
    name
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

// ---------------------------------------------------------------------------------- numbers and dates

const PLAIN_NUMBER = /^[-+]?\d+(\.\d+)?$/;
/** US money: -$1,856.40, $0.50, 1,259.59, -1505.00 (commas only in groups of three). */
const US_NUMBER = /^([-+]?)\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/;
/** European: 1,35 or 1.35 (a comma or a point before the decimals, no thousands separators). */
const EUROPEAN_NUMBER = /^([-+]?)(\d+)(?:[.,](\d+))?$/;
const MAX_NUMBER_TEXT = 40;

/** A plain decimal (IBKR, Trading 212): -12.5, 100. */
export function plainNumber(text: string): string | null {
  return text.length <= MAX_NUMBER_TEXT && PLAIN_NUMBER.test(text) ? trimmed(text.replace(/^\+/, '')) : null;
}

export function usNumber(text: string): string | null {
  if (text.length > MAX_NUMBER_TEXT) return null;
  const match = US_NUMBER.exec(text);
  if (!match) return null;
  return trimmed(`${match[1] === '-' ? '-' : ''}${match[2]!.replace(/,/g, '')}${match[3] ?? ''}`);
}

export function europeanNumber(text: string): string | null {
  if (text.length > MAX_NUMBER_TEXT) return null;
  const match = EUROPEAN_NUMBER.exec(text);
  if (!match) return null;
  return trimmed(`${match[1] === '-' ? '-' : ''}${match[2]}${match[3] === undefined ? '' : `.${match[3]}`}`);
}

/** 10.0000000000 → 10, 0.0290530000 → 0.029053: the same number, in the fewest digits. */
function trimmed(number: string): string {
  return number.includes('.') ? number.replace(/\.?0+$/, '') : number;
}

export const isNegative = (number: string) => number.startsWith('-');
/** The number without its sign. */
export const magnitude = (number: string) => number.replace(/^-/, '');
export const isZero = (number: string) => new Decimal(number).isZero();
/** A computed figure as DECIMAL(18,8) text. */
export const decimalText = (value: Decimal) => value.toDecimalPlaces(DECIMAL_PLACES, Decimal.ROUND_HALF_UP).toFixed();

function calendarDate(year: string, month: string, day: string): string | null {
  const date = `${year}-${month}-${day}`;
  return isCalendarDate(date) ? date : null;
}

/** MM/DD/YYYY (Schwab, Fidelity). */
export function usDate(text: string): string | null {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  return match ? calendarDate(match[3]!, match[1]!, match[2]!) : null;
}

/** DD-MM-YYYY (DEGIRO). */
export function dayMonthYearDate(text: string): string | null {
  const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  return match ? calendarDate(match[3]!, match[2]!, match[1]!) : null;
}

/** YYYY-MM-DD or YYYYMMDD, optionally followed by a time (IBKR's "20240315;093015", Trading 212's "2024-03-15 09:30:15"). */
export function isoDate(text: string): string | null {
  const match = /^(\d{4})(-?)(\d{2})\2(\d{2})(?:[;, T]\s*\d{2}:?\d{2}(?::?\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  return match ? calendarDate(match[1]!, match[3]!, match[4]!) : null;
}

// ---------------------------------------------------------------------------------- drafts

/** A transaction as read, with its row. */
export interface TransactionDraft {
  kind: 'transaction';
  row: number;
  externalId: string | null;
  fields: Fields & { date: string; type: string };
}

/**
 * Tax withheld on a dividend (or its refund, negative): attached to the dividend of the same
 * symbol, date and currency as its fee; a TAX of its own when the file has no such dividend.
 */
export interface WithholdingDraft {
  kind: 'withholding';
  row: number;
  externalId: string | null;
  date: string;
  symbol: string | null;
  currency: string;
  /** Tax paid (> 0) or refunded (< 0). */
  amount: Decimal;
  notes?: string;
}

/**
 * New shares of a symbol without a ratio (Schwab's "Stock Split", Fidelity's "DISTRIBUTION"): a
 * SPLIT whose ratio is what the file shows was held before plus these, for what was held.
 */
export interface DistributionDraft {
  kind: 'distribution';
  row: number;
  externalId: string | null;
  date: string;
  symbol: string;
  quantity: Decimal;
  action: string;
}

export type Draft = TransactionDraft | WithholdingDraft | DistributionDraft;

const dateOf = (draft: Draft) => (draft.kind === 'transaction' ? draft.fields.date : draft.date);

/** The ratio after/before as the smallest whole numbers (10 for 1), or as decimals when those would not fit. */
export function splitRatio(before: Decimal, after: Decimal): { splitFrom: string; splitTo: string } {
  const places = Math.max(before.decimalPlaces(), after.decimalPlaces());
  const scale = new Decimal(10).pow(places);
  let from = BigInt(before.times(scale).toFixed(0));
  let to = BigInt(after.times(scale).toFixed(0));
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const divisor = gcd(from, to);
  from /= divisor;
  to /= divisor;
  const limit = 10n ** 10n;
  if (from < limit && to < limit) return { splitFrom: from.toString(), splitTo: to.toString() };
  return { splitFrom: '1', splitTo: decimalText(after.dividedBy(before)) };
}

/** Collects a reader's drafts and problems; finish() gives the file. */
export class FileBuilder {
  private readonly drafts: Draft[] = [];
  readonly problems: BrokerProblem[] = [];

  /**
   * `order`: how the broker lists rows. A newest-first export may have been sorted the other way
   * by the user (Schwab's and Fidelity's pages let one sort by date before exporting), so its own
   * dates decide when they differ from first to last row; an oldest-first one (IBKR, whose
   * sections each start again from the period's first day; Trading 212) is never turned round.
   */
  constructor(private readonly order: 'newestFirst' | 'oldestFirst') {}

  problem(row: number, message: string, field?: string): void {
    this.problems.push(field === undefined ? { row, message } : { row, field, message });
  }

  transaction(row: number, externalId: string | null, fields: TransactionDraft['fields']): void {
    this.drafts.push({ kind: 'transaction', row, externalId, fields });
  }

  add(draft: Draft): void {
    this.drafts.push(draft);
  }

  finish(): BrokerFile {
    const ordered = this.chronological();
    const transactions = this.attachWithholding(ordered, this.resolveDistributions(ordered));
    const rows = transactions.filter((draft) => draft !== null).map(toRow);
    uniqueExternalIds(rows);
    const problems = [...this.problems].sort((a, b) => a.row - b.row);
    return { rows, problems };
  }

  /**
   * Oldest first; rows of one day in the order they happened: file order (by row), turned round
   * for a newest-first file. Readers may add drafts in any order.
   */
  private chronological(): Draft[] {
    const byRow = [...this.drafts].sort((a, b) => a.row - b.row);
    const first = byRow[0];
    const last = byRow[byRow.length - 1];
    const reverse = this.order === 'newestFirst' && (!first || !last || dateOf(first) === dateOf(last) || dateOf(first) > dateOf(last));
    const direction = reverse ? -1 : 1;
    return byRow.sort((a, b) => (dateOf(a) < dateOf(b) ? -1 : dateOf(a) > dateOf(b) ? 1 : direction * (a.row - b.row)));
  }

  /** Transactions in order, each distribution turned into a SPLIT (or a problem) by the holding the file shows. */
  private resolveDistributions(ordered: readonly Draft[]): Array<TransactionDraft | null> {
    const held = new Map<string, Decimal>();
    const out: Array<TransactionDraft | null> = [];
    for (const draft of ordered) {
      if (draft.kind === 'withholding') continue;
      if (draft.kind === 'transaction') {
        const { type, symbol, quantity, splitFrom, splitTo } = draft.fields;
        if (symbol && quantity && (type === 'BUY' || type === 'TRANSFER_IN'))
          held.set(symbol, (held.get(symbol) ?? new Decimal(0)).plus(quantity));
        if (symbol && quantity && (type === 'SELL' || type === 'TRANSFER_OUT'))
          held.set(symbol, (held.get(symbol) ?? new Decimal(0)).minus(quantity));
        if (symbol && type === 'SPLIT' && splitFrom && splitTo)
          held.set(symbol, (held.get(symbol) ?? new Decimal(0)).times(splitTo).dividedBy(splitFrom));
        out.push(draft);
        continue;
      }
      const before = held.get(draft.symbol) ?? new Decimal(0);
      if (before.lte(0)) {
        this.problem(
          draft.row,
          `"${draft.action}" adds ${draft.quantity.toFixed()} ${draft.symbol} without a ratio, and the file shows none held before ${draft.date}: record the SPLIT by hand (or import a file from the first purchase on)`,
          'type',
        );
        continue;
      }
      const after = before.plus(draft.quantity);
      if (after.lte(0)) {
        this.problem(draft.row, `"${draft.action}" removes more ${draft.symbol} than the file shows held`, 'quantity');
        continue;
      }
      held.set(draft.symbol, after);
      out.push({
        kind: 'transaction',
        row: draft.row,
        externalId: draft.externalId,
        fields: { date: draft.date, type: 'SPLIT', symbol: draft.symbol, ...splitRatio(before, after), notes: draft.action },
      });
    }
    return out;
  }

  /** Each withholding becomes its dividend's fee (summed with others of the same dividend), or a TAX. */
  private attachWithholding(ordered: readonly Draft[], transactions: Array<TransactionDraft | null>): Array<TransactionDraft | null> {
    const key = (date: string, symbol: string | null | undefined, currency: string | null | undefined) =>
      `${date}|${symbol ?? ''}|${currency ?? ''}`;
    const dividends = new Map<string, TransactionDraft>();
    for (const draft of transactions) {
      if (draft?.fields.type !== 'DIVIDEND') continue;
      const k = key(draft.fields.date, draft.fields.symbol, draft.fields.currency);
      if (!dividends.has(k)) dividends.set(k, draft);
    }
    const groups = new Map<string, WithholdingDraft[]>();
    for (const draft of ordered) {
      if (draft.kind !== 'withholding') continue;
      const k = key(draft.date, draft.symbol, draft.currency);
      const group = groups.get(k);
      if (group) group.push(draft);
      else groups.set(k, [draft]);
    }
    const taxes: TransactionDraft[] = [];
    for (const [k, group] of groups) {
      const total = group.reduce((sum, draft) => sum.plus(draft.amount), new Decimal(0));
      const first = group[0]!;
      const dividend = dividends.get(k);
      if (dividend) {
        const fee = new Decimal(dividend.fields.fee ?? 0).plus(total);
        if (fee.isNegative())
          this.problem(first.row, `refunds more tax (${total.negated().toFixed()}) than was withheld from its dividend`, 'amount');
        else dividend.fields.fee = fee.toFixed();
        continue;
      }
      if (total.isZero()) continue; // withheld and given back in the same file
      if (total.isNegative()) {
        this.problem(
          first.row,
          `a refund of withheld tax (${total.negated().toFixed()} ${first.currency}) without its dividend in the file has no transaction type: record it by hand`,
          'amount',
        );
        continue;
      }
      const tax: TransactionDraft = {
        kind: 'transaction',
        row: first.row,
        externalId: first.externalId,
        fields: {
          date: first.date,
          type: 'TAX',
          ...(first.symbol ? { symbol: first.symbol } : {}),
          amount: total.toFixed(),
          currency: first.currency,
          ...(first.notes ? { notes: first.notes } : {}),
        },
      };
      taxes.push(tax);
    }
    if (taxes.length === 0) return transactions;
    // Each TAX in its withholding's place: after the transactions of its date and before later ones.
    const merged: Array<TransactionDraft | null> = [];
    let next = 0;
    for (const draft of transactions) {
      while (draft !== null && next < taxes.length && dateOf(taxes[next]!) < dateOf(draft)) merged.push(taxes[next++]!);
      merged.push(draft);
    }
    return [...merged, ...taxes.slice(next)];
  }
}

function toRow(draft: TransactionDraft): BrokerRow {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(draft.fields)) if (value !== undefined && value !== '') fields[name] = value;
  return { row: draft.row, externalId: draft.externalId, fields };
}

/** A broker id that several rows share (partial fills of one order) gets #2, #3, ... on the later ones. */
function uniqueExternalIds(rows: BrokerRow[]): void {
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (row.externalId === null) continue;
    const count = (seen.get(row.externalId) ?? 0) + 1;
    seen.set(row.externalId, count);
    if (count > 1) row.externalId = `${row.externalId}#${count}`;
  }
}

/** Notes from a broker's description, bounded (notes hold 2,000 characters). */
export function notesOf(...parts: Array<string | null | undefined>): string | undefined {
  const text = parts
    .filter((part): part is string => !!part && part.trim() !== '')
    .join(' · ')
    .slice(0, 500);
  return text === '' ? undefined : text;
}
