/**
 * The one way a ledger leaves PostgreSQL: `ledgerText` aggregates a portfolio's transactions, in
 * ledger order (date, then as recorded), into ONE text of one line per transaction, and
 * `decodeLedger` turns it into rows. The replay (./ledger-service.ts) and the analytics' read
 * model (src/analytics/read-model.ts, through the ledger's door) both read it so.
 *
 * Why a delimited text rather than JSON: for 100,000 transactions PostgreSQL builds it about
 * twice as fast as json_agg(json_build_array(...)) (no JSON quoting or escaping per cell), and
 * splitting it is several times cheaper than JSON.parse of the same rows. No cell can hold the
 * separators: ids and lot ids are UUIDs, dates YYYY-MM-DD, decimals plain digits, types and
 * currencies codes, and symbols only letters, digits and . _ - = ^ (src/platform/symbols.ts);
 * a line that does not split into its cells is refused rather than misread.
 */
import { Prisma } from '../platform/db.js';
import { COST_BASIS_METHODS, TRANSACTION_TYPES, type CostBasisMethod, type TransactionType } from './core/engine.js';

/** One transaction as read from the ledger text, its decimals as `D`. */
export interface LedgerRowOf<D> {
  /** Empty when read with `ids: false`. */
  id: string;
  type: TransactionType;
  /** YYYY-MM-DD */
  date: string;
  symbol: string | null;
  quantity: D | null;
  price: D | null;
  amount: D;
  fee: D;
  currency: string;
  /** null: the transaction has no rate of its own (a migrated investment in a foreign currency). */
  fxRate: D | null;
  splitFrom: D | null;
  splitTo: D | null;
  /** CONVERSION: what arrives, in `toCurrency` (absent: null). */
  toAmount?: D | null;
  toCurrency?: string | null;
  /** SELL / TRANSFER_OUT: the method that chose its lots when it was recorded (absent: null). */
  costBasisMethod?: CostBasisMethod | null;
  /** SELL / TRANSFER_OUT: the lots it names, in order; null when none. */
  lotIds: string[] | null;
}

/** Decimals as exact text, trailing zeros trimmed ("12", "170.72"). */
export type LedgerRow = LedgerRowOf<string>;

const CELL = '|';
const LINE = '\n';
const CELLS = 16;

/**
 * The aggregate over `alias` (a `transactions` row alias in the caller's FROM): the ledger text,
 * NULL for no rows. NULL cells are empty (no non-null cell is empty: symbols and decimals never
 * are), lot ids are joined by spaces. With `ids: false` the id and lot-id cells are left empty
 * (readers that never name a transaction, such as the analytics: a third less text to build).
 */
export function ledgerText(alias: string, { ids = true }: { ids?: boolean } = {}): Prisma.Sql {
  const t = Prisma.raw(alias);
  const id = ids ? Prisma.sql`${t}.id` : Prisma.sql`''`;
  const lotIds = ids ? Prisma.sql`array_to_string(${t}.lot_ids, ' ')` : Prisma.sql`''`;
  return Prisma.sql`string_agg(concat(${id}, '|', ${t}.type, '|', to_char(${t}.date, 'YYYY-MM-DD'), '|', ${t}.symbol, '|',
      trim_scale(${t}.quantity), '|', trim_scale(${t}.price), '|', trim_scale(${t}.amount), '|', trim_scale(${t}.fee), '|',
      ${t}.currency, '|', trim_scale(${t}.fx_rate), '|', trim_scale(${t}.split_from), '|', trim_scale(${t}.split_to), '|',
      trim_scale(${t}.to_amount), '|', ${t}.to_currency, '|', ${t}.cost_basis_method, '|', ${lotIds}), E'\\n' ORDER BY ${t}.date, ${t}.created_at, ${t}.id)`;
}

/** A decimal cell text[start, end) as `D`; an empty cell (start === end) is null. */
export type DecimalCell<D> = (text: string, start: number, end: number) => D | null;

const textCell: DecimalCell<string> = (text, start, end) => (start === end ? null : text.slice(start, end));

/**
 * The rows of a ledger text (null or empty: no transactions), in its order; decimals as exact
 * text, or as `decimal` reads them (the replay reads them straight into fixed point, without a
 * string per cell: see fixedPointAt). Cells are found by scanning, not split into arrays; a
 * date, symbol or currency equal to the previous row's is that same string.
 */
export function decodeLedger(text: string | null): LedgerRow[];
export function decodeLedger<D>(text: string | null, decimal: DecimalCell<D>): Array<LedgerRowOf<D>>;
export function decodeLedger<D>(text: string | null, decimal?: DecimalCell<D>): Array<LedgerRowOf<D>> {
  if (!text) return [];
  const read = (decimal ?? textCell) as DecimalCell<D>;
  const rows: Array<LedgerRowOf<D>> = [];
  let date = '';
  let symbol = '';
  let currency = '';
  let at = 0;
  let lineEnd = 0;
  /** Where the cell starting at `at` ends (its separator), on this line. */
  const cellEnd = (): number => {
    const end = text.indexOf(CELL, at);
    if (end < 0 || end > lineEnd) throw new Error(`ledger text: a line of fewer than ${CELLS} cells`);
    return end;
  };
  /** The next decimal cell, read. */
  const decimalCell = (): D | null => {
    const end = cellEnd();
    const value = read(text, at, end);
    at = end + 1;
    return value;
  };
  /** The next cell: `previous` again when it holds the same text. */
  const repeatedCell = (previous: string): string => {
    const end = cellEnd();
    const value = end - at === previous.length && text.startsWith(previous, at) ? previous : text.slice(at, end);
    at = end + 1;
    return value;
  };
  while (at <= text.length) {
    lineEnd = text.indexOf(LINE, at);
    if (lineEnd < 0) lineEnd = text.length;
    let end = cellEnd();
    const id = text.slice(at, end);
    at = end + 1;
    end = cellEnd();
    const type = typeAt(text, at, end);
    at = end + 1;
    date = repeatedCell(date);
    end = cellEnd();
    const rowSymbol = at === end ? null : (symbol = repeatedCell(symbol));
    if (rowSymbol === null) at = end + 1;
    const quantity = decimalCell();
    const price = decimalCell();
    const amount = decimalCell();
    const fee = decimalCell();
    currency = repeatedCell(currency);
    const fxRate = decimalCell();
    const splitFrom = decimalCell();
    const splitTo = decimalCell();
    const toAmount = decimalCell();
    end = cellEnd();
    const toCurrency = at === end ? null : text.slice(at, end);
    at = end + 1;
    end = cellEnd();
    const costBasisMethod = at === end ? null : methodAt(text, at, end);
    at = end + 1;
    const more = text.indexOf(CELL, at);
    if (more >= 0 && more < lineEnd) throw new Error(`ledger text: a line of more than ${CELLS} cells`);
    if (amount === null || fee === null) throw new Error(`ledger text: transaction ${id} without amount or fee`);
    const lotIds = at === lineEnd ? null : text.slice(at, lineEnd).split(' ');
    rows.push({
      id,
      type,
      date,
      symbol: rowSymbol,
      quantity,
      price,
      amount,
      fee,
      currency,
      fxRate,
      splitFrom,
      splitTo,
      toAmount,
      toCurrency,
      costBasisMethod,
      lotIds,
    });
    at = lineEnd + 1;
  }
  return rows;
}

function methodAt(text: string, start: number, end: number): CostBasisMethod {
  for (const method of COST_BASIS_METHODS) if (method.length === end - start && text.startsWith(method, start)) return method;
  throw new Error(`ledger text: unknown cost basis method ${text.slice(start, end)}`);
}

function typeAt(text: string, start: number, end: number): TransactionType {
  for (const type of TRANSACTION_TYPES) if (type.length === end - start && text.startsWith(type, start)) return type;
  throw new Error(`ledger text: unknown transaction type ${text.slice(start, end)}`);
}
