/**
 * importTransactions: a transaction file added to an existing portfolio (docs/import-export.md),
 * all or nothing, with a dry run, and idempotent. Each row gets an import key: the broker's id
 * (`externalId`) when the file has one, else a digest of its content (date, type, symbol,
 * quantity, price, amount, fee, currency) with its position among identical rows of the file
 * (two identical rows are two trades: keys …#1 and …#2). A row whose key the portfolio already
 * has is skipped and counted; the rest are checked with recordTransaction's rules, inserted in one
 * statement, and the portfolio's whole ledger is replayed with them before anything is committed.
 */
import { assertStorageRoom } from './storage-cap.js';
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Transaction } from '../generated/prisma/client.js';
import { Prisma, type Db } from '../platform/db.js';
import { badInput, notFound, Problems, type FieldProblem } from '../platform/errors.js';
import { normalizeSymbol } from '../platform/symbols.js';
import { recordActivity, type Actor } from '../portfolios/index.js';
import { resolveAssets } from './assets.js';
import { sameCurrencyRate } from './validation.js';
import { BROKER_READERS, BROKER_FORMAT_NAMES, type BrokerFormatName } from './broker-formats/index.js';
import { parseCsvFile, unprotectCell } from './csv.js';
import { replay, TRANSACTION_TYPES } from './core/engine.js';
import { decodeLedger, ledgerText } from './rows.js';
import { fixedPointAt, UNIT } from './core/fixed.js';
import {
  csvLotIds,
  insertTransactions,
  planTransactions,
  readTransaction,
  resolveRates,
  TRANSACTION_CSV_COLUMNS,
  type PlannedTransaction,
  type RateOfDate,
  type RawTransaction,
} from './transaction-file.js';

export const TRANSACTION_FILE_FORMATS = ['AUTO', 'FOLIOGRAPH_CSV', 'FOLIOGRAPH_JSON', ...BROKER_FORMAT_NAMES] as const;
export type TransactionFileFormat = (typeof TRANSACTION_FILE_FORMATS)[number];
type ResolvedFormat = Exclude<TransactionFileFormat, 'AUTO'>;

/** A year of a busy account's fills fits many times over; bounded so one request cannot hold the server. */
export const TRANSACTION_IMPORT_MAX_BYTES = 32 * 1024 * 1024;
export const TRANSACTION_IMPORT_MAX_ROWS = 200_000;
const LEDGER_TYPES = new Set<string>(TRANSACTION_TYPES);
/** Our CSV's columns, and the broker's id. */
const CSV_COLUMNS: readonly string[] = [...TRANSACTION_CSV_COLUMNS, 'externalId'];

export interface TransactionImportRequest {
  data: string;
  format: TransactionFileFormat;
  dryRun?: boolean | null;
}

export interface TransactionImportOutcome {
  format: ResolvedFormat;
  added: number;
  skipped: number;
  transactions: Transaction[];
}

/** A problem of the file, named by its row (a CSV line, an XML element's line, a JSON entry) and field. */
export interface RowProblem extends FieldProblem {
  row: number | null;
}

/** AUTO: a broker's file by its own header or root element first, then our JSON, else our CSV. */
export function resolveFormat(format: TransactionFileFormat, data: string): ResolvedFormat {
  if (format !== 'AUTO') return format;
  const broker = BROKER_READERS.detect(data);
  if (broker) return broker;
  return /^\s*[[{]/.test(data) ? 'FOLIOGRAPH_JSON' : 'FOLIOGRAPH_CSV';
}

interface ReadFile {
  raws: RawTransaction[];
  problems: RowProblem[];
}

function readOwnCsv(data: string): ReadFile {
  const file: ReadFile = { raws: [], problems: [] };
  const records = parseCsvFile(data, file.problems);
  if (!records) return file;
  const [header, ...body] = records;
  if (!header) {
    file.problems.push({ row: null, field: 'data', message: `the file is empty; expected a header row: ${CSV_COLUMNS.join(',')}` });
    return file;
  }
  const columns = header.cells.map((cell) => CSV_COLUMNS.find((c) => c.toLowerCase() === cell.trim().toLowerCase()));
  header.cells.forEach((cell, i) => {
    if (!columns[i])
      file.problems.push({ row: header.line, field: 'header', message: `unknown column "${cell}" (columns: ${CSV_COLUMNS.join(', ')})` });
  });
  for (const required of ['date', 'type']) {
    if (!columns.includes(required)) file.problems.push({ row: header.line, field: 'header', message: `missing column "${required}"` });
  }
  if (file.problems.length > 0) return file;
  for (const record of body) {
    if (record.cells.length !== columns.length) {
      const problems = new Problems();
      problems.add('data', `expected ${columns.length} cells, found ${record.cells.length}`);
      file.raws.push({ row: record.line, fileId: null, input: null, problems });
      continue;
    }
    const source: Record<string, string> = {};
    columns.forEach((column, i) => (source[column!] = unprotectCell((record.cells[i] ?? '').trim())));
    file.raws.push(readTransaction(record.line, source, csvLotIds));
  }
  return file;
}

function readOwnJson(data: string): ReadFile {
  const file: ReadFile = { raws: [], problems: [] };
  let document: unknown;
  try {
    document = JSON.parse(data);
  } catch (error) {
    file.problems.push({ row: null, field: 'data', message: `not valid JSON: ${(error as Error).message}` });
    return file;
  }
  // Our portfolio file (version 2: { transactions: [...] }) or a bare list of transactions.
  const list = Array.isArray(document) ? document : (document as { transactions?: unknown } | null)?.transactions;
  if (!Array.isArray(list)) {
    file.problems.push({
      row: null,
      field: 'transactions',
      message: 'expected a list of transactions, or an object with one (see docs/import-export.md)',
    });
    return file;
  }
  list.forEach((item: unknown, i) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      file.raws.push(readTransaction(i + 1, item as Record<string, unknown>, (value) => value));
    } else {
      const problems = new Problems();
      problems.add('transaction', 'must be an object');
      file.raws.push({ row: i + 1, fileId: null, input: null, problems });
    }
  });
  return file;
}

function readFile(format: ResolvedFormat, data: string): ReadFile {
  if (format === 'FOLIOGRAPH_CSV') return readOwnCsv(data);
  if (format === 'FOLIOGRAPH_JSON') return readOwnJson(data);
  const broker = BROKER_READERS.read(format as BrokerFormatName, data)!;
  const file: ReadFile = { raws: [], problems: [] };
  // A row the reader could not map (an unknown action) is named with its problem, never skipped.
  for (const problem of broker.problems) file.problems.push({ row: problem.row, field: problem.field ?? 'data', message: problem.message });
  for (const row of broker.rows) {
    if (!LEDGER_TYPES.has(row.fields.type ?? '')) {
      // An FX trade (CONVERSION) until the ledger records them: named, never dropped unseen.
      const problems = new Problems();
      problems.add('type', `${row.fields.type} (an FX trade) is not yet supported; remove the row to import the rest`);
      file.raws.push({ row: row.row, fileId: null, externalId: row.externalId, input: null, problems });
      continue;
    }
    const raw = readTransaction(row.row, row.fields, csvLotIds);
    raw.externalId = row.externalId;
    file.raws.push(raw);
  }
  return file;
}

/** The import key of a broker's id (also what recordTransaction stores with an externalId). */
export function externalImportKey(externalId: string): string {
  return `x:${createHash('sha256').update(externalId).digest('hex').slice(0, 64)}`;
}

/** The keys rows are skipped by: the broker's id, else content + position among identical rows. */
function assignImportKeys(planned: PlannedTransaction[]): void {
  const seen = new Map<string, number>();
  const text = (value: string | null) => (value === null ? '' : new Decimal(value).toFixed());
  for (const p of planned) {
    if (p.externalId !== null) {
      p.importKey = externalImportKey(p.externalId);
      continue;
    }
    const c = p.checked;
    const content = [c.dateText, c.type, c.symbol ?? '', text(c.quantity), text(c.price), text(c.amount), text(c.fee), p.currency].join(
      '|',
    );
    const occurrence = (seen.get(content) ?? 0) + 1;
    seen.set(content, occurrence);
    p.importKey = `c:${createHash('sha256').update(content).digest('hex').slice(0, 64)}#${occurrence}`;
  }
}

/** Thrown inside a dry run's database transaction to roll it back with what it found. */
class DryRunDone extends Error {
  constructor(readonly outcome: TransactionImportOutcome) {
    super('dry run');
  }
}

/** BAD_USER_INPUT with every problem, each carrying its row (as importPortfolio's do). */
function refuse(problems: RowProblem[]): never {
  const first = problems[0]!;
  const where = first.row === null ? first.field : `row ${first.row}, ${first.field}`;
  throw badInput(problems, `The file has ${problems.length} problem(s); nothing was imported (${where}: ${first.message})`);
}

export async function importTransactions(
  db: Db,
  actor: Actor,
  portfolioId: string,
  request: TransactionImportRequest,
  storageLimit: number,
  rateOf: RateOfDate,
): Promise<TransactionImportOutcome> {
  const portfolio = await db.portfolio.findUnique({
    where: { id: portfolioId },
    select: { ownerId: true, baseCurrency: true, costBasisMethod: true },
  });
  if (!portfolio) throw notFound('Portfolio');
  if (Buffer.byteLength(request.data, 'utf8') > TRANSACTION_IMPORT_MAX_BYTES) {
    refuse([{ row: null, field: 'data', message: `at most ${TRANSACTION_IMPORT_MAX_BYTES / 1024 / 1024} MiB per import` }]);
  }
  const format = resolveFormat(request.format, request.data);
  const file = readFile(format, request.data);
  if (file.raws.length > TRANSACTION_IMPORT_MAX_ROWS) {
    refuse([
      {
        row: null,
        field: 'data',
        message: `at most ${TRANSACTION_IMPORT_MAX_ROWS} transactions per import (this file has ${file.raws.length})`,
      },
    ]);
  }
  const seenIds = new Map<string, number>();
  for (const raw of file.raws) {
    if (!raw.externalId) continue;
    const earlier = seenIds.get(raw.externalId);
    if (earlier !== undefined) raw.problems.add('externalId', `${raw.externalId} is the id of row ${earlier} too`);
    else seenIds.set(raw.externalId, raw.row);
  }
  const symbols = [...new Set(file.raws.flatMap((r) => (r.input?.symbol ? [normalizeSymbol(r.input.symbol)] : [])))];
  const assets = await resolveAssets(db, portfolio.ownerId, symbols);
  const planned = planTransactions(file.raws, assets, portfolio.baseCurrency, portfolio.costBasisMethod, false);
  const rowProblems = (): RowProblem[] => [
    ...file.problems,
    ...file.raws.flatMap((raw) => raw.problems.list.map((p) => ({ row: raw.row, ...p }))),
  ];
  if (rowProblems().length > 0) refuse(rowProblems());
  assignImportKeys(planned);

  const run = async (tx: Prisma.TransactionClient): Promise<TransactionImportOutcome> => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM portfolios WHERE id = ${portfolioId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound('Portfolio');
    const keys = planned.map((p) => p.importKey!);
    const existing = await tx.$queryRaw<{ import_key: string }[]>`
      SELECT import_key FROM transactions WHERE portfolio_id = ${portfolioId}::uuid AND import_key = ANY(${keys}::text[])`;
    const known = new Set(existing.map((r) => r.import_key));
    const fresh = planned.filter((p) => !known.has(p.importKey!));
    // The base currency (or its minor unit) needs no look-up: most rows of most files.
    for (const p of fresh) {
      const rate = p.checked.fxRate === null ? sameCurrencyRate(p.currency, portfolio.baseCurrency) : null;
      if (rate !== null) p.checked = { ...p.checked, fxRate: rate };
    }
    await resolveRates(fresh, file.raws, portfolio.baseCurrency, rateOf);
    if (rowProblems().length > 0) refuse(rowProblems());
    await assertStorageRoom(tx, portfolioId, fresh.length, storageLimit);
    await insertTransactions(tx, portfolioId, fresh);
    if (fresh.length > 0) await assertJoinedLedgerHolds(tx, portfolioId, portfolio.costBasisMethod, fresh);
    const transactions = fresh.length
      ? await tx.transaction.findMany({
          where: { portfolioId, importKey: { in: fresh.map((p) => p.importKey!) } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        })
      : [];
    if (fresh.length > 0 && !request.dryRun) {
      await recordActivity(tx, actor, portfolioId, 'TRANSACTIONS_IMPORTED', {
        format,
        added: fresh.length,
        skipped: planned.length - fresh.length,
      });
    }
    return { format, added: fresh.length, skipped: planned.length - fresh.length, transactions };
  };
  try {
    return await db.$transaction(
      async (tx) => {
        const outcome = await run(tx);
        if (request.dryRun) throw new DryRunDone(outcome);
        return outcome;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  } catch (error) {
    if (error instanceof DryRunDone) return error.outcome;
    throw error;
  }
}

/**
 * The portfolio's whole ledger replayed with the new rows in it (the symbols they touch): a SELL
 * of the file that sells more than is held, or a later stored SELL the file's rows would break,
 * refuses the import, named by the file's row (or the stored transaction).
 */
async function assertJoinedLedgerHolds(
  tx: Prisma.TransactionClient,
  portfolioId: string,
  method: 'FIFO' | 'LIFO' | 'HIFO' | 'AVERAGE',
  fresh: readonly PlannedTransaction[],
): Promise<void> {
  const symbols = [...new Set(fresh.flatMap((p) => (p.checked.symbol ? [p.checked.symbol] : [])))];
  if (symbols.length === 0) return;
  const [result] = await tx.$queryRaw<Array<{ ledger: string | null }>>`
    SELECT ${ledgerText('t')} AS ledger FROM transactions t WHERE t.portfolio_id = ${portfolioId}::uuid AND t.symbol = ANY(${symbols}::text[])`;
  const rows = decodeLedger(result?.ledger ?? null, fixedPointAt);
  for (const row of rows) row.fxRate = UNIT; // rates do not decide whether a ledger holds
  const state = replay(rows as Parameters<typeof replay>[0], { method });
  if (state.problems.length === 0) return;
  const rowOf = new Map(fresh.map((p) => [p.id, p.row]));
  refuse(
    state.problems.map((problem) => {
      const row = rowOf.get(problem.transactionId);
      return row === undefined
        ? {
            row: null,
            field: problem.field,
            message: `the file would break transaction ${problem.transactionId}: its ${problem.field} ${problem.message}`,
          }
        : { row, field: problem.field, message: problem.message };
    }),
  );
}
