/**
 * Charles Schwab's transaction history as downloaded (docs/import-export.md, "Charles Schwab"):
 * CSV with or without the title line, newest first, money as -$1,856.40, dates MM/DD/YYYY or
 * "MM/DD/YYYY as of MM/DD/YYYY", the "Transactions Total" line last; or the same rows as the
 * JSON export's BrokerageTransactions.
 */
import { type ActionKind, mapAction } from './cash-actions.js';
import { blankRecord, columnsOf, FileBuilder, fitsHeader, firstLines, headerNames, csvRecords, usDate, usNumber } from './common.js';
import type { BrokerFile, BrokerFormat } from './types.js';

const COLUMNS = ['Date', 'Action', 'Symbol', 'Description', 'Quantity', 'Price', 'Fees & Comm', 'Amount'] as const;
type Column = (typeof COLUMNS)[number];
const TITLE = /^"?Transactions\s+for\s+account\b/i;
const TOTAL = 'Transactions Total';

/** Schwab's action texts, by what they are (lower case). */
const ACTIONS = new Map<string, ActionKind>([
  ...(['buy', 'reinvest shares'] as const).map((a) => [a, 'buy'] as const),
  ...(['sell'] as const).map((a) => [a, 'sell'] as const),
  ...(
    [
      'qualified dividend',
      'cash dividend',
      'non-qualified div',
      'special qual div',
      'special non qual div',
      'special dividend',
      'reinvest dividend',
      'qual div reinvest',
      'pr yr cash div',
      'pr yr div reinvest',
      'pr yr non-qual div',
      'pr yr special div',
      'long term cap gain',
      'short term cap gain',
      'long term cap gain reinvest',
      'short term cap gain reinvest',
      'dividend',
    ] as const
  ).map((a) => [a, 'dividend'] as const),
  ...(['bank interest', 'credit interest', 'bond interest', 'schwab1 int'] as const).map((a) => [a, 'interest'] as const),
  ...(['nra tax adj', 'nra withholding', 'foreign tax paid', 'tax withholding', 'pr yr nra tax'] as const).map(
    (a) => [a, 'withholding'] as const,
  ),
  ...(['adr mgmt fee', 'service fee', 'advisor fee', 'wire fee', 'margin interest', 'misc fee'] as const).map((a) => [a, 'fee'] as const),
  ...(
    [
      'moneylink transfer',
      'moneylink deposit',
      'wire funds',
      'wire sent',
      'wire received',
      'wire funds received',
      'funds received',
      'journal',
      'internal transfer',
      'bank transfer',
    ] as const
  ).map((a) => [a, 'cash'] as const),
  ...(['journaled shares'] as const).map((a) => [a, 'shares'] as const),
  ...(['stock split', 'stock div dist'] as const).map((a) => [a, 'distribution'] as const),
]);

/**
 * "MM/DD/YYYY" or "MM/DD/YYYY as of MM/DD/YYYY": the first date is when Schwab booked it (for a
 * split, the ex-date, as market data has it); the as-of date goes to the notes.
 */
function schwabDate(text: string): { date: string | null; asOf?: string } {
  const asOf = /^(\d{2}\/\d{2}\/\d{4}) as of (\d{2}\/\d{2}\/\d{4})$/.exec(text);
  if (!asOf) return { date: usDate(text) };
  const asOfDate = usDate(asOf[2]!);
  return asOfDate === null ? { date: null } : { date: usDate(asOf[1]!), asOf: asOfDate };
}

function readRow(b: FileBuilder, row: number, cell: (column: Column) => string): void {
  const { date, asOf } = schwabDate(cell('Date'));
  if (date === null) {
    b.problem(row, `"${cell('Date')}" is not a date MM/DD/YYYY`, 'date');
    return;
  }
  const action = cell('Action');
  const kind = ACTIONS.get(action.toLowerCase().replace(/\s+/g, ' '));
  if (!kind) {
    b.problem(row, action === '' ? 'has no action' : `unknown action "${action}"`, 'type');
    return;
  }
  let readable = true;
  const number = (field: 'quantity' | 'price' | 'fee' | 'amount', column: Column): string | null => {
    const text = cell(column);
    if (text === '') return null;
    const value = usNumber(text);
    if (value === null) {
      b.problem(row, `"${text}" is not an amount such as -$1,856.40`, field);
      readable = false;
    }
    return value;
  };
  const quantity = number('quantity', 'Quantity');
  const price = number('price', 'Price');
  const fee = number('fee', 'Fees & Comm');
  const amount = number('amount', 'Amount');
  if (!readable) return;
  const description = asOf ? `${cell('Description')} (as of ${asOf})`.trim() : cell('Description');
  mapAction(b, { row, date, action, symbol: cell('Symbol'), description, quantity, price, fee, amount, currency: 'USD' }, kind);
}

function readCsvExport(text: string): BrokerFile {
  const b = new FileBuilder('newestFirst');
  const lines = csvRecords(b, text);
  if (!lines) return b.finish();
  const headerAt = lines.findIndex((l) => l.cells[0] === 'Date' && l.cells[1] === 'Action');
  if (headerAt === -1) {
    b.problem(1, `no header line ${COLUMNS.join(',')}`);
    return b.finish();
  }
  for (const l of lines.slice(0, headerAt)) {
    if (!TITLE.test(l.cells[0] ?? '') && !blankRecord(l.cells)) b.problem(l.line, 'an unexpected line before the header');
  }
  const header = lines[headerAt]!;
  const columns = columnsOf(header.cells);
  const missing = COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    b.problem(header.line, `the header lacks ${missing.join(', ')}`);
    return b.finish();
  }
  for (const l of lines.slice(headerAt + 1)) {
    if (blankRecord(l.cells) || l.cells[0] === TOTAL || !fitsHeader(b, l, header)) continue;
    readRow(b, l.line, (column) => l.cells[columns.get(column)!] ?? '');
  }
  return b.finish();
}

function readJsonExport(text: string): BrokerFile {
  const b = new FileBuilder('newestFirst');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    b.problem(1, 'the file cannot be read as JSON');
    return b.finish();
  }
  const list = (parsed as { BrokerageTransactions?: unknown } | null)?.BrokerageTransactions;
  if (!Array.isArray(list)) {
    b.problem(1, 'a Schwab JSON export has a BrokerageTransactions list');
    return b.finish();
  }
  list.forEach((entry: unknown, i) => {
    const row = i + 1;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      b.problem(row, 'must be an object');
      return;
    }
    const record = entry as Record<string, unknown>;
    readRow(b, row, (column) => {
      const value = record[column];
      return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    });
  });
  return b.finish();
}

function isJsonExport(text: string): boolean {
  const head = text
    .slice(0, 4_096)
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('{') && /"BrokerageTransactions"\s*:/.test(text);
}

export const schwab: BrokerFormat = {
  detect(text) {
    if (isJsonExport(text)) return true;
    const [first, second] = firstLines(text, 2);
    const isHeader = (line: string | undefined) =>
      line !== undefined && headerNames(line).slice(0, COLUMNS.length).join('|') === COLUMNS.join('|');
    return isHeader(first) || (first !== undefined && TITLE.test(first) && isHeader(second));
  },
  read(text) {
    return isJsonExport(text) ? readJsonExport(text) : readCsvExport(text);
  },
};
