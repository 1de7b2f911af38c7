/**
 * The ledger in portfolio files (docs/import-export.md): transactions as JSON (version 2) and as
 * CSV with a `type` column, which is also the broker-style CSV (date, type, symbol, quantity,
 * price, fee, currency; the other columns optional). Reading turns each row into the input
 * `recordTransaction` takes and checks it with the same rules (./transaction-rules.ts); then the
 * whole ledger is replayed (./ledger/engine.ts) so a file that oversells, pays a dividend of what
 * it never held or names a lot that is not there is refused with the row that breaks, before
 * anything is written. Writing inserts every transaction in one statement, then the BUYs'
 * investments (same ids, as recordTransaction does).
 */
import { randomUUID } from 'node:crypto';
import type { Asset, Investment, Transaction } from '../generated/prisma/client.js';
import { AssetType } from '../generated/prisma/enums.js';
import { formatDate } from '../platform/dates.js';
import { Prisma } from '../platform/db.js';
import { Problems } from '../platform/errors.js';
import { COST_BASIS_METHODS, inLedgerOrder, replay, TRANSACTION_TYPES, type CostBasisMethod, type TransactionType } from './core/engine.js';
import { checkTransaction, noRateMessage, type CheckedTransaction, type TransactionInput } from './transaction-rules.js';
import { parseDateText, parseDecimalText } from './validation.js';

/** The columns a transaction CSV export writes (an import needs `date` and `type`; the rest are optional). */
export const TRANSACTION_CSV_COLUMNS = [
  'date',
  'type',
  'symbol',
  'quantity',
  'price',
  'amount',
  'fee',
  'currency',
  'fxRate',
  'splitFrom',
  'splitTo',
  'toAmount',
  'toCurrency',
  'costBasisMethod',
  'lotIds',
  'id',
  'notes',
  'name',
  'assetType',
  'sector',
] as const;
export type TransactionCsvColumn = (typeof TRANSACTION_CSV_COLUMNS)[number];
export const REQUIRED_TRANSACTION_CSV_COLUMNS = ['date', 'type'] as const;
/** A 20-year ledger fits (the file size limit applies too); the check replays them all. */
export const IMPORT_MAX_TRANSACTIONS = 20_000;
/** CSV: the lots a SELL names, separated by spaces (or semicolons). */
const LOT_ID_SEPARATOR = /[\s;]+/;

/** A BUY's investment as the file describes it (null fields: the asset's). */
export interface InvestmentDetails {
  name: string | null;
  type: AssetType | null;
  sector: string | null;
}

/** One transaction as read from a file, before the ledger rules. */
export interface RawTransaction {
  row: number;
  investment?: InvestmentDetails;
  /** The file's own id of the transaction (what other rows' lotIds name); null when it has none. */
  fileId: string | null;
  /** The broker's own id of the transaction (importTransactions); null when the file has none. */
  externalId?: string | null;
  /** Null when the row could not be read at all. */
  input: TransactionInput | null;
  /** A SELL's method as the file recorded it (null: the portfolio's). */
  costBasisMethod?: CostBasisMethod | null;
  problems: Problems;
}

/** A transaction ready to insert: its new id, its row, the checked columns. */
export interface PlannedTransaction {
  id: string;
  row: number;
  checked: CheckedTransaction;
  /** The asset's currency (or the base currency) when the row gives none. */
  currency: string;
  lotIds: string[];
  /** SELL / TRANSFER_OUT by a method: the one that closes its lots (the file's, else the portfolio's). */
  costBasisMethod: CostBasisMethod | null;
  investment: InvestmentDetails | null;
  externalId: string | null;
  /** What importTransactions skips the row by when it comes again (null: a portfolio file's row). */
  importKey: string | null;
}

const TYPES = new Set<string>(TRANSACTION_TYPES);

function optionalText(problems: Problems, field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && field !== 'notes') return String(value);
  problems.add(field, 'must be text');
  return null;
}

function optionalDecimal(problems: Problems, field: string, value: unknown) {
  return value === undefined || value === null || value === '' ? null : parseDecimalText(problems, field, value);
}

/** One transaction's cells (CSV) or properties (JSON), as recordTransaction's input. */
export function readTransaction(row: number, source: Record<string, unknown>, lotIdsOf: (value: unknown) => unknown): RawTransaction {
  const problems = new Problems();
  const typeText = optionalText(problems, 'type', source.type)?.trim().toUpperCase() ?? '';
  if (typeText === '') problems.add('type', 'is required');
  else if (!TYPES.has(typeText)) problems.add('type', `must be one of ${TRANSACTION_TYPES.join(', ')}`);
  const date = parseDateText(problems, 'date', source.date);
  const fileId = optionalText(problems, 'id', source.id)?.trim() || null;
  const externalId = optionalText(problems, 'externalId', source.externalId)?.trim() || null;
  if (externalId !== null && externalId.length > 255) problems.add('externalId', 'at most 255 characters');
  const rawLotIds = lotIdsOf(source.lotIds);
  let lotIds: string[] | null = null;
  if (rawLotIds !== undefined && rawLotIds !== null && rawLotIds !== '') {
    if (Array.isArray(rawLotIds) && rawLotIds.every((id) => typeof id === 'string')) lotIds = rawLotIds as string[];
    else problems.add('lotIds', 'must be a list of transaction ids of this file');
  }
  const input: TransactionInput = {
    type: typeText as TransactionType,
    date: date ?? '',
    symbol: optionalText(problems, 'symbol', source.symbol),
    quantity: optionalDecimal(problems, 'quantity', source.quantity),
    price: optionalDecimal(problems, 'price', source.price),
    amount: optionalDecimal(problems, 'amount', source.amount),
    fee: optionalDecimal(problems, 'fee', source.fee),
    currency: optionalText(problems, 'currency', source.currency),
    fxRate: optionalDecimal(problems, 'fxRate', source.fxRate),
    splitFrom: optionalDecimal(problems, 'splitFrom', source.splitFrom),
    splitTo: optionalDecimal(problems, 'splitTo', source.splitTo),
    lotIds,
    toAmount: optionalDecimal(problems, 'toAmount', source.toAmount),
    toCurrency: optionalText(problems, 'toCurrency', source.toCurrency),
    notes: optionalText(problems, 'notes', source.notes),
  };
  const investment = {
    name: optionalText(problems, 'name', source.name),
    type: assetTypeOf(problems, source.assetType),
    sector: optionalText(problems, 'sector', source.sector),
  };
  if (input.type !== 'BUY' && (investment.name !== null || investment.type !== null || investment.sector !== null)) {
    const field = investment.name !== null ? 'name' : investment.type !== null ? 'assetType' : 'sector';
    problems.add(field, 'describes the investment of a BUY only');
  }
  const methodText = optionalText(problems, 'costBasisMethod', source.costBasisMethod)?.trim().toUpperCase() ?? null;
  let costBasisMethod: CostBasisMethod | null = null;
  if (methodText !== null && methodText !== '') {
    if ((COST_BASIS_METHODS as readonly string[]).includes(methodText)) costBasisMethod = methodText as CostBasisMethod;
    else problems.add('costBasisMethod', `must be one of ${COST_BASIS_METHODS.join(', ')}`);
    if (typeText !== 'SELL' && typeText !== 'TRANSFER_OUT') problems.add('costBasisMethod', 'applies to a SELL or TRANSFER_OUT only');
  }
  // Without a type there is no rule to check the rest by; otherwise every field is checked.
  return { row, fileId, externalId, investment, input: TYPES.has(typeText) ? input : null, costBasisMethod, problems };
}

const ASSET_TYPES = new Set<string>(Object.values(AssetType));

function assetTypeOf(problems: Problems, value: unknown): AssetType | null {
  const text = optionalText(problems, 'assetType', value)?.trim().toUpperCase();
  if (!text) return null;
  if (ASSET_TYPES.has(text)) return text as AssetType;
  problems.add('assetType', `must be one of ${[...ASSET_TYPES].join(', ')}`);
  return null;
}

/** CSV cells: lotIds is one cell of ids separated by spaces or semicolons. */
export const csvLotIds = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().split(LOT_ID_SEPARATOR) : undefined;

/**
 * Checks every row with recordTransaction's rules, then replays the whole ledger by `method`:
 * every problem is added to its row's problems (rows in ledger order name the one that breaks).
 * File ids become new ids, and lotIds are mapped to them. `assets`: what symbols may name
 * (market assets, the importer's custom assets and those the file creates).
 */
export function planTransactions(
  raws: readonly RawTransaction[],
  assets: ReadonlyMap<string, Pick<Asset, 'currency'>>,
  baseCurrency: string,
  method: CostBasisMethod,
  replayFile = true,
): PlannedTransaction[] {
  const newIds = new Map<string, string>();
  const firstRow = new Map<string, number>();
  for (const raw of raws) {
    if (raw.fileId === null) continue;
    const earlier = firstRow.get(raw.fileId);
    if (earlier !== undefined) raw.problems.add('id', `${raw.fileId} is the id of row ${earlier} too`);
    else {
      firstRow.set(raw.fileId, raw.row);
      newIds.set(raw.fileId, randomUUID());
    }
  }
  const planned: PlannedTransaction[] = [];
  for (const raw of raws) {
    if (!raw.input) continue;
    // File ids are any text; the rule wants lot ids, so unknown ones are reported here.
    const unknown = (raw.input.lotIds ?? []).filter((id) => !newIds.has(id));
    if (unknown.length > 0) raw.problems.add('lotIds', `${unknown.join(', ')} is not the id of a transaction in this file`);
    const lotIds = (raw.input.lotIds ?? []).flatMap((id) => newIds.get(id) ?? []);
    // A field that could not be read has its problem already; the rules add the others.
    const ruled = new Problems();
    const checked = checkTransaction(ruled, { ...raw.input, lotIds }, assets);
    const unreadable = new Set(raw.problems.list.map((p) => p.field));
    for (const problem of ruled.list) if (!unreadable.has(problem.field)) raw.problems.add(problem.field, problem.message);
    if (!raw.problems.empty) continue;
    const asset = checked.symbol ? assets.get(checked.symbol) : undefined;
    const id = (raw.fileId !== null && firstRow.get(raw.fileId) === raw.row && newIds.get(raw.fileId)) || randomUUID();
    const currency = checked.currency ?? asset?.currency.trim() ?? baseCurrency;
    const byMethod = (checked.type === 'SELL' || checked.type === 'TRANSFER_OUT') && lotIds.length === 0;
    const costBasisMethod = byMethod ? (raw.costBasisMethod ?? method) : null;
    planned.push({
      id,
      row: raw.row,
      checked,
      currency,
      lotIds,
      costBasisMethod,
      investment: raw.investment ?? null,
      externalId: raw.externalId ?? null,
      importKey: null,
    });
  }
  // Row problems first; without replayFile the caller replays the rows with the ledger they join.
  if (planned.length !== raws.length || !replayFile) return planned;

  // The ledger as a whole; rates do not decide whether it holds (as assertLedgerHolds).
  const ordered = inLedgerOrder(planned.map((p) => ({ ...p, date: p.checked.dateText })));
  const state = replay(
    ordered.map((p) => ({
      id: p.id,
      type: p.checked.type,
      date: p.checked.dateText,
      symbol: p.checked.symbol,
      quantity: p.checked.quantity,
      price: p.checked.price,
      amount: p.checked.amount,
      fee: p.checked.fee,
      currency: p.currency,
      fxRate: '1',
      splitFrom: p.checked.splitFrom,
      splitTo: p.checked.splitTo,
      lotIds: p.lotIds.length > 0 ? p.lotIds : null,
      costBasisMethod: p.costBasisMethod,
      toAmount: p.checked.toAmount,
      toCurrency: p.checked.toCurrency,
    })),
    { method },
  );
  const rowOf = new Map(planned.map((p) => [p.id, p]));
  const rawOf = new Map(raws.map((raw) => [raw.row, raw]));
  for (const problem of state.problems) rawOf.get(rowOf.get(problem.transactionId)!.row)!.problems.add(problem.field, problem.message);
  return planned;
}

/** Units of base currency per unit of `currency` on `date` (market's FX door, fetching if need be); null when no rate is known. */
export type RateOfDate = (currency: string, baseCurrency: string, date: string) => Promise<string | null>;

/**
 * Gives every planned transaction without a rate of its own the rate of its date, as
 * recordTransaction does (so a file's cost is what recording the same rows costs), and adds
 * `fxRate` to the row's problems when no rate is known. One look-up per currency and date; each
 * currency's earliest date first, so its series is fetched once from there and the rest read it.
 */
export async function resolveRates(
  planned: PlannedTransaction[],
  raws: readonly RawTransaction[],
  baseCurrency: string,
  rateOf: RateOfDate,
): Promise<void> {
  const missing = planned.filter((p) => p.checked.fxRate === null);
  const datesOf = new Map<string, Set<string>>();
  for (const p of missing) {
    const dates = datesOf.get(p.currency) ?? new Set<string>();
    dates.add(p.checked.dateText);
    datesOf.set(p.currency, dates);
  }
  const rates = new Map<string, string | null>();
  await Promise.all(
    [...datesOf].map(async ([currency, dates]) => {
      const [first, ...rest] = [...dates].sort();
      rates.set(`${currency}|${first}`, await rateOf(currency, baseCurrency, first!));
      await Promise.all(rest.map(async (date) => rates.set(`${currency}|${date}`, await rateOf(currency, baseCurrency, date))));
    }),
  );
  const rawOf = new Map(raws.map((raw) => [raw.row, raw]));
  for (const p of missing) {
    const rate = rates.get(`${p.currency}|${p.checked.dateText}`) ?? null;
    if (rate === null) rawOf.get(p.row)!.problems.add('fxRate', noRateMessage(p.currency, baseCurrency, p.checked.dateText));
    else p.checked = { ...p.checked, fxRate: rate };
  }
}

/**
 * Inserts the planned transactions in one statement, stamped a millisecond apart in file order
 * (transactions of one date apply in the order recorded); a BUY is its investment (the view).
 * Every rate is set (resolveRates);
 * the SQL default for one that is not is the base currency's own (1, or 1/100 for its minor unit).
 */
export async function insertTransactions(
  tx: Prisma.TransactionClient,
  portfolioId: string,
  planned: readonly PlannedTransaction[],
): Promise<void> {
  if (planned.length === 0) return;
  const start = Date.now() - planned.length;
  const column = <T>(pick: (p: PlannedTransaction) => T) => planned.map(pick);
  await tx.$executeRaw`
    INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate,
                              split_from, split_to, lot_ids, to_amount, to_currency, cost_basis_method, notes, external_id, import_key, created_at, updated_at)
    SELECT row.id, p.id, row.type, row.date, row.symbol, row.quantity, row.price, row.amount, row.fee, row.currency,
           coalesce(row.fx_rate, ledger_same_currency_rate(row.currency, p.base_currency::text)),
           row.split_from, row.split_to,
           CASE WHEN row.lot_ids = '' THEN ARRAY[]::uuid[] ELSE string_to_array(row.lot_ids, ',')::uuid[] END,
           row.to_amount, row.to_currency, row.cost_basis_method, row.notes, row.external_id, row.import_key, row.created_at, row.created_at
    FROM portfolios p, unnest(
      ${column((p) => p.id)}::uuid[],
      ${column((p) => p.checked.type)}::"TransactionType"[],
      ${column((p) => p.checked.dateText)}::date[],
      ${column((p) => p.checked.symbol)}::text[],
      ${column((p) => p.checked.quantity)}::numeric[],
      ${column((p) => p.checked.price)}::numeric[],
      ${column((p) => p.checked.amount)}::numeric[],
      ${column((p) => p.checked.fee)}::numeric[],
      ${column((p) => p.currency)}::text[],
      ${column((p) => p.checked.fxRate)}::numeric[],
      ${column((p) => p.checked.splitFrom)}::numeric[],
      ${column((p) => p.checked.splitTo)}::numeric[],
      ${column((p) => p.lotIds.join(','))}::text[],
      ${column((p) => p.checked.toAmount)}::numeric[],
      ${column((p) => p.checked.toCurrency)}::text[],
      ${column((p) => p.costBasisMethod)}::"CostBasisMethod"[],
      ${column((p) => p.checked.notes)}::text[],
      ${column((p) => p.externalId)}::text[],
      ${column((p) => p.importKey)}::text[],
      ${planned.map((_, i) => new Date(start + i).toISOString())}::timestamptz[]
    ) AS row(id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, split_from, split_to, lot_ids, to_amount, to_currency,
                 cost_basis_method, notes, external_id, import_key, created_at)
    WHERE p.id = ${portfolioId}::uuid`;
}

// ---------------------------------------------------------------------------------- export

/** A transaction as the export writes it (decimals exact, null when not set). */
export interface FileTransaction {
  id: string;
  date: string;
  type: TransactionType;
  symbol: string | null;
  quantity: string | null;
  price: string | null;
  /** Null for a cash transaction given per share (quantity × price): the import recomputes it. */
  amount: string | null;
  fee: string;
  currency: string;
  /** Null: none of its own (the rate of its date applies). */
  fxRate: string | null;
  splitFrom: string | null;
  splitTo: string | null;
  toAmount: string | null;
  toCurrency: string | null;
  costBasisMethod: CostBasisMethod | null;
  lotIds: string[];
  notes: string | null;
  /** A BUY's investment (null otherwise). */
  name: string | null;
  assetType: AssetType | null;
  sector: string | null;
}

const TRADE_TYPES = new Set<TransactionType>(['BUY', 'SELL', 'TRANSFER_IN', 'TRANSFER_OUT']);

/** `investment`: a BUY's investment (name, type and sector as the portfolio shows them). */
export function fileTransaction(t: Transaction, investment?: Pick<Investment, 'name' | 'type' | 'sector'>): FileTransaction {
  const text = (value: { toFixed(): string } | null) => (value === null ? null : value.toFixed());
  const perShare = !TRADE_TYPES.has(t.type) && t.quantity !== null && t.price !== null;
  return {
    id: t.id,
    date: formatDate(t.date),
    type: t.type,
    symbol: t.symbol,
    quantity: text(t.quantity),
    price: text(t.price),
    amount: t.type === 'SPLIT' || perShare ? null : t.amount.toFixed(),
    fee: t.fee.toFixed(),
    currency: t.currency,
    fxRate: text(t.fxRate),
    splitFrom: text(t.splitFrom),
    splitTo: text(t.splitTo),
    toAmount: text(t.toAmount),
    toCurrency: t.toCurrency,
    costBasisMethod: t.costBasisMethod,
    lotIds: t.lotIds,
    notes: t.notes,
    name: investment?.name ?? null,
    assetType: investment?.type ?? null,
    sector: investment?.sector ?? null,
  };
}

/** A transaction's CSV cells, in TRANSACTION_CSV_COLUMNS order (before formula protection). */
export function csvCells(t: FileTransaction): string[] {
  return TRANSACTION_CSV_COLUMNS.map((column) => {
    if (column === 'lotIds') return t.lotIds.join(' ');
    const value = t[column];
    return value ?? '';
  });
}
