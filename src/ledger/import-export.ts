/**
 * Portfolio files (docs/import-export.md has the formats): export a portfolio as JSON (version 2:
 * the portfolio, its ledger of transactions, and the owner's custom assets it holds with their
 * prices) or as CSV (the transactions, with a `type` column); import either, an older version 1
 * file (investments) or a broker-style transaction CSV into a new portfolio of the caller's
 * (the ledger rules: ./ledger-file.ts). An import is checked
 * in full before anything is written, then written in one transaction (all or nothing); a dry run
 * stops after the check and reports what would be created and every problem found.
 */
import { assertStorageRoom } from './storage-cap.js';
import type { Asset, Portfolio } from '../generated/prisma/client.js';
import { AssetType } from '../generated/prisma/enums.js';
import { formatDate } from '../platform/dates.js';
import { normalizeSymbol } from '../platform/symbols.js';
import { Prisma, type Db } from '../platform/db.js';
import { badInput, conflict, notFound, Problems, type FieldProblem } from '../platform/errors.js';
import { customAssetsWithCloses, insertCustomAsset } from '../market/index.js';
import { checkPortfolioInput, insertPortfolio, portfolioSnapshot, recordActivity, type Actor } from '../portfolios/index.js';
import {
  checkCustomAsset,
  checkPricePoints,
  resolveAssets,
  storeCustomPrices,
  type CheckedCustomAsset,
  type CheckedPricePoint,
  type PricePointInput,
} from './assets.js';
import { parseCsvFile, protectCell, toCsv, unprotectCell, type CsvRecord } from './csv.js';
import {
  csvCells,
  csvLotIds,
  fileTransaction,
  IMPORT_MAX_TRANSACTIONS,
  insertTransactions,
  planTransactions,
  resolveRates,
  type RateOfDate,
  readTransaction,
  REQUIRED_TRANSACTION_CSV_COLUMNS,
  TRANSACTION_CSV_COLUMNS,
  type PlannedTransaction,
  type RawTransaction,
  type TransactionCsvColumn,
} from './transaction-file.js';
import { COST_BASIS_METHODS, type CostBasisMethod } from './core/engine.js';
import {
  checkInvestment,
  parseDateText,
  parseDecimalText,
  sameCurrencyRate,
  type CheckedInvestment,
  type InvestmentDraft,
} from './validation.js';

export const FILE_FORMATS = ['JSON', 'CSV'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const JSON_FORMAT_NAME = 'foliograph.portfolio';
/** What the export writes; version 1 files (investments, no ledger) still import. */
export const JSON_FORMAT_VERSION = 2;
const JSON_FORMAT_VERSIONS: readonly unknown[] = [1, 2];
/** The columns of a version 1 (investments) CSV, which still imports; the export writes TRANSACTION_CSV_COLUMNS. */
export const CSV_COLUMNS = ['symbol', 'name', 'type', 'quantity', 'purchasePrice', 'purchaseDate', 'sector', 'notes'] as const;
const REQUIRED_CSV_COLUMNS = ['symbol', 'quantity', 'purchasePrice', 'purchaseDate'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 5_000;
export const IMPORT_MAX_CUSTOM_ASSETS = 100;
export const DEFAULT_IMPORT_NAME = 'Imported portfolio';

export interface PortfolioFile {
  filename: string;
  contentType: string;
  data: string;
}

/**
 * One problem of an import. `row`: CSV, the line it is on (header and syntax problems too);
 * JSON, the investment's 1-based position; null for the file, the portfolio and custom assets.
 */
export interface ImportProblem extends FieldProblem {
  row: number | null;
}

export interface ImportRequest {
  format: FileFormat;
  data: string;
  name?: string | null;
  dryRun?: boolean | null;
}

export interface ImportOutcome {
  dryRun: boolean;
  valid: boolean;
  /** The new portfolio (null for a dry run). */
  portfolio: Portfolio | null;
  name: string;
  /** Investments created: the rows of a version 1 file, the BUYs of a ledger. */
  investmentCount: number;
  /** Transactions created (an investment is a BUY transaction too). */
  transactionCount: number;
  customAssetsCreated: string[];
  customAssetsReused: string[];
  priceCount: number;
  problems: ImportProblem[];
}

// ---------------------------------------------------------------------------------- export

function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '-')
      .slice(0, 60) || 'portfolio'
  );
}

export async function exportPortfolio(db: Db, portfolioId: string, format: FileFormat, now = new Date()): Promise<PortfolioFile> {
  // In the order recorded: an import stamps them in file order, so same-date transactions keep
  // their order (and investments their listing order).
  const portfolio = await db.portfolio.findUnique({
    where: { id: portfolioId },
    include: {
      transactions: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
      investments: { select: { id: true, name: true, type: true, sector: true } },
    },
  });
  if (!portfolio) throw notFound('Portfolio');
  const investments = new Map(portfolio.investments.map((i) => [i.id, i]));
  const transactions = portfolio.transactions.map((t) => fileTransaction(t, investments.get(t.id)));
  const filename = `${slug(portfolio.name)}-${formatDate(now)}`;

  if (format === 'CSV') {
    const rows = transactions.map((t) => csvCells(t).map(protectCell));
    return { filename: `${filename}.csv`, contentType: 'text/csv; charset=utf-8', data: toCsv([[...TRANSACTION_CSV_COLUMNS], ...rows]) };
  }

  const symbols = [...new Set(transactions.flatMap((t) => (t.symbol === null ? [] : [t.symbol])))];
  const customAssets = await customAssetsWithCloses(db, portfolio.ownerId, symbols);
  const document = {
    format: JSON_FORMAT_NAME,
    version: JSON_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    portfolio: { ...portfolioSnapshot(portfolio), costBasisMethod: portfolio.costBasisMethod },
    transactions,
    customAssets: customAssets.map((asset) => ({
      symbol: asset.symbol,
      name: asset.name,
      type: asset.type,
      currency: asset.currency,
      sector: asset.sector,
      prices: asset.prices.map((p) => ({ date: formatDate(p.date), close: p.close.toFixed() })),
    })),
  };
  return { filename: `${filename}.json`, contentType: 'application/json', data: `${JSON.stringify(document, null, 2)}\n` };
}

// ---------------------------------------------------------------------------------- import: reading

/** An investment as read from a file, before the investment rules (decimals and dates parsed). */
interface RawRow {
  row: number;
  /** Null when the row could not be read at all (not an object, wrong number of cells). */
  draft: InvestmentDraft | null;
  problems: Problems;
}

interface RawCustomAsset {
  index: number;
  asset: CheckedCustomAsset;
  prices: CheckedPricePoint[];
  problems: Problems;
}

interface RawFile {
  portfolio: { name?: unknown; description?: unknown; isPublic?: unknown; baseCurrency?: unknown; costBasisMethod?: unknown };
  rows: RawRow[];
  /** A ledger file's transactions (JSON version 2, transaction CSV); null for investments. */
  transactions: RawTransaction[] | null;
  customAssets: RawCustomAsset[];
  problems: ImportProblem[];
}

const ASSET_TYPES = new Set<string>(Object.values(AssetType));

function optionalString(problems: Problems, field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  problems.add(field, 'must be text');
  return null;
}

/** A value for a rule that reports emptiness itself (symbols, names, currencies). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function assetType(problems: Problems, field: string, value: unknown): AssetType | null {
  const text = optionalString(problems, field, value)?.trim().toUpperCase();
  if (!text) return null;
  if (ASSET_TYPES.has(text)) return text as AssetType;
  problems.add(field, `must be one of ${[...ASSET_TYPES].join(', ')}`);
  return null;
}

/** One investment's cells (CSV) or properties (JSON), as the investment rules take them. */
function readInvestment(row: number, source: Record<string, unknown>): RawRow {
  const problems = new Problems();
  const symbol = text(source.symbol);
  const name = optionalString(problems, 'name', source.name);
  const type = assetType(problems, 'type', source.type);
  const quantity = parseDecimalText(problems, 'quantity', source.quantity);
  const purchasePrice = parseDecimalText(problems, 'purchasePrice', source.purchasePrice);
  const purchaseDate = parseDateText(problems, 'purchaseDate', source.purchaseDate);
  const sector = optionalString(problems, 'sector', source.sector);
  const notes = optionalString(problems, 'notes', source.notes);
  return { row, draft: { symbol, name, type, quantity, purchasePrice, purchaseDate, sector, notes }, problems };
}

function readCsv(data: string): RawFile {
  const file: RawFile = { portfolio: {}, rows: [], transactions: null, customAssets: [], problems: [] };
  const records = parseCsvFile(data, file.problems);
  if (!records) return file;
  const [header, ...body] = records;
  if (!header) {
    file.problems.push({
      row: null,
      field: 'data',
      message: `the file is empty; expected a header row: ${TRANSACTION_CSV_COLUMNS.join(',')} (or, version 1, ${CSV_COLUMNS.join(',')})`,
    });
    return file;
  }
  // A version 1 file lists investments (purchasePrice, purchaseDate); any other is a ledger.
  const cellsOf = header.cells.map((cell) => cell.trim().toLowerCase());
  if (!cellsOf.includes('purchasedate') && !cellsOf.includes('purchaseprice')) return readTransactionCsv(file, header, body);
  const columns = header.cells.map((cell) => CSV_COLUMNS.find((c) => c.toLowerCase() === cell.trim().toLowerCase()));
  header.cells.forEach((cell, i) => {
    if (!columns[i])
      file.problems.push({ row: header.line, field: 'header', message: `unknown column "${cell}" (columns: ${CSV_COLUMNS.join(', ')})` });
    else if (columns.indexOf(columns[i]) !== i)
      file.problems.push({ row: header.line, field: 'header', message: `column "${cell}" appears twice` });
  });
  for (const required of REQUIRED_CSV_COLUMNS) {
    if (!columns.includes(required)) file.problems.push({ row: header.line, field: 'header', message: `missing column "${required}"` });
  }
  if (file.problems.length > 0) return file;
  if (body.length > IMPORT_MAX_ROWS) {
    file.problems.push({ row: null, field: 'data', message: `at most ${IMPORT_MAX_ROWS} rows per import (this file has ${body.length})` });
    return file;
  }
  for (const record of body) {
    if (record.cells.length !== columns.length) {
      const problems = new Problems();
      problems.add('data', `expected ${columns.length} cells, found ${record.cells.length}`);
      file.rows.push({ row: record.line, draft: null, problems });
      continue;
    }
    const source: Partial<Record<CsvColumn, string>> = {};
    columns.forEach((column, i) => {
      source[column as CsvColumn] = unprotectCell((record.cells[i] ?? '').trim());
    });
    file.rows.push(readInvestment(record.line, source));
  }
  return file;
}

/** A transaction CSV (an export, or a broker's: date, type, symbol, quantity, price, fee, currency, ...). */
function readTransactionCsv(file: RawFile, header: CsvRecord, body: CsvRecord[]): RawFile {
  const known: readonly string[] = TRANSACTION_CSV_COLUMNS;
  const columns = header.cells.map((cell) => known.find((c) => c.toLowerCase() === cell.trim().toLowerCase()));
  header.cells.forEach((cell, i) => {
    if (!columns[i])
      file.problems.push({ row: header.line, field: 'header', message: `unknown column "${cell}" (columns: ${known.join(', ')})` });
    else if (columns.indexOf(columns[i]) !== i)
      file.problems.push({ row: header.line, field: 'header', message: `column "${cell}" appears twice` });
  });
  for (const required of REQUIRED_TRANSACTION_CSV_COLUMNS) {
    if (!columns.includes(required)) file.problems.push({ row: header.line, field: 'header', message: `missing column "${required}"` });
  }
  if (file.problems.length > 0) return file;
  if (body.length > IMPORT_MAX_TRANSACTIONS) {
    file.problems.push({
      row: null,
      field: 'data',
      message: `at most ${IMPORT_MAX_TRANSACTIONS} transactions per import (this file has ${body.length})`,
    });
    return file;
  }
  file.transactions = body.map((record) => {
    if (record.cells.length !== columns.length) {
      const problems = new Problems();
      problems.add('data', `expected ${columns.length} cells, found ${record.cells.length}`);
      return { row: record.line, fileId: null, input: null, problems };
    }
    const source: Partial<Record<TransactionCsvColumn, string>> = {};
    columns.forEach((column, i) => {
      source[column as TransactionCsvColumn] = unprotectCell((record.cells[i] ?? '').trim());
    });
    return readTransaction(record.line, source, csvLotIds);
  });
  return file;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(data: string): RawFile {
  const file: RawFile = { portfolio: {}, rows: [], transactions: null, customAssets: [], problems: [] };
  let document: unknown;
  try {
    document = JSON.parse(data);
  } catch (error) {
    file.problems.push({ row: null, field: 'data', message: `not valid JSON: ${(error as Error).message}` });
    return file;
  }
  if (!isObject(document)) {
    file.problems.push({ row: null, field: 'data', message: 'expected a JSON object (see docs/import-export.md)' });
    return file;
  }
  if (document.format !== undefined && document.format !== JSON_FORMAT_NAME) {
    file.problems.push({ row: null, field: 'format', message: `expected "${JSON_FORMAT_NAME}"` });
  }
  if (document.version !== undefined && !JSON_FORMAT_VERSIONS.includes(document.version)) {
    file.problems.push({ row: null, field: 'version', message: `this server reads versions ${JSON_FORMAT_VERSIONS.join(' and ')}` });
  }
  if (document.portfolio !== undefined && !isObject(document.portfolio)) {
    file.problems.push({ row: null, field: 'portfolio', message: 'must be an object' });
  } else {
    file.portfolio = document.portfolio ?? {};
  }
  const customAssets = document.customAssets ?? [];
  // Version 2 carries the ledger; a file with `transactions` is read as one whatever its version.
  const ledger = document.transactions !== undefined || document.version === 2;
  const investments = ledger ? document.transactions : document.investments;
  const listField = ledger ? 'transactions' : 'investments';
  if (!Array.isArray(investments)) file.problems.push({ row: null, field: listField, message: 'must be a list' });
  if (!Array.isArray(customAssets)) file.problems.push({ row: null, field: 'customAssets', message: 'must be a list' });
  if (!Array.isArray(investments) || !Array.isArray(customAssets)) return file;
  const maxRows = ledger ? IMPORT_MAX_TRANSACTIONS : IMPORT_MAX_ROWS;
  if (investments.length > maxRows) {
    file.problems.push({
      row: null,
      field: listField,
      message: `at most ${maxRows} ${listField} per import (this file has ${investments.length})`,
    });
    return file;
  }
  if (customAssets.length > IMPORT_MAX_CUSTOM_ASSETS) {
    file.problems.push({ row: null, field: 'customAssets', message: `at most ${IMPORT_MAX_CUSTOM_ASSETS} custom assets per import` });
    return file;
  }
  if (ledger) {
    file.transactions = investments.map((item, i) => {
      if (isObject(item)) return readTransaction(i + 1, item, (value) => value);
      const problems = new Problems();
      problems.add('transaction', 'must be an object');
      return { row: i + 1, fileId: null, input: null, problems };
    });
  } else {
    investments.forEach((item, i) => {
      if (isObject(item)) {
        file.rows.push(readInvestment(i + 1, item));
      } else {
        const problems = new Problems();
        problems.add('investment', 'must be an object');
        file.rows.push({ row: i + 1, draft: null, problems });
      }
    });
  }
  customAssets.forEach((item, index) => {
    const problems = new Problems();
    const field = (name: string) => `customAssets[${index}].${name}`;
    const source = isObject(item) ? item : {};
    if (!isObject(item)) problems.add(`customAssets[${index}]`, 'must be an object');
    const type = assetType(problems, field('type'), source.type ?? 'OTHER') ?? 'OTHER';
    const asset = checkCustomAsset(
      problems,
      {
        symbol: text(source.symbol),
        name: text(source.name),
        type,
        currency: text(source.currency),
        sector: optionalString(problems, field('sector'), source.sector),
      },
      field,
    );
    const rawPrices = source.prices ?? [];
    const points: PricePointInput[] = [];
    if (!Array.isArray(rawPrices)) {
      problems.add(field('prices'), 'must be a list');
    } else {
      rawPrices.forEach((price, p) => {
        const point = isObject(price) ? price : {};
        const date = parseDateText(problems, `${field('prices')}[${p}].date`, point.date);
        const close = parseDecimalText(problems, `${field('prices')}[${p}].close`, point.close);
        if (date && close) points.push({ date, close });
      });
    }
    const prices = checkPricePoints(problems, points, field('prices'));
    file.customAssets.push({ index, asset, prices, problems });
  });
  return file;
}

// ---------------------------------------------------------------------------------- import: checking

function costBasisMethod(problems: Problems, field: string, value: unknown): CostBasisMethod | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if ((COST_BASIS_METHODS as readonly string[]).includes(text)) return text as CostBasisMethod;
  problems.add(field, `must be one of ${COST_BASIS_METHODS.join(', ')}`);
  return undefined;
}

interface ImportPlan {
  portfolio: ReturnType<typeof checkPortfolioInput>;
  investments: CheckedInvestment[];
  /** A ledger file's transactions (null: a version 1 file of investments). */
  transactions: PlannedTransaction[] | null;
  /** What the rows' symbols name, for the investments of BUYs. */
  assets: Map<string, Pick<Asset, 'name' | 'type' | 'sector' | 'currency'>>;
  newAssets: { asset: CheckedCustomAsset; prices: CheckedPricePoint[] }[];
  reusedAssets: string[];
  problems: ImportProblem[];
}

/** A row's problems in the order of its columns (problems of the row as a whole first). */
const FIELD_ORDER: readonly string[] = ['data', 'investment', ...CSV_COLUMNS];
const TRANSACTION_FIELD_ORDER: readonly string[] = ['data', 'transaction', ...TRANSACTION_CSV_COLUMNS];

function rowProblems(row: number | null, problems: Problems, order = FIELD_ORDER): ImportProblem[] {
  const rank = (field: string) => order.indexOf(field);
  const list = row === null ? problems.list : [...problems.list].sort((a, b) => rank(a.field) - rank(b.field));
  return list.map((p) => ({ row, ...p }));
}

async function planImport(db: Db, importerId: string, request: ImportRequest, rateOf: RateOfDate): Promise<ImportPlan> {
  const plan: ImportPlan = {
    portfolio: { name: DEFAULT_IMPORT_NAME, description: null, isPublic: false, baseCurrency: 'USD', costBasisMethod: 'FIFO' },
    investments: [],
    transactions: null,
    assets: new Map(),
    newAssets: [],
    reusedAssets: [],
    problems: [],
  };
  if (Buffer.byteLength(request.data, 'utf8') > IMPORT_MAX_BYTES) {
    plan.problems.push({ row: null, field: 'data', message: `at most ${IMPORT_MAX_BYTES / 1024 / 1024} MiB per import` });
    return plan;
  }
  const file = request.format === 'CSV' ? readCsv(request.data) : readJson(request.data);
  plan.problems.push(...file.problems);

  // The portfolio: the request's name first, then the file's, then a default.
  const portfolioProblems = new Problems();
  const field = (name: string) => `portfolio.${name}`;
  const fromFile = file.portfolio;
  const name = request.name ?? (typeof fromFile.name === 'string' ? fromFile.name : DEFAULT_IMPORT_NAME);
  plan.portfolio = checkPortfolioInput(
    portfolioProblems,
    {
      name,
      description: optionalString(portfolioProblems, field('description'), fromFile.description),
      isPublic: typeof fromFile.isPublic === 'boolean' ? fromFile.isPublic : false,
      baseCurrency: optionalString(portfolioProblems, field('baseCurrency'), fromFile.baseCurrency),
      costBasisMethod: costBasisMethod(portfolioProblems, field('costBasisMethod'), fromFile.costBasisMethod),
    },
    (f) => (f === 'name' && request.name != null ? 'name' : field(f)),
  );
  plan.problems.push(...rowProblems(null, portfolioProblems));

  // Custom assets in the file: reuse the importer's own asset of that symbol, refuse a market
  // symbol, create the rest (with their prices).
  const fileSymbols = file.customAssets.map((c) => c.asset.symbol);
  const rowSymbols = [
    ...file.rows.flatMap((r) => (r.draft ? [normalizeSymbol(r.draft.symbol)] : [])),
    ...(file.transactions ?? []).flatMap((r) => (r.input?.symbol ? [normalizeSymbol(r.input.symbol)] : [])),
  ];
  const known = await resolveAssets(db, importerId, [...fileSymbols, ...rowSymbols]);
  const usable = new Map<string, Pick<Asset, 'name' | 'type' | 'sector' | 'currency'>>(known);
  plan.assets = usable;
  const declared = new Set<string>();
  for (const custom of file.customAssets) {
    const symbol = custom.asset.symbol;
    const existing = known.get(symbol);
    if (declared.has(symbol)) custom.problems.add(`customAssets[${custom.index}].symbol`, `${symbol} is declared twice`);
    else if (existing?.ownerId === null)
      custom.problems.add(`customAssets[${custom.index}].symbol`, `${symbol} is a market symbol; rename this asset`);
    declared.add(symbol);
    plan.problems.push(...rowProblems(null, custom.problems));
    if (!custom.problems.empty) continue;
    if (existing) {
      plan.reusedAssets.push(symbol);
    } else {
      plan.newAssets.push({ asset: custom.asset, prices: custom.prices });
      usable.set(symbol, custom.asset);
    }
  }

  for (const raw of file.rows) {
    const investment = raw.draft && checkInvestment(raw.problems, raw.draft, usable);
    if (investment && raw.problems.empty) plan.investments.push(investment);
    plan.problems.push(...rowProblems(raw.row, raw.problems));
  }
  if (file.transactions) {
    plan.transactions = planTransactions(file.transactions, usable, plan.portfolio.baseCurrency, plan.portfolio.costBasisMethod);
    // Rates of a base currency the file gets wrong would all be refused; its own problem says it.
    if (!portfolioProblems.list.some((p) => p.field === field('baseCurrency')))
      await resolveRates(plan.transactions, file.transactions, plan.portfolio.baseCurrency, rateOf);
    for (const raw of file.transactions) plan.problems.push(...rowProblems(raw.row, raw.problems, TRANSACTION_FIELD_ORDER));
  }
  return plan;
}

// ---------------------------------------------------------------------------------- import: writing

/**
 * Inserts many investments (BUYs) in one statement, in their assets' currencies (the rate of
 * their date when that is not the base currency, as addInvestment). Investments list in creation
 * order, so they are stamped a millisecond apart, ending now, to list in the file's order. (Raw
 * SQL because Prisma's createMany spends seconds building a 5,000-row statement; this takes
 * milliseconds.)
 */
async function insertInvestments(
  tx: Prisma.TransactionClient,
  portfolioId: string,
  baseCurrency: string,
  investments: readonly CheckedInvestment[],
  assets: ReadonlyMap<string, Pick<Asset, 'currency'>>,
): Promise<void> {
  if (investments.length === 0) return;
  const start = Date.now() - investments.length;
  const column = <T>(pick: (inv: CheckedInvestment) => T) => investments.map(pick);
  const currency = (inv: CheckedInvestment) => assets.get(inv.symbol)?.currency.trim() ?? baseCurrency;
  await tx.$executeRaw`
    INSERT INTO transactions (id, portfolio_id, type, date, symbol, quantity, price, amount, fee, currency, fx_rate, notes, created_at, updated_at)
    SELECT gen_random_uuid(), ${portfolioId}::uuid, 'BUY', row.purchase_date, row.symbol, row.quantity, row.purchase_price,
           row.quantity * row.purchase_price, 0, row.currency, row.fx_rate, row.notes, row.created_at, row.created_at
    FROM unnest(
      ${column((inv) => inv.symbol)}::text[],
      ${column((inv) => inv.quantity)}::numeric[],
      ${column((inv) => inv.purchasePrice)}::numeric[],
      ${column((inv) => formatDate(inv.purchaseDate))}::date[],
      ${column(currency)}::text[],
      ${column((inv) => sameCurrencyRate(currency(inv), baseCurrency))}::numeric[],
      ${column((inv) => inv.notes)}::text[],
      ${investments.map((_, i) => new Date(start + i).toISOString())}::timestamptz[]
    ) AS row(symbol, quantity, purchase_price, purchase_date, currency, fx_rate, notes, created_at)`;
}

/** `rateOf`: the FX rate of a date, for transactions without a rate of their own (as recordTransaction). */
export async function importPortfolio(
  db: Db,
  actor: Actor,
  request: ImportRequest,
  storageLimit: number,
  rateOf: RateOfDate,
): Promise<ImportOutcome> {
  const plan = await planImport(db, actor.userId, request, rateOf);
  const outcome: ImportOutcome = {
    dryRun: request.dryRun ?? false,
    valid: plan.problems.length === 0,
    portfolio: null,
    name: plan.portfolio.name,
    investmentCount: plan.transactions ? plan.transactions.filter((p) => p.checked.type === 'BUY').length : plan.investments.length,
    transactionCount: plan.transactions ? plan.transactions.length : plan.investments.length,
    customAssetsCreated: plan.newAssets.map((a) => a.asset.symbol),
    customAssetsReused: plan.reusedAssets,
    priceCount: plan.newAssets.reduce((n, a) => n + a.prices.length, 0),
    problems: plan.problems,
  };
  if (outcome.dryRun) return outcome;
  if (!outcome.valid) throw badInput(plan.problems, `The file has ${plan.problems.length} problem(s); nothing was imported`);

  try {
    outcome.portfolio = await db.$transaction(
      async (tx) => {
        const portfolio = await insertPortfolio(tx, actor.userId, plan.portfolio);
        for (const { asset, prices } of plan.newAssets) {
          const created = await insertCustomAsset(tx, actor.userId, asset);
          await storeCustomPrices(tx, created.id, prices);
        }
        await assertStorageRoom(tx, portfolio.id, plan.transactions?.length ?? plan.investments.length, storageLimit);
        if (plan.transactions) await insertTransactions(tx, portfolio.id, plan.transactions);
        else await insertInvestments(tx, portfolio.id, portfolio.baseCurrency, plan.investments, plan.assets);
        await recordActivity(tx, actor, portfolio.id, 'PORTFOLIO_IMPORTED', {
          format: request.format,
          after: portfolioSnapshot(portfolio),
          investments: outcome.investmentCount,
          transactions: outcome.transactionCount,
          customAssetsCreated: outcome.customAssetsCreated,
          customAssetsReused: outcome.customAssetsReused,
          prices: outcome.priceCount,
        });
        return portfolio;
      },
      { timeout: 60_000 },
    );
  } catch (error) {
    // The importer created one of these custom assets while this import was being checked.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw conflict('A custom asset in this file was created meanwhile; run the import again');
    }
    throw error;
  }
  return outcome;
}
