/**
 * The ledger's storage and rules: recording, changing and deleting transactions and investments
 * (each with its activity row, in one database transaction that also re-checks the ledger, so
 * nothing is ever half-applied or left overselling), reading lots, holdings, realized gains and
 * cash, custom assets, and portfolio files.
 *
 * One write model: a transaction is the only record of a trade. An investment is a BUY read
 * through the `investments` view (same id; its name, type and sector are its asset's), so
 * addInvestment / updateInvestment / removeInvestment write the BUY itself. Writes to one
 * portfolio's ledger are serialised by locking the portfolio row, so two concurrent SELLs cannot
 * both sell the last share.
 */
import { assertStorageRoom } from './storage-cap.js';
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { LRUCache } from 'lru-cache';
import type { Asset, Investment, Transaction } from '../generated/prisma/client.js';
import type { FxRates } from '../market/index.js';
import type { HoldingInput } from '../market/index.js';
import { formatDate, isoDateOf } from '../platform/dates.js';
import { Prisma, type Db } from '../platform/db.js';
import { badInput, conflict, notFound, Problems, type FieldProblem } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { normalizeSymbol } from '../platform/symbols.js';
import { changes, missingAsNotFound, recordActivity, refuseNull, type Actor } from '../portfolios/index.js';
import { createCustomAsset, resolveAssets, setCustomAssetPrices, type CustomAssetInput, type PricePointInput } from './assets.js';
import { majorUnit } from '../platform/currency-units.js';
import { cashBalancesOf, replay, type CostBasisMethod, type LedgerState, type LedgerTransaction } from './core/engine.js';
import { div, fixedPointAt, formatFixed, toFixedPoint, UNIT } from './core/fixed.js';
import {
  exportPortfolio,
  importPortfolio,
  type FileFormat,
  type ImportOutcome,
  type ImportRequest,
  type PortfolioFile,
} from './import-export.js';
import { decodeLedger, ledgerText, type LedgerRowOf } from './rows.js';
import {
  externalImportKey,
  importTransactions,
  type TransactionImportOutcome,
  type TransactionImportRequest,
} from './transaction-import.js';
import { checkTransaction, noRateMessage, type CheckedTransaction, type TransactionInput } from './transaction-rules.js';
import {
  checkAssetDetails,
  checkInvestment,
  exactProduct,
  sameCurrencyRate,
  type CheckedInvestment,
  checkOptionalText,
  checkPastDate,
  checkPrice,
  checkQuantity,
  NOTES_MAX,
  SECTOR_MAX,
  utcMidnight,
  type InvestmentInput,
  type InvestmentPatch,
} from './validation.js';

type Tx = Prisma.TransactionClient;

type FixedRow = LedgerRowOf<bigint>;

/**
 * The portfolio's transactions (optionally of some symbols), in ledger order, in one statement;
 * decimals read straight into fixed point (what the replay computes with).
 */
async function ledgerRows(db: Db | Tx, portfolioId: string, symbols: readonly string[] | null): Promise<FixedRow[]> {
  const bySymbol = symbols ? Prisma.sql`AND t.symbol = ANY(${[...symbols]}::text[])` : Prisma.empty;
  const [result] = await db.$queryRaw<Array<{ ledger: string | null }>>`
    SELECT ${ledgerText('t')} AS ledger FROM transactions t WHERE t.portfolio_id = ${portfolioId}::uuid ${bySymbol}`;
  return decodeLedger(result?.ledger ?? null, fixedPointAt);
}

/**
 * The rows as the replay reads them: each without a rate of its own gets `rateOf`'s, in place
 * (no copy of a 100,000-row ledger).
 */
function withRates(rows: FixedRow[], rateOf: (row: FixedRow) => bigint): LedgerTransaction[] {
  for (const row of rows) if (row.fxRate === null) row.fxRate = rateOf(row);
  return rows as LedgerTransaction[];
}

const describe = (row: Pick<FixedRow, 'type' | 'date' | 'id'>) => `the ${row.type} of ${row.date} (${row.id})`;

/**
 * Replays the given symbols' transactions with `proposedId`'s as they would be after a change,
 * and throws BAD_USER_INPUT if the ledger would break a rule: problems of the changed
 * transaction name its own field; a later transaction the change would break (a SELL that
 * would oversell) is named in the message, under `field`.
 */
export async function assertLedgerHolds(
  tx: Tx,
  portfolioId: string,
  symbols: readonly string[],
  changedId: string | null,
  field: string,
): Promise<void> {
  const wanted = symbols.filter((s) => s !== '');
  if (wanted.length === 0) return;
  const method = (await tx.portfolio.findUniqueOrThrow({ where: { id: portfolioId }, select: { costBasisMethod: true } })).costBasisMethod;
  const rows = await ledgerRows(tx, portfolioId, wanted);
  // Rates do not decide whether a ledger holds: quantities, dates and lots do.
  const state = replay(
    withRates(rows, () => UNIT),
    { method },
  );
  if (state.problems.length === 0) return;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const details: FieldProblem[] = state.problems.map((problem) =>
    problem.transactionId === changedId
      ? { field: problem.field, message: problem.message }
      : { field, message: `would break ${describe(byId.get(problem.transactionId)!)}: its ${problem.field} ${problem.message}` },
  );
  throw badInput(details);
}

/**
 * The field to name when an update breaks a later transaction: the one changed that moves what is
 * held (a BUY moved in time or to another symbol, a split's ratio), else `quantity`.
 */
function changedField(current: Transaction, checked: CheckedTransaction): string {
  if (current.date.getTime() !== checked.date.getTime()) return 'date';
  if (current.symbol !== checked.symbol) return 'symbol';
  const same = (stored: { toFixed(): string } | null, text: string | null) =>
    stored === null || text === null ? stored === text : new Decimal(stored.toFixed()).eq(text);
  if (current.type === 'SPLIT') {
    if (!same(current.splitTo, checked.splitTo)) return 'splitTo';
    if (!same(current.splitFrom, checked.splitFrom)) return 'splitFrom';
  }
  return 'quantity';
}

/** A SELL or TRANSFER_OUT closed by the portfolio's method (not naming its lots): it records that method. */
function closesByMethod(checked: CheckedTransaction): boolean {
  return (checked.type === 'SELL' || checked.type === 'TRANSFER_OUT') && checked.lotIds.length === 0;
}

/** The portfolio's cost basis method now (read under the ledger's lock). */
async function currentMethod(tx: Tx, portfolioId: string): Promise<CostBasisMethod> {
  return (await tx.portfolio.findUniqueOrThrow({ where: { id: portfolioId }, select: { costBasisMethod: true } })).costBasisMethod;
}

/** Locks the portfolio's ledger until the end of the transaction (writes to one ledger queue up). */
async function lockLedger(tx: Tx, portfolioId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM portfolios WHERE id = ${portfolioId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound('Portfolio');
}

/** What the activity trail records of a transaction. */
function transactionSnapshot(t: Transaction) {
  const text = (value: { toFixed(): string } | null) => (value === null ? null : value.toFixed());
  return {
    type: t.type,
    date: isoDateOf(t.date),
    symbol: t.symbol,
    quantity: text(t.quantity),
    price: text(t.price),
    amount: text(t.amount),
    fee: text(t.fee),
    currency: t.currency,
    fxRate: text(t.fxRate),
    splitFrom: text(t.splitFrom),
    splitTo: text(t.splitTo),
    lotIds: t.lotIds,
    notes: t.notes,
    ...(t.toCurrency !== null && { toAmount: text(t.toAmount), toCurrency: t.toCurrency }),
    ...(t.costBasisMethod !== null && { costBasisMethod: t.costBasisMethod }),
  };
}

/** What the activity trail records of an investment. */
export function investmentSnapshot(i: Omit<Investment, 'id' | 'portfolioId' | 'createdAt' | 'updatedAt'>) {
  return {
    symbol: i.symbol,
    name: i.name,
    type: i.type,
    quantity: i.quantity.toFixed(),
    purchasePrice: i.purchasePrice.toFixed(),
    purchaseDate: formatDate(i.purchaseDate),
    sector: i.sector,
    notes: i.notes,
  };
}

export interface LedgerView {
  portfolioId: string;
  baseCurrency: string;
  method: CostBasisMethod;
  state: LedgerState;
}

export class LedgerService {
  /**
   * Replayed ledgers by portfolio, method and base currency, each valid for one ledger version
   * (ledger_versions, raised by triggers on every write); sized by transactions replayed.
   */
  private readonly views: LRUCache<string, { version: string; view: LedgerView }> | null;
  /** Replays under way, so concurrent requests for one version replay once. */
  private readonly computing = new Map<string, Promise<LedgerView>>();

  /** MAX_TRANSACTIONS_PER_ACCOUNT (0: no cap), see ./storage-cap.ts. */
  private readonly storageLimit: number;

  constructor(
    private readonly db: Db,
    private readonly fx: FxRates,
    options: { cacheTransactions?: number; maxTransactionsPerAccount?: number } = {},
  ) {
    this.storageLimit = options.maxTransactionsPerAccount ?? 0;
    const maxSize = options.cacheTransactions ?? 300_000;
    this.views = maxSize > 0 ? new LRUCache({ max: 1000, maxSize }) : null;
  }

  /** Units of base currency per unit of `currency` on `date` (fetched if need be); null when no rate is known. */
  async baseRate(currency: string, baseCurrency: string, date: string): Promise<string | null> {
    return (await this.fx.rate(currency, baseCurrency, date))?.rate.toFixed() ?? null;
  }

  /** Field checks, defaults (currency from the asset, rate of the date) and the BUY's investment columns. */
  private async prepare(portfolio: { ownerId: string; baseCurrency: string }, input: TransactionInput) {
    const problems = new Problems();
    const symbols = input.symbol ? [input.symbol.trim().toUpperCase()] : [];
    const assets = await resolveAssets(this.db, portfolio.ownerId, symbols);
    const checked = checkTransaction(problems, input, assets);
    problems.throwIfAny();
    const asset = checked.symbol ? assets.get(checked.symbol) : undefined;
    const currency = checked.currency ?? asset?.currency.trim() ?? portfolio.baseCurrency;
    if (checked.type === 'CONVERSION' && checked.toCurrency && majorUnit(checked.toCurrency).currency === majorUnit(currency).currency) {
      throw badInput([{ field: 'toCurrency', message: `must be another currency than ${currency}` }]);
    }
    const fxRate = checked.fxRate ?? (await this.baseRate(currency, portfolio.baseCurrency, checked.dateText));
    if (fxRate === null) {
      throw badInput([{ field: 'fxRate', message: noRateMessage(currency, portfolio.baseCurrency, checked.dateText) }]);
    }
    return { checked, currency, fxRate, asset };
  }

  private columns(checked: CheckedTransaction, currency: string, fxRate: string, costBasisMethod: CostBasisMethod | null) {
    return {
      type: checked.type,
      date: checked.date,
      symbol: checked.symbol,
      quantity: checked.quantity,
      price: checked.price,
      amount: checked.amount,
      fee: checked.fee,
      currency,
      fxRate,
      splitFrom: checked.splitFrom,
      splitTo: checked.splitTo,
      lotIds: checked.lotIds,
      toAmount: checked.toAmount,
      toCurrency: checked.toCurrency,
      costBasisMethod,
      notes: checked.notes,
    };
  }

  async record(actor: Actor, portfolioId: string, input: TransactionInput): Promise<Transaction> {
    const portfolio = await this.db.portfolio.findUnique({ where: { id: portfolioId }, select: { ownerId: true, baseCurrency: true } });
    if (!portfolio) throw notFound('Portfolio');
    const { checked, currency, fxRate } = await this.prepare(portfolio, input);
    const external = checkExternalId(input.externalId);
    return this.db.$transaction(async (tx) => {
      await lockLedger(tx, portfolioId);
      await assertStorageRoom(tx, portfolioId, 1, this.storageLimit);
      const id = randomUUID();
      if (external && (await tx.transaction.count({ where: { portfolioId, importKey: external.importKey } })) > 0) {
        throw conflict(`A transaction with externalId ${external.externalId} is already in this portfolio`);
      }
      const method = closesByMethod(checked) ? await currentMethod(tx, portfolioId) : null;
      const created = await tx.transaction.create({
        data: { id, portfolioId, ...this.columns(checked, currency, fxRate, method), ...external },
      });
      await assertLedgerHolds(tx, portfolioId, checked.symbol ? [checked.symbol] : [], id, 'date');
      await recordActivity(tx, actor, portfolioId, 'TRANSACTION_RECORDED', { transactionId: id, after: transactionSnapshot(created) });
      return created;
    });
  }

  /** The portfolio a transaction belongs to (null: no such transaction). */
  async portfolioOf(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    return (await this.db.transaction.findUnique({ where: { id }, select: { portfolioId: true } }))?.portfolioId ?? null;
  }

  /** Replaces a transaction's fields with `input` (its type stays: a BUY is also an investment). */
  async update(actor: Actor, id: string, input: TransactionInput): Promise<Transaction> {
    const before = isUuid(id)
      ? await this.db.transaction.findUnique({ where: { id }, include: { portfolio: { select: { ownerId: true, baseCurrency: true } } } })
      : null;
    if (!before) throw notFound('Transaction');
    if (input.type !== before.type) {
      throw badInput([
        { field: 'type', message: `a ${before.type} stays a ${before.type}: delete it and record a new transaction instead` },
      ]);
    }
    const { checked, currency, fxRate } = await this.prepare(before.portfolio, input);
    return this.db.$transaction(async (tx) => {
      await lockLedger(tx, before.portfolioId);
      const current = await tx.transaction.findUnique({ where: { id } });
      if (!current) throw notFound('Transaction');
      // A SELL keeps the method it was recorded under (one that named its lots takes today's).
      const method = closesByMethod(checked) ? (current.costBasisMethod ?? (await currentMethod(tx, before.portfolioId))) : null;
      const updated = await tx.transaction.update({ where: { id }, data: this.columns(checked, currency, fxRate, method) });
      const symbols = [...new Set([current.symbol, checked.symbol].filter((s): s is string => s !== null))];
      await assertLedgerHolds(tx, before.portfolioId, symbols, id, changedField(current, checked));
      await recordActivity(tx, actor, before.portfolioId, 'TRANSACTION_UPDATED', {
        transactionId: id,
        before: transactionSnapshot(current),
        after: transactionSnapshot(updated),
      });
      return updated;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const portfolioId = await this.portfolioOf(id);
    if (!portfolioId) throw notFound('Transaction');
    await this.db.$transaction(async (tx) => {
      await lockLedger(tx, portfolioId);
      const removed = await tx.transaction.findUnique({ where: { id } });
      if (!removed) throw notFound('Transaction');
      // A BUY's investment is the BUY itself (the view): it goes with it.
      await tx.transaction.delete({ where: { id } });
      if (removed.symbol) await assertLedgerHolds(tx, portfolioId, [removed.symbol], null, 'id');
      await recordActivity(tx, actor, portfolioId, 'TRANSACTION_DELETED', { transactionId: id, before: transactionSnapshot(removed) });
    });
  }

  /**
   * The whole ledger replayed: by the portfolio's method and the lots its SELLs name, or, for a
   * what-if, every SELL by `method`. Unknown rates (investments in a foreign currency) are the FX
   * rate of their date. One statement when the replay is cached for the ledger's current version
   * (read from PostgreSQL every time, so a write through any replica is seen at once), two
   * otherwise.
   */
  async view(portfolioId: string, method: CostBasisMethod | null = null): Promise<LedgerView | null> {
    if (!isUuid(portfolioId)) return null;
    const [portfolio] = await this.db.$queryRaw<Array<{ baseCurrency: string; costBasisMethod: CostBasisMethod; version: string }>>`
      SELECT p.base_currency AS "baseCurrency", p.cost_basis_method::text AS "costBasisMethod", coalesce(v.version, 0)::text AS version
      FROM portfolios p LEFT JOIN ledger_versions v ON v.portfolio_id = p.id WHERE p.id = ${portfolioId}::uuid`;
    if (!portfolio) return null;
    const chosen = method ?? portfolio.costBasisMethod;
    // A method asked for is a what-if over every sale (recorded methods and named lots aside).
    const ignoreLotIds = method !== null;
    const key = `${portfolioId}|${chosen}|${ignoreLotIds}|${portfolio.baseCurrency}`;
    const cached = this.views?.get(key);
    if (cached?.version === portfolio.version) return cached.view;
    const flight = `${key}|${portfolio.version}`;
    let computing = this.computing.get(flight);
    if (!computing) {
      computing = this.replayed(portfolioId, portfolio.baseCurrency, chosen, ignoreLotIds).then(({ view, size }) => {
        if (this.views && size <= this.views.maxSize) this.views.set(key, { version: portfolio.version, view }, { size });
        return view;
      });
      computing.finally(() => this.computing.delete(flight)).catch(() => {});
      this.computing.set(flight, computing);
    }
    return computing;
  }

  private async replayed(portfolioId: string, baseCurrency: string, method: CostBasisMethod, ignoreLotIds: boolean) {
    const rows = await ledgerRows(this.db, portfolioId, null);
    // Rows without a rate of their own (investments in a foreign currency): each currency's
    // series fetched once from its earliest such date, then read per row.
    const earliest = new Map<string, string>();
    for (const row of rows) if (row.fxRate === null && !earliest.has(row.currency)) earliest.set(row.currency, row.date);
    await Promise.all([...earliest].map(([currency, since]) => this.fx.prefetch(currency, baseCurrency, since)));
    const rateOf = (row: FixedRow) =>
      toFixedPoint(this.fx.cachedRate(row.currency, baseCurrency, row.date)?.rate.toFixed() ?? fallbackRate(row.currency, baseCurrency));
    const transactions = withRates(rows, rateOf);
    const state = replay(transactions, { method, ignoreLotIds });
    return { view: { portfolioId, baseCurrency, method, state }, size: rows.length + 1 };
  }

  /**
   * What the valuation reads of the ledger (null: no such portfolio): the open lots (remaining
   * quantity, their exact cost in base currency, the type and sector of the lot's investment or
   * asset) and, when the ledger tracks cash, one CASH holding per currency balance.
   */
  async valuationHoldings(portfolioId: string): Promise<HoldingInput[] | null> {
    const view = await this.view(portfolioId);
    if (!view) return null;
    const open = view.state.lots.filter((lot) => lot.isOpen);
    const [investments, owner] = await Promise.all([
      // Only the open lots' investments: a long ledger has tens of thousands of closed ones.
      this.db.investment.findMany({ where: { id: { in: open.map((lot) => lot.id) } }, select: { id: true, type: true, sector: true } }),
      this.db.portfolio.findUnique({ where: { id: portfolioId }, select: { ownerId: true } }),
    ]);
    const byId = new Map(investments.map((i) => [i.id, i]));
    const missing = open.filter((lot) => !byId.has(lot.id)).map((lot) => lot.symbol);
    const assets = owner && missing.length ? await resolveAssets(this.db, owner.ownerId, missing) : new Map();
    const lots = open.map((lot): HoldingInput => {
      const described = byId.get(lot.id) ?? assets.get(lot.symbol);
      return {
        id: lot.id,
        symbol: lot.symbol,
        type: described?.type ?? 'OTHER',
        sector: described?.sector ?? null,
        quantity: formatFixed(lot.remainingFixed),
        purchasePrice: formatFixed(div(lot.remainingCostBaseFixed, lot.remainingFixed)),
        costBasis: formatFixed(lot.remainingCostBaseFixed),
      };
    });
    const cash = cashBalancesOf(view.state).map(({ currency, amount }): HoldingInput => ({
      id: `cash:${currency}`,
      symbol: currency,
      type: 'CASH',
      sector: null,
      quantity: amount.toFixed(),
      purchasePrice: '1',
      cashCurrency: currency,
    }));
    return [...lots, ...cash];
  }

  /** The portfolio's BUYs of these symbols dated from..to (inclusive), in one statement (the tax-lot review's wash-sale check). */
  async buysBetween(
    portfolioId: string,
    symbols: readonly string[],
    from: string,
    to: string,
  ): Promise<Array<{ id: string; symbol: string; date: string }>> {
    if (symbols.length === 0) return [];
    return this.db.$queryRaw<Array<{ id: string; symbol: string; date: string }>>`
      SELECT id::text, symbol, to_char(date, 'YYYY-MM-DD') AS date FROM transactions
      WHERE portfolio_id = ${portfolioId}::uuid AND type = 'BUY' AND symbol = ANY(${[...symbols]}::text[])
        AND date BETWEEN ${from}::date AND ${to}::date
      ORDER BY date, id`;
  }

  // ------------------------------------------------------------------------ investments (BUY lots)

  async addInvestment(actor: Actor, portfolioId: string, input: InvestmentInput): Promise<Investment> {
    const portfolio = await this.db.portfolio.findUnique({ where: { id: portfolioId }, select: { ownerId: true, baseCurrency: true } });
    if (!portfolio) throw notFound('Portfolio');
    const problems = new Problems();
    const assets = await resolveAssets(this.db, portfolio.ownerId, [normalizeSymbol(input.symbol)]);
    const data = checkInvestment(problems, input, assets);
    checkAssetDetails(problems, assets.get(data.symbol), input);
    problems.throwIfAny();
    // The BUY in its asset's currency; its rate is known when that is the base currency (or its
    // minor unit), else left to the FX rate of its date when read (as the ledger migration did).
    const currency = assets.get(data.symbol)!.currency.trim();
    return missingAsNotFound('Portfolio', () =>
      this.db.$transaction(async (tx) => {
        await lockLedger(tx, portfolioId);
        await assertStorageRoom(tx, portfolioId, 1, this.storageLimit);
        const id = randomUUID();
        await tx.transaction.create({
          data: { id, portfolioId, ...buyColumns(data), currency, fxRate: sameCurrencyRate(currency, portfolio.baseCurrency) },
        });
        const investment = await tx.investment.findUniqueOrThrow({ where: { id } });
        await recordActivity(tx, actor, portfolioId, 'INVESTMENT_ADDED', {
          investmentId: investment.id,
          after: investmentSnapshot(investment),
        });
        return investment;
      }),
    );
  }

  async updateInvestment(actor: Actor, id: string, patch: InvestmentPatch): Promise<Investment> {
    const problems = new Problems();
    refuseNull(problems, 'quantity', patch.quantity);
    refuseNull(problems, 'purchasePrice', patch.purchasePrice);
    refuseNull(problems, 'purchaseDate', patch.purchaseDate);
    const quantity = patch.quantity == null ? undefined : checkQuantity(problems, 'quantity', patch.quantity);
    const purchasePrice = patch.purchasePrice == null ? undefined : checkPrice(problems, 'purchasePrice', patch.purchasePrice);
    if (patch.purchaseDate != null) checkPastDate(problems, 'purchaseDate', patch.purchaseDate);
    checkOptionalText(problems, 'sector', patch.sector, SECTOR_MAX);
    const notes = checkOptionalText(problems, 'notes', patch.notes, NOTES_MAX);
    problems.throwIfAny();
    if (!isUuid(id)) throw notFound('Investment');
    const portfolioId = await this.portfolioOfInvestment(id);
    if (!portfolioId) throw notFound('Investment');
    return this.db.$transaction(async (tx) => {
      await lockLedger(tx, portfolioId);
      const before = await tx.investment.findUnique({ where: { id } });
      if (!before) throw notFound('Investment');
      checkAssetDetails(problems, before, { sector: patch.sector });
      problems.throwIfAny();
      const current = investmentSnapshot(before);
      // Compared as stored: "10.50" and "10.5" are the same quantity.
      const after = {
        ...current,
        ...(quantity !== undefined && { quantity: new Prisma.Decimal(quantity).toFixed() }),
        ...(purchasePrice !== undefined && { purchasePrice: new Prisma.Decimal(purchasePrice).toFixed() }),
        ...(patch.purchaseDate != null && { purchaseDate: patch.purchaseDate }),
        ...(notes !== undefined && { notes }),
      };
      const diff = changes(current, after);
      if (!diff) return before;
      await tx.transaction.update({
        where: { id },
        data: buyColumns({
          symbol: before.symbol,
          quantity: after.quantity,
          purchasePrice: after.purchasePrice,
          purchaseDate: utcMidnight(after.purchaseDate),
          notes: after.notes,
        }),
      });
      // The investment is a BUY lot: a smaller or later lot must not leave a later SELL overselling.
      await assertLedgerHolds(tx, portfolioId, [before.symbol], id, diff.after.purchaseDate !== undefined ? 'purchaseDate' : 'quantity');
      await recordActivity(tx, actor, portfolioId, 'INVESTMENT_UPDATED', { investmentId: id, symbol: before.symbol, ...diff });
      return tx.investment.findUniqueOrThrow({ where: { id } });
    });
  }

  /** The portfolio an investment (a BUY) belongs to (null: no such investment). */
  async portfolioOfInvestment(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    return (await this.db.transaction.findFirst({ where: { id, type: 'BUY' }, select: { portfolioId: true } }))?.portfolioId ?? null;
  }

  async removeInvestment(actor: Actor, id: string): Promise<void> {
    const portfolioId = await this.portfolioOfInvestment(id);
    if (!portfolioId) throw notFound('Investment');
    await this.db.$transaction(async (tx) => {
      await lockLedger(tx, portfolioId);
      const removed = await tx.investment.findUnique({ where: { id } });
      if (!removed) throw notFound('Investment');
      await tx.transaction.delete({ where: { id } });
      await assertLedgerHolds(tx, portfolioId, [removed.symbol], null, 'id');
      await recordActivity(tx, actor, portfolioId, 'INVESTMENT_REMOVED', {
        investmentId: id,
        before: investmentSnapshot(removed),
      });
    });
  }

  // ------------------------------------------------------------------------ custom assets and files

  createCustomAsset(ownerId: string, input: CustomAssetInput): Promise<Asset> {
    return createCustomAsset(this.db, ownerId, input);
  }

  setCustomAssetPrices(ownerId: string, symbol: string, prices: readonly PricePointInput[]): Promise<number> {
    return setCustomAssetPrices(this.db, ownerId, symbol, prices);
  }

  exportFile(portfolioId: string, format: FileFormat): Promise<PortfolioFile> {
    return exportPortfolio(this.db, portfolioId, format);
  }

  /** A transaction file added to an existing portfolio, idempotently (./transaction-import.ts). */
  importTransactions(actor: Actor, portfolioId: string, request: TransactionImportRequest): Promise<TransactionImportOutcome> {
    return importTransactions(this.db, actor, portfolioId, request, this.storageLimit, (currency, baseCurrency, date) =>
      this.baseRate(currency, baseCurrency, date),
    );
  }

  importFile(actor: Actor, request: ImportRequest): Promise<ImportOutcome> {
    return importPortfolio(this.db, actor, request, this.storageLimit, (currency, baseCurrency, date) =>
      this.baseRate(currency, baseCurrency, date),
    );
  }
}

/** A BUY's columns for an investment (a lot as addInvestment / updateInvestment describe it). */
function buyColumns(data: CheckedInvestment) {
  return {
    type: 'BUY' as const,
    date: data.purchaseDate,
    symbol: data.symbol,
    quantity: data.quantity,
    price: data.purchasePrice,
    amount: exactProduct(new Decimal(data.quantity), new Decimal(data.purchasePrice)).toFixed(),
    fee: '0',
    notes: data.notes,
  };
}

/** An externalId as stored, with the key an import skips it by (null: none given). */
function checkExternalId(value: string | null | undefined): { externalId: string; importKey: string } | null {
  const externalId = value?.trim();
  if (!externalId) return null;
  if (externalId.length > 255) throw badInput([{ field: 'externalId', message: 'at most 255 characters' }]);
  return { externalId, importKey: externalImportKey(externalId) };
}

/**
 * No rate known for a currency (one the FX source does not cover): count it at par with its
 * major unit rather than fail a whole report; the transaction shows the rate it was given.
 */
function fallbackRate(currency: string, base: string): string {
  const a = majorUnit(currency);
  const b = majorUnit(base);
  return new Decimal(a.factor).div(b.factor).toFixed();
}
