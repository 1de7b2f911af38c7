/**
 * BENCHMARK BASELINE, not used by the app: the ledger replay as it was before the fixed-point
 * engine (decimal.js objects for every figure), kept byte for byte apart from this comment and
 * its import path, so bench/ledger.bench.ts can time both on the same transactions in one run.
 */
/**
 * The ledger: a portfolio's transactions replayed in date order into lots, holdings, realized
 * gains and cash balances (rules: shared/contract/README.md, "Ledger"). Pure: decimals in,
 * figures out; no I/O, no framework.
 *
 * - BUY and TRANSFER_IN open a lot: costPerShare = (amount + fee) / quantity, amount = quantity
 *   × price, in the transaction's currency; its cost in base currency uses the transaction's own
 *   fxRate (units of base per unit of its currency).
 * - SELL and TRANSFER_OUT close open lots of the symbol by the cost basis method (FIFO, LIFO,
 *   HIFO = highest costPerShare first, AVERAGE = one pooled cost per symbol) or by the lots the
 *   transaction names (specific identification). A SELL realizes, per lot part, proceeds share −
 *   cost share in base currency (proceeds = quantity × price − fee at the SELL's fxRate); a
 *   TRANSFER_OUT moves the position out and realizes nothing.
 * - SPLIT multiplies every open lot of its symbol by splitTo / splitFrom (quantity up, cost per
 *   share down; cost basis unchanged) on its date.
 * - Cash per currency (major units: GBp counts as GBP / 100): DEPOSIT, SELL, DIVIDEND, INTEREST
 *   bring cash in, WITHDRAWAL, BUY, FEE, TAX take it out; fees are always paid; DIVIDEND and
 *   INTEREST fees are the tax withheld. Cash is tracked only when the ledger has any DEPOSIT or
 *   WITHDRAWAL.
 *
 * Transactions of one date apply in the order given (the caller orders them by when they were
 * recorded). A transaction that breaks a rule (selling more than is held, naming a lot that is
 * closed or not yet opened, a dividend of a symbol never held) is reported as a problem naming
 * its field, and skipped, so the replay goes on and reports every problem.
 */
import { Decimal } from 'decimal.js';
import { majorUnit } from '../../src/platform/currency-units.js';

/**
 * 40 significant digits: products of DECIMAL(18,8) columns (36 digits) and their sums stay exact
 * (to far below the 8 decimal places printed); divisions (cost per share) round at the 40th.
 */
export const LedgerDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type LedgerDecimal = Decimal;

export const TRANSACTION_TYPES = [
  'BUY',
  'SELL',
  'DIVIDEND',
  'INTEREST',
  'FEE',
  'TAX',
  'SPLIT',
  'DEPOSIT',
  'WITHDRAWAL',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'CONVERSION',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const COST_BASIS_METHODS = ['FIFO', 'LIFO', 'HIFO', 'AVERAGE'] as const;
export type CostBasisMethod = (typeof COST_BASIS_METHODS)[number];

/** The same day a year later (28 February for 29 February). */
function firstAnniversary(ymd: string): string {
  const monthDay = ymd.slice(5);
  return `${String(Number(ymd.slice(0, 4)) + 1).padStart(4, '0')}-${monthDay === '02-29' ? '02-28' : monthDay}`;
}

type DecimalText = Decimal | string;

/** One transaction as the ledger reads it (checked already: see ./rules.ts). */
export interface LedgerTransaction {
  id: string;
  type: TransactionType;
  /** YYYY-MM-DD */
  date: string;
  symbol: string | null;
  quantity: DecimalText | null;
  price: DecimalText | null;
  /** Cash moved before fee and tax, in `currency` (quantity × price for BUY/SELL/TRANSFER). */
  amount: DecimalText;
  fee: DecimalText;
  currency: string;
  /** Units of base currency per unit of `currency`. */
  fxRate: DecimalText;
  splitFrom: DecimalText | null;
  splitTo: DecimalText | null;
  /** SELL / TRANSFER_OUT: the lots to close, in this order. */
  lotIds: readonly string[] | null;
}

export interface Lot {
  /** The id of the transaction that opened it. */
  id: string;
  symbol: string;
  openedOn: string;
  /** Quantity opened, split-adjusted. */
  quantity: Decimal;
  remainingQuantity: Decimal;
  /** In the lot's currency, split-adjusted (pooled under AVERAGE after a sale). */
  costPerShare: Decimal;
  /** In base currency at the opening transaction's fxRate (pooled under AVERAGE after a sale). */
  costPerShareBase: Decimal;
  currency: string;
  closedOn: string | null;
}

export interface RealizedGain {
  sellId: string;
  symbol: string;
  lotId: string;
  openedOn: string;
  closedOn: string;
  quantity: Decimal;
  /** Base currency. */
  proceeds: Decimal;
  costBasis: Decimal;
  gain: Decimal;
  longTerm: boolean;
}

export interface LedgerProblem {
  transactionId: string;
  field: string;
  message: string;
}

export interface LedgerState {
  method: CostBasisMethod;
  /** Every lot ever opened, in opening order. */
  lots: Lot[];
  realized: RealizedGain[];
  /** Cash per major currency (only meaningful when tracksCash). */
  cash: Map<string, Decimal>;
  tracksCash: boolean;
  problems: LedgerProblem[];
}

export interface ReplayOptions {
  method: CostBasisMethod;
  /**
   * What-if: close every SELL by `method`, ignoring the lots transactions name. Off: a SELL
   * with lotIds closes those lots, the others use `method`.
   */
  ignoreLotIds?: boolean;
}

const ZERO = new LedgerDecimal(0);
const ONE = new LedgerDecimal(1);
const d = (value: DecimalText | null | undefined): Decimal => {
  if (value == null || value === '0') return ZERO;
  if (value === '1') return ONE;
  return new LedgerDecimal(value.toString());
};
/** x × rate, skipping the multiplication for the common rate of 1. */
const atRate = (x: Decimal, rate: Decimal): Decimal => (rate === ONE ? x : x.times(rate));

/** Whole days from `from` to `to` (YYYY-MM-DD, UTC). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Stable: transactions of one date keep the order given. */
export function inLedgerOrder<T extends { date: string }>(transactions: readonly T[]): T[] {
  return transactions
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (a.t.date < b.t.date ? -1 : a.t.date > b.t.date ? 1 : a.i - b.i))
    .map(({ t }) => t);
}

/** Replays the transactions (in ledger order: see inLedgerOrder). */
export function replay(transactions: readonly LedgerTransaction[], options: ReplayOptions): LedgerState {
  const state: LedgerState = { method: options.method, lots: [], realized: [], cash: new Map(), tracksCash: false, problems: [] };
  const openBySymbol = new Map<string, Lot[]>();
  const lotById = new Map<string, Lot>();
  const heldOnce = new Set<string>();
  // Where each lot-opening transaction is, to tell "not opened yet" from "no such lot".
  const opening = new Map(transactions.filter(opensLot).map((t) => [t.id, t]));

  const units = new Map<string, { currency: string; factor: Decimal | null }>();
  const addCash = (currency: string, amount: Decimal) => {
    if (amount.isZero()) return;
    let unit = units.get(currency);
    if (!unit) {
      const major = majorUnit(currency);
      unit = { currency: major.currency, factor: major.factor.eq(1) ? null : major.factor };
      units.set(currency, unit);
    }
    state.cash.set(unit.currency, (state.cash.get(unit.currency) ?? ZERO).plus(unit.factor ? amount.times(unit.factor) : amount));
  };
  const problem = (t: LedgerTransaction, field: string, message: string) => state.problems.push({ transactionId: t.id, field, message });
  const average = options.method === 'AVERAGE';
  // AVERAGE: per symbol, the open shares and what they cost (base currency, and the lots' own).
  const pools = new Map<string, Pool>();

  for (const t of transactions) {
    const amount = d(t.amount);
    const fee = d(t.fee);
    switch (t.type) {
      case 'BUY':
      case 'TRANSFER_IN': {
        const symbol = t.symbol!;
        const quantity = d(t.quantity);
        const cost = fee.isZero() ? amount : amount.plus(fee);
        const costPerShare = cost.div(quantity);
        const rate = d(t.fxRate);
        const lot: Lot = {
          id: t.id,
          symbol,
          openedOn: t.date,
          quantity,
          remainingQuantity: quantity,
          costPerShare,
          costPerShareBase: atRate(costPerShare, rate),
          currency: t.currency,
          closedOn: null,
        };
        state.lots.push(lot);
        lotById.set(lot.id, lot);
        const open = openBySymbol.get(symbol) ?? [];
        open.push(lot);
        openBySymbol.set(symbol, open);
        heldOnce.add(symbol);
        if (average) {
          const pool = pools.get(symbol) ?? { quantity: ZERO, base: ZERO, local: ZERO, currency: lot.currency, sameCurrency: true };
          pool.quantity = pool.quantity.plus(quantity);
          pool.base = pool.base.plus(atRate(cost, rate));
          pool.local = pool.local.plus(cost);
          pool.sameCurrency &&= pool.currency === lot.currency;
          pools.set(symbol, pool);
        }
        addCash(t.currency, t.type === 'BUY' ? cost.neg() : fee.neg());
        break;
      }
      case 'SELL':
      case 'TRANSFER_OUT': {
        const symbol = t.symbol!;
        const open = openBySymbol.get(symbol) ?? [];
        const quantity = d(t.quantity);
        const chosen =
          options.ignoreLotIds || !t.lotIds?.length
            ? pickByMethod(open, quantity, options.method)
            : pickNamed(t, quantity, lotById, opening, problem);
        if (!chosen) {
          if (!t.lotIds?.length || options.ignoreLotIds) {
            const held = open.reduce((sum, lot) => sum.plus(lot.remainingQuantity), ZERO);
            problem(t, 'quantity', `is more than the ${held.toFixed()} ${symbol} held on ${t.date}`);
          }
          break;
        }
        const proceedsBase = atRate(fee.isZero() ? amount : amount.minus(fee), d(t.fxRate));
        // Each part's share of the proceeds; the last part takes what is left, so they sum exactly.
        const proceedsPerShare = chosen.length > 1 ? proceedsBase.div(quantity) : ZERO;
        let proceedsLeft = proceedsBase;
        // AVERAGE: every share out of the pool costs the pool's average.
        const pool = average ? pools.get(symbol) : undefined;
        const poolCostPerShare = pool && !pool.quantity.isZero() ? pool.base.div(pool.quantity) : null;
        if (pool && poolCostPerShare) {
          const localPerShare = pool.local.div(pool.quantity);
          pool.quantity = pool.quantity.minus(quantity);
          pool.base = pool.quantity.isZero() ? ZERO : pool.base.minus(poolCostPerShare.times(quantity));
          pool.local = pool.quantity.isZero() ? ZERO : pool.local.minus(localPerShare.times(quantity));
        }
        for (let i = 0; i < chosen.length; i++) {
          const { lot, quantity: part } = chosen[i]!;
          if (t.type === 'SELL') {
            const costBasis = part.times(poolCostPerShare ?? lot.costPerShareBase);
            const proceeds = i === chosen.length - 1 ? proceedsLeft : proceedsPerShare.times(part);
            proceedsLeft = proceedsLeft.minus(proceeds);
            state.realized.push({
              sellId: t.id,
              symbol,
              lotId: lot.id,
              openedOn: lot.openedOn,
              closedOn: t.date,
              quantity: part,
              proceeds,
              costBasis,
              gain: proceeds.minus(costBasis),
              // IRS Publication 550: long term when sold after the purchase's first anniversary.
              longTerm: t.date > firstAnniversary(lot.openedOn),
            });
          }
          lot.remainingQuantity = lot.remainingQuantity.minus(part);
          if (lot.remainingQuantity.isZero()) lot.closedOn = t.date;
        }
        if (chosen.some(({ lot }) => lot.remainingQuantity.isZero())) {
          openBySymbol.set(
            symbol,
            open.filter((lot) => !lot.remainingQuantity.isZero()),
          );
        }
        addCash(t.currency, t.type === 'SELL' ? amount.minus(fee) : fee.neg());
        break;
      }
      case 'SPLIT': {
        const ratio = d(t.splitTo).div(d(t.splitFrom));
        const pool = pools.get(t.symbol!);
        if (pool) pool.quantity = pool.quantity.times(ratio);
        for (const lot of openBySymbol.get(t.symbol!) ?? []) {
          lot.quantity = lot.quantity.times(ratio);
          lot.remainingQuantity = lot.remainingQuantity.times(ratio);
          lot.costPerShare = lot.costPerShare.div(ratio);
          lot.costPerShareBase = lot.costPerShareBase.div(ratio);
        }
        addCash(t.currency, fee.neg());
        break;
      }
      case 'DIVIDEND':
        if (!heldOnce.has(t.symbol!)) {
          problem(t, 'symbol', `${t.symbol} was never held on or before ${t.date}`);
          break;
        }
        addCash(t.currency, amount.minus(fee));
        break;
      case 'INTEREST':
        addCash(t.currency, amount.minus(fee));
        break;
      case 'DEPOSIT':
        state.tracksCash = true;
        addCash(t.currency, amount.minus(fee));
        break;
      case 'WITHDRAWAL':
        state.tracksCash = true;
        addCash(t.currency, amount.plus(fee).neg());
        break;
      case 'FEE':
      case 'TAX':
        addCash(t.currency, amount.plus(fee).neg());
        break;
    }
  }
  if (average) {
    // The pooled cost is what every open lot carries.
    for (const [symbol, pool] of pools) {
      if (pool.quantity.isZero()) continue;
      const base = pool.base.div(pool.quantity);
      const local = pool.local.div(pool.quantity);
      for (const lot of openBySymbol.get(symbol) ?? []) {
        lot.costPerShareBase = base;
        if (pool.sameCurrency) lot.costPerShare = local;
      }
    }
  }
  return state;
}

interface Pool {
  quantity: Decimal;
  base: Decimal;
  local: Decimal;
  currency: string;
  sameCurrency: boolean;
}

function opensLot(t: LedgerTransaction): boolean {
  return t.type === 'BUY' || t.type === 'TRANSFER_IN';
}

interface LotPart {
  lot: Lot;
  quantity: Decimal;
}

/** Lots in the order the method closes them, taking `quantity` in all; null when not enough is held. */
function pickByMethod(open: readonly Lot[], quantity: Decimal, method: CostBasisMethod): LotPart[] | null {
  const order =
    method === 'LIFO'
      ? [...open].reverse()
      : method === 'HIFO'
        ? // Highest cost first (in base currency, what the gain is measured in); ties oldest first.
          open
            .map((lot, i) => ({ lot, i }))
            .sort((a, b) => b.lot.costPerShareBase.comparedTo(a.lot.costPerShareBase) || a.i - b.i)
            .map(({ lot }) => lot)
        : open; // FIFO; AVERAGE closes oldest first at the pooled cost every lot carries
  return take(order, quantity);
}

function take(order: readonly Lot[], quantity: Decimal): LotPart[] | null {
  const parts: LotPart[] = [];
  let left = quantity;
  for (const lot of order) {
    if (left.isZero()) break;
    const part = left.lt(lot.remainingQuantity) ? left : lot.remainingQuantity;
    if (part.isZero()) continue;
    parts.push({ lot, quantity: part });
    left = left.minus(part);
  }
  return left.isZero() ? parts : null;
}

/** Specific identification: the named lots, in the order named; problems reported here. */
function pickNamed(
  t: LedgerTransaction,
  quantity: Decimal,
  lotById: ReadonlyMap<string, Lot>,
  opening: ReadonlyMap<string, LedgerTransaction>,
  problem: (t: LedgerTransaction, field: string, message: string) => void,
): LotPart[] | null {
  const lots: Lot[] = [];
  let ok = true;
  for (const id of t.lotIds!) {
    const lot = lotById.get(id);
    const opener = opening.get(id);
    if (!opener || opener.symbol !== t.symbol) {
      problem(t, 'lotIds', `${id} is not a lot of ${t.symbol} in this portfolio`);
      ok = false;
    } else if (!lot) {
      problem(t, 'date', `is before lot ${id}, opened on ${opener.date}`);
      ok = false;
    } else if (lot.remainingQuantity.isZero()) {
      problem(t, 'lotIds', `lot ${id} was closed on ${lot.closedOn}`);
      ok = false;
    } else if (lots.includes(lot)) {
      problem(t, 'lotIds', `names lot ${id} twice`);
      ok = false;
    } else {
      lots.push(lot);
    }
  }
  if (!ok) return null;
  const parts = take(lots, quantity);
  if (!parts) {
    const held = lots.reduce((sum, lot) => sum.plus(lot.remainingQuantity), ZERO);
    problem(t, 'quantity', `is more than the ${held.toFixed()} ${t.symbol} left in the lots named`);
  }
  return parts;
}

// ---------------------------------------------------------------------------------- summaries

export interface HoldingSummary {
  symbol: string;
  quantity: Decimal;
  /** The currency of its lots (base currency when they are in several). */
  currency: string;
  /** Per share, in `currency`. */
  averageCost: Decimal;
  /** Base currency. */
  costBasis: Decimal;
  /** Cost in `currency`. */
  costLocal: Decimal;
  lots: Lot[];
}

/** Open positions per symbol, in the order they were first opened. */
export function holdingsOf(state: LedgerState, baseCurrency: string): HoldingSummary[] {
  const bySymbol = new Map<string, Lot[]>();
  for (const lot of state.lots) {
    if (lot.remainingQuantity.isZero()) continue;
    const lots = bySymbol.get(lot.symbol) ?? [];
    lots.push(lot);
    bySymbol.set(lot.symbol, lots);
  }
  return [...bySymbol].map(([symbol, lots]) => {
    const quantity = lots.reduce((sum, lot) => sum.plus(lot.remainingQuantity), ZERO);
    const costBasis = lots.reduce((sum, lot) => sum.plus(lot.remainingQuantity.times(lot.costPerShareBase)), ZERO);
    const sameCurrency = lots.every((lot) => lot.currency === lots[0]!.currency);
    const currency = sameCurrency ? lots[0]!.currency : baseCurrency;
    const costLocal = sameCurrency ? lots.reduce((sum, lot) => sum.plus(lot.remainingQuantity.times(lot.costPerShare)), ZERO) : costBasis;
    return { symbol, quantity, currency, averageCost: costLocal.div(quantity), costBasis, costLocal, lots };
  });
}

export interface RealizedSummary {
  items: RealizedGain[];
  total: Decimal;
  shortTerm: Decimal;
  longTerm: Decimal;
}

/** Realized gains closed within [from, to] (inclusive; either bound may be open). */
export function realizedBetween(state: LedgerState, from: string | null, to: string | null): RealizedSummary {
  const items = state.realized.filter((r) => (from === null || r.closedOn >= from) && (to === null || r.closedOn <= to));
  let shortTerm = ZERO;
  let longTerm = ZERO;
  for (const item of items) {
    if (item.longTerm) longTerm = longTerm.plus(item.gain);
    else shortTerm = shortTerm.plus(item.gain);
  }
  return { items, total: shortTerm.plus(longTerm), shortTerm, longTerm };
}

/** Cash per major currency, largest code order; empty when the ledger does not track cash. */
export function cashBalancesOf(state: LedgerState): Array<{ currency: string; amount: Decimal }> {
  if (!state.tracksCash) return [];
  return [...state.cash].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, amount]) => ({ currency, amount }));
}
