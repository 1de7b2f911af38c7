/**
 * Suggested corporate actions (contract README, "Ledger"): for every symbol a portfolio holds or
 * held, the splits and dividends the market data reports on or after its first purchase that the
 * ledger does not have (same type, symbol and date) and the user has not dismissed.
 *
 * Entitlement is the quantity held at the end of the day before the ex-date (every transaction
 * dated before it, splits included); none held, no suggestion. A dividend's amount is that
 * quantity × the amount per share as paid. A suggestion's id names its portfolio and action, so
 * it stays the same across requests and needs no table; only dismissals are stored
 * (`dismissed_suggestions`, owned by ledger).
 */
import { Decimal } from 'decimal.js';
import type { TransactionType } from '../generated/prisma/client.js';
import type { CorporateAction, MarketService } from '../market/index.js';
import type { Db } from '../platform/db.js';
import { addDays, formatDate, isoDateOf } from '../platform/dates.js';
import { conflict, notFound } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import type { TransactionInput } from './transaction-rules.js';

export interface SuggestedTransaction {
  id: string;
  portfolioId: string;
  type: 'SPLIT' | 'DIVIDEND';
  symbol: string;
  date: string;
  exDate: string | null;
  amountPerShare: Decimal | null;
  amount: Decimal | null;
  currency: string | null;
  splitFrom: Decimal | null;
  splitTo: Decimal | null;
  source: string;
}

interface SuggestionKey {
  portfolioId: string;
  type: 'SPLIT' | 'DIVIDEND';
  symbol: string;
  exDate: string;
}

const ID_PREFIX = 'sug_';

export function suggestionId(key: SuggestionKey): string {
  return ID_PREFIX + Buffer.from(`${key.portfolioId}|${key.type}|${key.symbol}|${key.exDate}`).toString('base64url');
}

/** The key an id names; null for anything that is not one of our ids. */
export function parseSuggestionId(id: string): SuggestionKey | null {
  if (!id.startsWith(ID_PREFIX) || id.length > 200) return null;
  const [portfolioId, type, symbol, exDate, ...rest] = Buffer.from(id.slice(ID_PREFIX.length), 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !portfolioId || !isUuid(portfolioId) || (type !== 'SPLIT' && type !== 'DIVIDEND')) return null;
  if (!symbol || !exDate || !/^\d{4}-\d{2}-\d{2}$/.test(exDate)) return null;
  return { portfolioId, type, symbol, exDate };
}

interface Movement {
  type: TransactionType;
  date: string;
  symbol: string;
  quantity: Decimal | null;
  splitFrom: Decimal | null;
  splitTo: Decimal | null;
}

/** What a transaction does to the quantity held (trades, transfers, splits). */
function applyMovement(held: Decimal, m: Movement): Decimal {
  switch (m.type) {
    case 'BUY':
    case 'TRANSFER_IN':
      return held.plus(m.quantity ?? 0);
    case 'SELL':
    case 'TRANSFER_OUT':
      return Decimal.max(held.minus(m.quantity ?? 0), 0);
    case 'SPLIT':
      return m.splitFrom && m.splitTo && !m.splitFrom.isZero() ? held.times(m.splitTo).div(m.splitFrom) : held;
    default:
      return held;
  }
}

export class CorporateActionSuggestions {
  constructor(
    private readonly db: Db,
    private readonly market: MarketService,
  ) {}

  /** The portfolio's open suggestions, oldest first (with `includeDismissed`, dismissed ones too). */
  async list(portfolioId: string, options: { includeDismissed?: boolean } = {}): Promise<SuggestedTransaction[]> {
    const portfolio = await this.db.portfolio.findUnique({ where: { id: portfolioId }, select: { ownerId: true } });
    if (!portfolio) throw notFound('Portfolio');
    const [rows, dismissed] = await Promise.all([
      this.db.transaction.findMany({
        where: { portfolioId, symbol: { not: null } },
        select: { type: true, date: true, symbol: true, quantity: true, splitFrom: true, splitTo: true },
        orderBy: [{ date: 'asc' }, { createdAt: 'asc' }],
      }),
      options.includeDismissed ? [] : this.db.dismissedSuggestion.findMany({ where: { portfolioId } }),
    ]);
    const hidden = new Set(dismissed.map((d) => `${d.type}|${d.symbol}|${formatDate(d.exDate)}`));
    const bySymbol = new Map<string, Movement[]>();
    for (const row of rows) {
      const movement: Movement = {
        type: row.type,
        date: formatDate(row.date),
        symbol: row.symbol!,
        quantity: row.quantity === null ? null : new Decimal(row.quantity.toString()),
        splitFrom: row.splitFrom === null ? null : new Decimal(row.splitFrom.toString()),
        splitTo: row.splitTo === null ? null : new Decimal(row.splitTo.toString()),
      };
      const list = bySymbol.get(movement.symbol) ?? [];
      list.push(movement);
      bySymbol.set(movement.symbol, list);
    }
    const today = isoDateOf(new Date());
    const suggestions: SuggestedTransaction[] = [];
    await Promise.all(
      [...bySymbol].map(async ([symbol, movements]) => {
        const firstPurchase = movements.find((m) => m.type === 'BUY' || m.type === 'TRANSFER_IN')?.date;
        if (!firstPurchase) return;
        const actions = await this.market.corporateActions(symbol, firstPurchase, today, portfolio.ownerId);
        for (const action of actions) {
          const suggestion = this.suggest(portfolioId, action, movements);
          if (suggestion && !hidden.has(`${suggestion.type}|${symbol}|${action.exDate}`)) suggestions.push(suggestion);
        }
      }),
    );
    return suggestions.sort((a, b) => a.date.localeCompare(b.date) || a.symbol.localeCompare(b.symbol) || a.type.localeCompare(b.type));
  }

  private suggest(portfolioId: string, action: CorporateAction, movements: readonly Movement[]): SuggestedTransaction | null {
    const date = action.type === 'DIVIDEND' ? (action.payDate ?? action.exDate) : action.exDate;
    // Already in the ledger: the same type and symbol on its date (a dividend on its ex- or payment date).
    const recorded = movements.some((m) => m.type === action.type && (m.date === date || m.date === action.exDate));
    if (recorded) return null;
    let held = new Decimal(0);
    for (const m of movements) if (m.date < action.exDate) held = applyMovement(held, m);
    if (held.lte(0)) return null;
    const key: SuggestionKey = { portfolioId, type: action.type, symbol: action.symbol, exDate: action.exDate };
    const perShare = action.amountPerShare === null ? null : new Decimal(action.amountPerShare);
    return {
      id: suggestionId(key),
      portfolioId,
      type: action.type,
      symbol: action.symbol,
      date,
      exDate: action.type === 'DIVIDEND' ? action.exDate : null,
      amountPerShare: perShare,
      amount: perShare === null ? null : perShare.times(held),
      currency: action.currency,
      splitFrom: action.splitFrom === null ? null : new Decimal(action.splitFrom),
      splitTo: action.splitTo === null ? null : new Decimal(action.splitTo),
      source: action.source,
    };
  }

  /**
   * Records the suggestion through `record` once: concurrent accepts of one suggestion wait for
   * each other (an advisory lock held until the first has committed), so the second sees it
   * recorded and is a CONFLICT.
   */
  async accept<T>(
    id: string,
    input: TransactionInput | null | undefined,
    record: (portfolioId: string, input: TransactionInput) => Promise<T>,
  ): Promise<T> {
    if (!parseSuggestionId(id)) throw notFound('SuggestedTransaction');
    return this.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`suggestion:${id}`}, 0))::text AS locked`;
        const chosen = await this.transactionFor(id, input);
        return record(chosen.portfolioId, chosen.input);
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }

  /**
   * The suggestion as a transaction to record (`input`'s fields correct it: e.g. the amount
   * received, the tax withheld as fee). NOT_FOUND when the market data no longer reports it or
   * nothing was held; CONFLICT when the ledger already has it (accepted before).
   */
  async transactionFor(id: string, input: TransactionInput | null | undefined): Promise<{ portfolioId: string; input: TransactionInput }> {
    const key = parseSuggestionId(id);
    if (!key) throw notFound('SuggestedTransaction');
    const suggestion = (await this.list(key.portfolioId, { includeDismissed: true })).find((s) => s.id === id);
    if (!suggestion) {
      if (await this.recorded(key)) throw conflict('This suggestion is already recorded in the ledger');
      throw notFound('SuggestedTransaction');
    }
    const base: TransactionInput =
      suggestion.type === 'SPLIT'
        ? { type: 'SPLIT', date: suggestion.date, symbol: suggestion.symbol, splitFrom: suggestion.splitFrom, splitTo: suggestion.splitTo }
        : {
            type: 'DIVIDEND',
            date: suggestion.date,
            symbol: suggestion.symbol,
            amount: suggestion.amount!.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN),
            currency: suggestion.currency,
          };
    const corrections = Object.fromEntries(Object.entries(input ?? {}).filter(([, value]) => value !== null && value !== undefined));
    return { portfolioId: key.portfolioId, input: { ...base, ...corrections, type: base.type, symbol: base.symbol } };
  }

  /** Whether the ledger has the key's action (same type and symbol on or after its ex-date's day). */
  async recorded(key: SuggestionKey): Promise<boolean> {
    const exDate = new Date(`${key.exDate}T00:00:00Z`);
    const found = await this.db.transaction.findFirst({
      where: {
        portfolioId: key.portfolioId,
        type: key.type,
        symbol: key.symbol,
        date: { gte: exDate, lte: new Date(`${addDays(key.exDate, 45)}T00:00:00Z`) },
      },
      select: { id: true },
    });
    return found !== null;
  }

  /** Hides the suggestion (idempotent). NOT_FOUND for an id that is not one. */
  async dismiss(id: string): Promise<void> {
    const key = parseSuggestionId(id);
    if (!key) throw notFound('SuggestedTransaction');
    await this.db.dismissedSuggestion.upsert({
      where: {
        portfolioId_type_symbol_exDate: {
          portfolioId: key.portfolioId,
          type: key.type,
          symbol: key.symbol,
          exDate: new Date(`${key.exDate}T00:00:00Z`),
        },
      },
      create: { portfolioId: key.portfolioId, type: key.type, symbol: key.symbol, exDate: new Date(`${key.exDate}T00:00:00Z`) },
      update: {},
    });
  }
}
