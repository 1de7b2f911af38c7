/**
 * Trading 212's history export (docs/import-export.md, "Trading 212"): one header line naming
 * columns (which columns there are depends on what the export holds), oldest first, plain
 * decimals, times "YYYY-MM-DD HH:MM:SS" in UTC, the ID column as the broker's id. Amounts in
 * Total are in the account's currency; prices in the instrument's (Exchange rate: instrument
 * currency per account currency).
 */
import { Decimal } from 'decimal.js';
import {
  type CsvLine,
  columnsOf,
  decimalText,
  FileBuilder,
  fitsHeader,
  firstLines,
  headerNames,
  isoDate,
  isZero,
  magnitude,
  notesOf,
  plainNumber,
  csvRecords,
  splitRatio,
} from './common.js';
import type { BrokerFormat } from './types.js';

/** Charges a trade may carry, each with its own currency column (or the currency in its name). */
const CHARGES = [
  'Currency conversion fee',
  'Transaction fee',
  'Stamp duty reserve tax',
  'Stamp duty',
  'Finra fee',
  'French transaction tax',
  'UK PTM Levy',
];
const BUY = /^(market|limit|stop|stop limit) buy$/i;
const SELL = /^(market|limit|stop|stop limit) sell$/i;
const DIVIDEND = /^dividend \(.+\)$/i;
const INTEREST = new Set(['interest on cash', 'lending interest']);
const MINOR_UNITS: Readonly<Record<string, string>> = { GBX: 'GBP', GBp: 'GBP' };

interface SplitHalf {
  row: number;
  id: string | null;
  quantity: Decimal;
}

export const trading212: BrokerFormat = {
  detect(text) {
    const [first] = firstLines(text, 1);
    if (first === undefined) return false;
    const names = headerNames(first);
    return names[0] === 'Action' && (names[1] === 'Time' || names[1] === 'Time (UTC)') && names.includes('No. of shares');
  },
  read(text) {
    const b = new FileBuilder('oldestFirst');
    const lines = csvRecords(b, text);
    if (!lines) return b.finish();
    const [header, ...records] = lines;
    if (!header || header.cells[0] !== 'Action') {
      b.problem(header?.line ?? 1, 'no header line beginning "Action,Time"');
      return b.finish();
    }
    const columns = columnsOf(header.cells);
    const timeColumn = columns.has('Time') ? 'Time' : 'Time (UTC)';
    for (const required of ['Action', timeColumn, 'Total', 'Currency (Total)']) {
      if (!columns.has(required)) {
        b.problem(header.line, `the header lacks ${required}`);
        return b.finish();
      }
    }
    const splits = new Map<string, { open?: SplitHalf; close?: SplitHalf; date: string; ticker: string }>();

    for (const record of records) readRecord(record);

    for (const { open, close, date, ticker } of splits.values()) {
      const half = (open ?? close)!;
      b.problem(
        half.row,
        `"Stock split ${open ? 'open' : 'close'}" of ${ticker} on ${date} without its "Stock split ${open ? 'close' : 'open'}"`,
        'type',
      );
    }
    return b.finish();

    function readRecord(record: CsvLine): void {
      const { line, cells } = record;
      if (cells.every((cell) => cell === '') || !fitsHeader(b, record, header!)) return;
      const cell = (name: string) => (columns.has(name) ? (cells[columns.get(name)!] ?? '') : '');
      let readable = true;
      const number = (field: string, name: string, needed = true): string | null => {
        const text = cell(name);
        if (text === '') {
          if (needed) {
            b.problem(line, `needs ${name}`, field);
            readable = false;
          }
          return null;
        }
        const value = plainNumber(text);
        if (value === null) {
          b.problem(line, `"${text}" in ${name} is not a number such as 12.50`, field);
          readable = false;
        }
        return value;
      };
      const date = isoDate(cell(timeColumn));
      if (date === null) {
        b.problem(line, `"${cell(timeColumn)}" is not a time YYYY-MM-DD HH:MM:SS`, 'date');
        return;
      }
      const action = cell('Action');
      const id = cell('ID') || null;
      const ticker = cell('Ticker').toUpperCase();
      const notes = notesOf(cell('Name'), cell('Notes'));
      const accountCurrency = cell('Currency (Total)');

      if (BUY.test(action) || SELL.test(action)) {
        const quantity = number('quantity', 'No. of shares');
        const price = number('price', 'Price / share');
        const currency = cell('Currency (Price / share)');
        const fee = charges(line, currency, cell, number);
        if (!readable || quantity === null || price === null || fee === undefined) return;
        b.transaction(line, id, {
          date,
          type: BUY.test(action) ? 'BUY' : 'SELL',
          symbol: ticker,
          quantity: magnitude(quantity),
          price: magnitude(price),
          ...(fee.isZero() ? {} : { fee: decimalText(fee) }),
          currency,
          notes,
        });
        return;
      }
      if (DIVIDEND.test(action)) {
        const total = number('amount', 'Total');
        const withheld = number('fee', 'Withholding tax', false);
        const shares = number('quantity', 'No. of shares', false);
        const perShare = number('price', 'Price / share', false);
        if (!readable || total === null) return;
        const tax = withheld === null ? new Decimal(0) : new Decimal(magnitude(withheld));
        const taxCurrency = cell('Currency (Withholding tax)');
        const priceCurrency = cell('Currency (Price / share)');
        const fields = { date, type: 'DIVIDEND', symbol: ticker, notes };
        if (tax.isZero()) b.transaction(line, id, { ...fields, amount: magnitude(total), currency: accountCurrency });
        else if (taxCurrency === accountCurrency)
          b.transaction(line, id, {
            ...fields,
            amount: tax.plus(magnitude(total)).toFixed(),
            fee: tax.toFixed(),
            currency: accountCurrency,
          });
        else if (taxCurrency === priceCurrency && shares !== null && perShare !== null)
          // Gross in the instrument's currency: the tax is in it too.
          b.transaction(line, id, {
            ...fields,
            amount: decimalText(new Decimal(magnitude(shares)).times(magnitude(perShare))),
            fee: tax.toFixed(),
            currency: priceCurrency,
          });
        else b.problem(line, `withholding tax in ${taxCurrency || '(none)'} is neither the dividend's currency nor the total's`, 'fee');
        return;
      }
      const lower = action.toLowerCase();
      if (lower === 'deposit' || lower === 'withdrawal' || INTEREST.has(lower)) {
        const total = number('amount', 'Total');
        if (!readable || total === null) return;
        if (isZero(total)) {
          b.problem(line, `"${action}" of 0`, 'amount');
          return;
        }
        const type = lower === 'deposit' ? 'DEPOSIT' : lower === 'withdrawal' ? 'WITHDRAWAL' : 'INTEREST';
        b.transaction(line, id, { date, type, amount: magnitude(total), currency: accountCurrency, notes });
        const depositFee = number('fee', 'Deposit fee', false);
        if (readable && depositFee !== null && !isZero(depositFee))
          b.transaction(line, id && `${id}:fee`, {
            date,
            type: 'FEE',
            amount: magnitude(depositFee),
            currency: cell('Currency (Deposit fee)') || accountCurrency,
            notes: 'Deposit fee',
          });
        return;
      }
      if (lower === 'currency conversion') {
        const from = number('amount', 'Currency conversion from amount');
        const to = number('toAmount', 'Currency conversion to amount');
        const fee = number('fee', 'Currency conversion fee', false);
        if (!readable || from === null || to === null) return;
        const fromCurrency = cell('Currency (Currency conversion from amount)');
        const feeCurrency = cell('Currency (Currency conversion fee)') || fromCurrency;
        if (fee !== null && !isZero(fee) && feeCurrency !== fromCurrency) {
          b.problem(line, `the conversion fee is in ${feeCurrency}, not in ${fromCurrency} that the conversion spends`, 'fee');
          return;
        }
        b.transaction(line, id, {
          date,
          type: 'CONVERSION',
          amount: magnitude(from),
          currency: fromCurrency,
          toAmount: magnitude(to),
          toCurrency: cell('Currency (Currency conversion to amount)'),
          ...(fee === null || isZero(fee) ? {} : { fee: magnitude(fee) }),
          notes,
        });
        return;
      }
      if (lower === 'stock split open' || lower === 'stock split close') {
        const quantity = number('quantity', 'No. of shares');
        if (!readable || quantity === null) return;
        const key = `${ticker}|${date}`;
        const pair = splits.get(key) ?? { date, ticker };
        const half = { row: line, id, quantity: new Decimal(magnitude(quantity)) };
        if (lower === 'stock split open') pair.open = half;
        else pair.close = half;
        splits.set(key, pair);
        if (pair.open && pair.close) {
          // Both halves read: the SPLIT takes the place of the second, before that day's later trades.
          splits.delete(key);
          emitSplit(pair.open, pair.close, date, ticker);
        }
        return;
      }
      b.problem(line, action === '' ? 'has no action' : `unknown action "${action}"`, 'type');
    }

    function emitSplit(open: SplitHalf, close: SplitHalf, date: string, ticker: string): void {
      const first = open.row < close.row ? open : close;
      if (open.quantity.isZero() || close.quantity.isZero()) {
        b.problem(first.row, `a stock split of ${ticker} needs the number of shares before and after`, 'quantity');
        return;
      }
      b.transaction(first.row, first.id, { date, type: 'SPLIT', symbol: ticker, ...splitRatio(close.quantity, open.quantity) });
    }

    /** The sum of a trade's charges in the instrument's currency; undefined after a problem. */
    function charges(
      line: number,
      currency: string,
      cell: (name: string) => string,
      number: (field: string, name: string, needed?: boolean) => string | null,
    ) {
      let total = new Decimal(0);
      for (const name of columns.keys()) {
        const named = /^(.+) \(([A-Za-z]{3})\)$/.exec(name);
        const charge = named && CHARGES.includes(named[1]!) ? named[1]! : CHARGES.includes(name) ? name : null;
        if (charge === null) continue;
        const value = number('fee', name, false);
        if (value === null || isZero(value)) continue;
        const chargeCurrency = named ? named[2]! : cell(`Currency (${name})`) || cell('Currency (Total)');
        const amount = new Decimal(magnitude(value));
        if (chargeCurrency === currency) total = total.plus(amount);
        else if (MINOR_UNITS[currency] === chargeCurrency) total = total.plus(amount.times(100));
        else if (chargeCurrency === cell('Currency (Total)')) {
          const rate = plainNumber(cell('Exchange rate'));
          if (rate === null || isZero(rate)) {
            b.problem(
              line,
              `${name} is in ${chargeCurrency}, and "${cell('Exchange rate')}" is no exchange rate to convert it to ${currency}`,
              'fee',
            );
            return undefined;
          }
          total = total.plus(amount.times(rate));
        } else {
          b.problem(line, `${name} is in ${chargeCurrency}, neither the price's currency nor the account's`, 'fee');
          return undefined;
        }
      }
      return total;
    }
  },
};
