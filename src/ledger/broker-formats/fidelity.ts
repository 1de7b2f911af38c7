/**
 * Fidelity's account history as downloaded (docs/import-export.md, "Fidelity"): blank lines
 * before the header "Run Date,Action,Symbol,...", newest first, the action as a sentence
 * ("YOU BOUGHT APPLE INC (AAPL) (Cash)"), dollar amounts in plain or $ form, and the
 * disclaimer lines and "Date downloaded ..." after the rows.
 */
import { Decimal } from 'decimal.js';
import { type ActionKind, mapAction } from './cash-actions.js';
import { blankRecord, columnsOf, FileBuilder, fitsHeader, firstLines, headerNames, csvRecords, usDate, usNumber } from './common.js';
import type { BrokerFormat } from './types.js';

/** Sentence beginnings, longest first where one begins another. */
const ACTIONS: ReadonlyArray<readonly [string, ActionKind]> = [
  ['YOU BOUGHT', 'buy'],
  ['REINVESTMENT', 'buy'],
  ['YOU SOLD', 'sell'],
  ['DIVIDEND RECEIVED', 'dividend'],
  ['LONG-TERM CAP GAIN', 'dividend'],
  ['SHORT-TERM CAP GAIN', 'dividend'],
  ['INTEREST EARNED', 'interest'],
  ['FOREIGN TAX PAID', 'withholding'],
  ['NON-RESIDENT TAX', 'withholding'],
  ['FEE CHARGED', 'fee'],
  ['MARGIN INTEREST', 'fee'],
  ['ELECTRONIC FUNDS TRANSFER', 'cash'],
  ['DIRECT DEPOSIT', 'cash'],
  ['DIRECT DEBIT', 'cash'],
  ['CASH CONTRIBUTION', 'cash'],
  ['PARTIAL DISTRIBUTION', 'cash'],
  ['TRANSFERRED FROM', 'cash'],
  ['TRANSFERRED TO', 'cash'],
  ['WIRE TRANSFER', 'cash'],
  ['DISTRIBUTION', 'distribution'],
];

/** Column names as Fidelity has written them over the years (with and without "Security", "($)"). */
const COLUMN_NAMES = {
  date: ['Run Date'],
  action: ['Action'],
  symbol: ['Symbol'],
  description: ['Description', 'Security Description'],
  quantity: ['Quantity'],
  price: ['Price ($)', 'Price'],
  commission: ['Commission ($)', 'Commission'],
  fees: ['Fees ($)', 'Fees'],
  amount: ['Amount ($)', 'Amount'],
} as const;

function kindOf(action: string): ActionKind | undefined {
  const text = action.toUpperCase().replace(/\s+/g, ' ');
  return ACTIONS.find(([start]) => text.startsWith(start))?.[1];
}

export const fidelity: BrokerFormat = {
  detect(text) {
    return firstLines(text, 5).some((line) => {
      const names = headerNames(line);
      return names[0] === 'Run Date' && names.includes('Action') && names.some((n) => n.startsWith('Amount'));
    });
  },
  read(text) {
    const b = new FileBuilder('newestFirst');
    const lines = csvRecords(b, text);
    if (!lines) return b.finish();
    const headerAt = lines.findIndex((l) => l.cells[0] === 'Run Date');
    if (headerAt === -1) {
      b.problem(1, 'no header line beginning "Run Date,Action,Symbol"');
      return b.finish();
    }
    const header = lines[headerAt]!;
    const columns = columnsOf(header.cells);
    const positions = Object.fromEntries(
      Object.entries(COLUMN_NAMES).map(([key, names]) => [key, names.map((n) => columns.get(n)).find((i) => i !== undefined)]),
    ) as Record<keyof typeof COLUMN_NAMES, number | undefined>;
    const missing = Object.entries(positions).filter(([, i]) => i === undefined);
    if (missing.length > 0) {
      b.problem(header.line, `the header lacks ${missing.map(([key]) => COLUMN_NAMES[key as keyof typeof COLUMN_NAMES][0]).join(', ')}`);
      return b.finish();
    }
    for (const l of lines.slice(headerAt + 1)) {
      if (blankRecord(l.cells)) continue;
      // The disclaimer and "Date downloaded" lines after the rows are one text cell each.
      if (l.cells.filter((cell) => cell !== '').length === 1 && usDate(l.cells[0] ?? '') === null) continue;
      if (!fitsHeader(b, l, header)) continue;
      const cell = (key: keyof typeof COLUMN_NAMES) => l.cells[positions[key]!] ?? '';
      const date = usDate(cell('date'));
      if (date === null) {
        b.problem(l.line, `"${cell('date')}" is not a date MM/DD/YYYY`, 'date');
        continue;
      }
      const action = cell('action');
      const kind = kindOf(action);
      if (!kind) {
        b.problem(l.line, action === '' ? 'has no action' : `unknown action "${action}"`, 'type');
        continue;
      }
      let readable = true;
      const number = (field: 'quantity' | 'price' | 'fee' | 'amount', key: keyof typeof COLUMN_NAMES): string | null => {
        const text = cell(key);
        if (text === '') return null;
        const value = usNumber(text);
        if (value === null) {
          b.problem(l.line, `"${text}" is not an amount such as -1505.00`, field);
          readable = false;
        }
        return value;
      };
      const quantity = number('quantity', 'quantity');
      const price = number('price', 'price');
      const commission = number('fee', 'commission');
      const fees = number('fee', 'fees');
      const amount = number('amount', 'amount');
      if (!readable) continue;
      const fee =
        commission === null && fees === null
          ? null
          : new Decimal(commission ?? 0)
              .abs()
              .plus(new Decimal(fees ?? 0).abs())
              .toFixed();
      mapAction(
        b,
        {
          row: l.line,
          date,
          action,
          symbol: cell('symbol'),
          description: cell('description'),
          quantity,
          price,
          fee,
          amount,
          currency: 'USD',
        },
        kind,
      );
    }
    return b.finish();
  },
};
