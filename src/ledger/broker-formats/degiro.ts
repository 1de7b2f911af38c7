/**
 * DEGIRO's two CSV exports as downloaded (docs/import-export.md, "DEGIRO"), in English or Dutch:
 * the Transactions export (trades: one row per execution, quantity negative for a sale) and the
 * Account statement (every cash movement, described in words). Dates DD-MM-YYYY, decimals with a
 * comma or a point and no thousands separators, an unnamed currency column before each amount,
 * newest first; products are named by ISIN, which becomes the symbol; the Order ID is the
 * broker's id (the same in both exports, so importing both adds each trade once).
 */
import { Decimal } from 'decimal.js';
import {
  type CsvLine,
  decimalText,
  dayMonthYearDate,
  europeanNumber,
  FileBuilder,
  fitsHeader,
  firstLines,
  headerNames,
  isNegative,
  isZero,
  magnitude,
  csvRecords,
} from './common.js';
import type { BrokerFormat } from './types.js';

const TRANSACTIONS_START = [
  ['Date', 'Time', 'Product', 'ISIN'],
  ['Datum', 'Tijd', 'Product', 'ISIN'],
];
const ACCOUNT_START = [
  ['Date', 'Time', 'Value date', 'Product', 'ISIN', 'Description'],
  ['Datum', 'Tijd', 'Valutadatum', 'Product', 'ISIN', 'Omschrijving'],
];
const startsWith = (names: readonly string[], start: readonly string[]) => start.every((name, i) => names[i] === name);

/** The records that fit the header and begin with a date DD-MM-YYYY (the others are problems; blank ones are skipped). */
function* datedRecords(b: FileBuilder, header: CsvLine, records: readonly CsvLine[]): Generator<CsvLine & { date: string }> {
  for (const record of records) {
    if (record.cells.every((cell) => cell === '') || !fitsHeader(b, record, header)) continue;
    const date = dayMonthYearDate(record.cells[0] ?? '');
    if (date === null) b.problem(record.line, `"${record.cells[0]}" is not a date DD-MM-YYYY`, 'date');
    else yield { ...record, date };
  }
}

// ---------------------------------------------------------------------------------- Transactions export

function findColumn(names: readonly string[], test: (name: string) => boolean): number {
  return names.findIndex((name) => test(name.toLowerCase()));
}

/** The currency of the amount at `at`: the unnamed column after it, or the name's own suffix ("Total EUR"). */
function currencyAt(names: readonly string[], cells: readonly string[], at: number): string {
  const suffix = /\b([A-Z]{3})$/.exec(names[at] ?? '');
  if (suffix) return suffix[1]!;
  return names[at + 1] === '' ? (cells[at + 1] ?? '') : '';
}

function readTransactions(b: FileBuilder, header: CsvLine, records: readonly CsvLine[]): void {
  const names = header.cells;
  const at = {
    quantity: findColumn(names, (n) => n === 'quantity' || n === 'aantal'),
    price: findColumn(names, (n) => n === 'price' || n === 'koers'),
    rate: findColumn(names, (n) => n === 'exchange rate' || n === 'wisselkoers'),
    autoFx: findColumn(names, (n) => n.startsWith('autofx')),
    fees: findColumn(names, (n) => n.startsWith('transaction and/or third') || n.startsWith('transactiekosten')),
    orderId: findColumn(names, (n) => n === 'order id'),
  };
  const missing = Object.entries(at).filter(([key, i]) => i === -1 && key !== 'autoFx');
  if (missing.length > 0) {
    b.problem(header.line, `the header lacks ${missing.map(([key]) => key).join(', ')}`);
    return;
  }
  for (const { line, cells, date } of datedRecords(b, header, records)) {
    let readable = true;
    const number = (field: string, i: number, needed: boolean): string | null => {
      const text = i === -1 ? '' : (cells[i] ?? '');
      if (text === '') {
        if (needed) {
          b.problem(line, `needs ${names[i] || field}`, field);
          readable = false;
        }
        return null;
      }
      const value = europeanNumber(text);
      if (value === null) {
        b.problem(line, `"${text}" is not a number such as -79,35`, field);
        readable = false;
      }
      return value;
    };
    const quantity = number('quantity', at.quantity, true);
    const price = number('price', at.price, true);
    const fees = number('fee', at.fees, false);
    const autoFx = number('fee', at.autoFx, false);
    if (!readable || quantity === null || price === null) continue;
    if (isZero(quantity)) {
      b.problem(line, 'a trade of 0 shares', 'quantity');
      continue;
    }
    const currency = currencyAt(names, cells, at.price);
    let fee = new Decimal(0);
    for (const [value, i] of [
      [fees, at.fees],
      [autoFx, at.autoFx],
    ] as const) {
      if (value === null || isZero(value)) continue;
      const feeCurrency = currencyAt(names, cells, i) || currency;
      let amount = new Decimal(magnitude(value));
      if (feeCurrency !== currency) {
        // DEGIRO's rate is units of the price's currency per unit of the account's.
        const rate = europeanNumber(cells[at.rate] ?? '');
        if (rate === null || isZero(rate)) {
          b.problem(line, `the fee is in ${feeCurrency} and the row has no exchange rate to ${currency}`, 'fee');
          readable = false;
          break;
        }
        amount = amount.times(rate);
      }
      fee = fee.plus(amount);
    }
    if (!readable) continue;
    b.transaction(line, cells[at.orderId] || null, {
      date,
      type: isNegative(quantity) ? 'SELL' : 'BUY',
      symbol: cells[3] ?? '',
      quantity: magnitude(quantity),
      price: magnitude(price),
      ...(fee.isZero() ? {} : { fee: decimalText(fee) }),
      currency,
      notes: cells[2] || undefined,
    });
  }
}

// ---------------------------------------------------------------------------------- Account statement

type Entry =
  | { kind: 'trade'; type: 'BUY' | 'SELL'; quantity: string; price: string; currency: string }
  | { kind: 'fee' }
  | { kind: 'fxDebit' }
  | { kind: 'fxCredit' }
  | { kind: 'dividend' }
  | { kind: 'withholding' }
  | { kind: 'deposit' }
  | { kind: 'withdrawal' }
  | { kind: 'interest' }
  | { kind: 'connectionFee' }
  /** Cash moved between DEGIRO's account and the flatex bank account (both the user's), or a reservation undone later. */
  | { kind: 'internal' };

const TRADE = /^(koop|buy|verkoop|sell)\s+(\d+(?:[.,]\d+)?)\s+(?:[^@]*?)@\s*(\d+(?:[.,]\d+)?)\s+([A-Za-z]{3})\b/i;

function entryOf(description: string): Entry | null {
  const text = description.trim();
  const lower = text.toLowerCase();
  const trade = TRADE.exec(text);
  if (trade) {
    const quantity = europeanNumber(trade[2]!);
    const price = europeanNumber(trade[3]!);
    if (quantity === null || price === null) return null;
    const type = /^(koop|buy)$/i.test(trade[1]!) ? 'BUY' : 'SELL';
    return { kind: 'trade', type, quantity, price, currency: trade[4]!.toUpperCase() };
  }
  if (lower.startsWith('degiro transactiekosten') || lower.startsWith('degiro transaction') || lower.startsWith('transactiekosten'))
    return { kind: 'fee' };
  if (lower === 'valuta debitering' || lower === 'fx debit' || lower === 'fx withdrawal') return { kind: 'fxDebit' };
  if (lower === 'valuta creditering' || lower === 'fx credit' || lower === 'fx deposit') return { kind: 'fxCredit' };
  if (lower === 'dividend') return { kind: 'dividend' };
  if (lower === 'dividendbelasting' || lower === 'dividend tax') return { kind: 'withholding' };
  if (['ideal deposit', 'ideal storting', 'storting', 'deposit', 'flatex storting', 'flatex deposit', 'sofort deposit'].includes(lower))
    return { kind: 'deposit' };
  if (['terugstorting', 'withdrawal', 'flatex terugstorting', 'flatex withdrawal'].includes(lower)) return { kind: 'withdrawal' };
  if (['rente', 'interest', 'flatex interest', 'flatex interest income', 'degiro interest'].includes(lower)) return { kind: 'interest' };
  if (
    lower.startsWith('degiro aansluitingskosten') ||
    lower.startsWith('degiro exchange connection fee') ||
    lower.startsWith('degiro connection fee')
  )
    return { kind: 'connectionFee' };
  if (
    lower === 'degiro cash sweep transfer' ||
    lower.startsWith('overboeking van uw geldrekening') ||
    lower.startsWith('overboeking naar uw geldrekening') ||
    lower.startsWith('transfer from your cash account') ||
    lower.startsWith('transfer to your cash account') ||
    lower.startsWith('reservation ideal') ||
    lower.startsWith('reservering ideal')
  )
    return { kind: 'internal' };
  return null;
}

interface AccountRow {
  line: number;
  date: string;
  time: string;
  product: string;
  isin: string;
  description: string;
  fx: string;
  currency: string;
  amount: string;
  orderId: string;
  entry: Entry;
}

function readAccount(b: FileBuilder, header: CsvLine, records: readonly CsvLine[]): void {
  const names = header.cells;
  const change = findColumn(names, (n) => n === 'mutatie' || n === 'change');
  const orderColumn = findColumn(names, (n) => n === 'order id');
  if (change === -1 || orderColumn === -1) {
    b.problem(header.line, `the header lacks ${change === -1 ? 'Mutatie (Change)' : 'Order Id'}`);
    return;
  }
  // A long Order Id wraps onto a line of its own with no date: it belongs to the line before.
  const joined: CsvLine[] = [];
  for (const record of records) {
    const previous = joined[joined.length - 1];
    if ((record.cells[0] ?? '') === '' && previous && record.cells.some((cell) => cell !== '')) {
      const rest = record.cells.filter((cell) => cell !== '').join('');
      const cells = [...previous.cells];
      cells[orderColumn] = `${cells[orderColumn] ?? ''}${rest}`;
      joined[joined.length - 1] = { line: previous.line, cells };
    } else joined.push(record);
  }

  const rows: AccountRow[] = [];
  for (const { line, cells, date } of datedRecords(b, header, joined)) {
    const description = cells[5] ?? '';
    const amountText = cells[change + 1] ?? '';
    // A line without an amount only tells (a transfer announced, a product's name).
    if (amountText === '') continue;
    const entry = entryOf(description);
    if (!entry) {
      b.problem(line, `unknown description "${description}"`, 'type');
      continue;
    }
    if (entry.kind === 'internal') continue;
    const amount = europeanNumber(amountText);
    if (amount === null) {
      b.problem(line, `"${amountText}" is not a number such as -79,35`, 'amount');
      continue;
    }
    rows.push({
      line,
      date,
      time: cells[1] ?? '',
      product: cells[3] ?? '',
      isin: cells[4] ?? '',
      description,
      fx: cells[6] ?? '',
      currency: cells[change] ?? '',
      amount,
      orderId: cells[orderColumn] ?? '',
      entry,
    });
  }

  // Rows of one order (its trade, fees and currency legs) are read together.
  const byOrder = new Map<string, AccountRow[]>();
  for (const row of rows) {
    if (row.orderId === '') continue;
    const order = byOrder.get(row.orderId);
    if (order) order.push(row);
    else byOrder.set(row.orderId, [row]);
  }
  const used = new Set<AccountRow>();
  const unpairedFx = new Map<string, AccountRow>();

  // Trades first, so each claims its order's fees wherever they are listed.
  const tradesFirst = [...rows.filter((r) => r.entry.kind === 'trade'), ...rows.filter((r) => r.entry.kind !== 'trade')];
  for (const row of tradesFirst) {
    if (used.has(row)) continue;
    const { entry } = row;
    const fields = { date: row.date, currency: row.currency, notes: row.product || row.description };
    switch (entry.kind) {
      case 'trade': {
        used.add(row);
        // The first trade of an order claims its costs lines (read once per order).
        const order = (row.orderId !== '' && byOrder.get(row.orderId)) || [];
        byOrder.delete(row.orderId);
        // The order's currency legs carry the rate (units of the trade's currency per unit of the fee's).
        const rateText = order.map((r) => europeanNumber(r.fx)).find((r) => r !== null && !isZero(r));
        let fee = new Decimal(0);
        for (const f of order) {
          if (f.entry.kind !== 'fee' || used.has(f)) continue;
          let amount = new Decimal(magnitude(f.amount));
          if (f.currency !== entry.currency) {
            if (!rateText) continue; // left for its own FEE row below
            amount = amount.times(rateText);
          }
          used.add(f);
          fee = fee.plus(amount);
        }
        b.transaction(row.line, row.orderId || null, {
          date: row.date,
          type: entry.type,
          symbol: row.isin,
          quantity: entry.quantity,
          price: entry.price,
          ...(fee.isZero() ? {} : { fee: decimalText(fee) }),
          currency: entry.currency,
          notes: row.product || undefined,
        });
        break;
      }
      case 'fee':
      case 'connectionFee':
        used.add(row);
        if (!isNegative(row.amount))
          b.problem(row.line, `"${row.description}" pays money in: a refund of a fee has no transaction type here`, 'amount');
        else
          b.transaction(row.line, row.orderId ? `${row.orderId}:fee` : null, {
            ...fields,
            type: 'FEE',
            amount: magnitude(row.amount),
            notes: row.description,
          });
        break;
      case 'fxDebit':
      case 'fxCredit': {
        used.add(row);
        const key = row.orderId || `${row.date} ${row.time}`;
        const other = unpairedFx.get(key);
        if (!other || other.entry.kind === entry.kind) {
          unpairedFx.set(key, row);
          break;
        }
        unpairedFx.delete(key);
        const [debit, credit] = entry.kind === 'fxDebit' ? [row, other] : [other, row];
        const first = debit.line < credit.line ? debit : credit;
        b.transaction(first.line, row.orderId ? `${row.orderId}:fx` : null, {
          date: first.date,
          type: 'CONVERSION',
          amount: magnitude(debit.amount),
          currency: debit.currency,
          toAmount: magnitude(credit.amount),
          toCurrency: credit.currency,
        });
        break;
      }
      case 'dividend':
        used.add(row);
        if (isNegative(row.amount))
          b.problem(row.line, `"${row.description}" takes money out: a reversed dividend has no transaction type here`, 'amount');
        else b.transaction(row.line, null, { ...fields, type: 'DIVIDEND', symbol: row.isin, amount: row.amount });
        break;
      case 'withholding':
        used.add(row);
        b.add({
          kind: 'withholding',
          row: row.line,
          externalId: null,
          date: row.date,
          symbol: row.isin || null,
          currency: row.currency,
          amount: new Decimal(row.amount).negated(),
          notes: row.description,
        });
        break;
      case 'deposit':
      case 'withdrawal':
      case 'interest': {
        used.add(row);
        const type =
          entry.kind === 'interest'
            ? isNegative(row.amount)
              ? 'FEE'
              : 'INTEREST'
            : isNegative(row.amount) === (entry.kind === 'withdrawal')
              ? entry.kind === 'deposit'
                ? 'DEPOSIT'
                : 'WITHDRAWAL'
              : null;
        if (type === null || isZero(row.amount))
          b.problem(row.line, `"${row.description}" of ${row.amount}: the sign does not fit`, 'amount');
        else b.transaction(row.line, null, { ...fields, type, amount: magnitude(row.amount), notes: row.description });
        break;
      }
    }
  }
  for (const row of unpairedFx.values())
    b.problem(row.line, `"${row.description}" without the other side of its currency exchange`, 'type');
}

export const degiro: BrokerFormat = {
  detect(text) {
    const [first] = firstLines(text, 1);
    if (first === undefined) return false;
    const names = headerNames(first);
    return [...TRANSACTIONS_START, ...ACCOUNT_START].some((start) => startsWith(names, start));
  },
  read(text) {
    const b = new FileBuilder('newestFirst');
    const lines = csvRecords(b, text);
    if (!lines) return b.finish();
    const [header, ...records] = lines;
    if (header && ACCOUNT_START.some((start) => startsWith(header.cells, start))) readAccount(b, header, records);
    else if (header && TRANSACTIONS_START.some((start) => startsWith(header.cells, start))) readTransactions(b, header, records);
    else b.problem(header?.line ?? 1, 'no DEGIRO header (Date,Time,Product,ISIN,... or Datum,Tijd,Valutadatum,Product,ISIN,...)');
    return b.finish();
  },
};
