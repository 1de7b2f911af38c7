/**
 * The ledger: a portfolio's transactions replayed in date order into lots, holdings, realized
 * gains and cash balances (rules: shared/contract/README.md, "Ledger"). Pure: decimals in,
 * figures out; no I/O, no framework.
 *
 * - BUY and TRANSFER_IN open a lot whose cost is amount + fee (amount = quantity × price), in the
 *   transaction's currency; its cost in base currency uses the transaction's own fxRate (units of
 *   base per unit of its currency). A lot keeps its total cost, exactly, and what is left of it
 *   after sales; per-share figures are derived (so 6 shares bought for 4396.735 cost 4396.735,
 *   not 6 × 732.7891666…).
 * - SELL and TRANSFER_OUT close open lots of the symbol by the cost basis method (FIFO, LIFO,
 *   HIFO = highest costPerShare first, AVERAGE = one pooled cost per symbol) or by the lots the
 *   transaction names (specific identification). A SELL realizes, per lot part, proceeds share −
 *   cost share in base currency (proceeds = quantity × price − fee at the SELL's fxRate); a
 *   TRANSFER_OUT moves the position out and realizes nothing.
 * - SPLIT multiplies every open lot of its symbol by splitTo / splitFrom (quantity up, cost per
 *   share down; cost basis unchanged) on its date; quantities are rounded to 8 decimal places
 *   (what a quantity column holds), so what is held can always be sold to zero.
 * - A SELL closes lots by the method recorded with it (the method in force when it was recorded:
 *   an elected method applies forward), else by the replay's; a what-if replay closes every SELL
 *   by its method. Long term: sold after the first anniversary of the purchase (IRS Publication
 *   550: the holding period starts the day after the purchase).
 * - CONVERSION takes amount + fee out of `currency`'s cash and puts toAmount into `toCurrency`'s.
 * - Cash per currency (major units: GBp counts as GBP / 100): DEPOSIT, SELL, DIVIDEND, INTEREST
 *   bring cash in, WITHDRAWAL, BUY, FEE, TAX take it out; fees are always paid; DIVIDEND and
 *   INTEREST fees are the tax withheld. Cash is tracked only when the ledger has any DEPOSIT or
 *   WITHDRAWAL.
 *
 * Transactions of one date apply in the order given (the caller orders them by when they were
 * recorded). A transaction that breaks a rule (selling more than is held, naming a lot that is
 * closed or not yet opened, a dividend of a symbol never held) is reported as a problem naming
 * its field, and skipped, so the replay goes on and reports every problem.
 *
 * Arithmetic is fixed point (./fixed.ts: bigints of 10^-30); the figures it returns are
 * decimal.js values for callers, plus the raw fixed-point fields for fast printing.
 */
import type { Decimal } from 'decimal.js';
import { majorUnit } from '../../platform/currency-units.js';
import { div, FIXED_PLACES, formatFixed, mul, mulDiv, roundDiv, toDecimal, toFixedPoint } from './fixed.js';

export { LedgerDecimal } from './fixed.js';

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

/** The dates at which a quantity rounds: 8 decimal places, as the quantity columns hold. */
export const QUANTITY_PLACES = 8;
const QUANTITY_QUANTUM = 10n ** BigInt(FIXED_PLACES - QUANTITY_PLACES);

/**
 * The first anniversary of a purchase date (YYYY-MM-DD): the same day a year later, 28 February
 * for a purchase on 29 February.
 */
export function firstAnniversary(purchased: string): string {
  const year = String(Number(purchased.slice(0, 4)) + 1).padStart(4, '0');
  const monthDay = purchased.slice(5);
  return `${year}-${monthDay === '02-29' ? '02-28' : monthDay}`;
}

/**
 * Whether a sale is long term: IRS Publication 550 ("Holding Period"): the holding period starts
 * the day after the purchase, and a gain is long term when the asset was held more than one
 * year, i.e. sold after the first anniversary of the purchase (bought 2019-09-19: sold
 * 2020-09-19 is short term, 2020-09-20 long term, leap day or not).
 */
export function isLongTerm(purchased: string, sold: string): boolean {
  return sold > firstAnniversary(purchased);
}

/** A decimal: exact text, a decimal.js value, or already fixed point (./fixed.ts: what the service's decoder gives). */
type DecimalText = Decimal | string | bigint;

/** One transaction as the ledger reads it (checked already: see ../transaction-rules.ts). */
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
  /** SELL / TRANSFER_OUT: the method in force when it was recorded (null: the replay's). */
  costBasisMethod?: CostBasisMethod | null;
  /** CONVERSION: what arrives, in `toCurrency`. */
  toAmount?: DecimalText | null;
  toCurrency?: string | null;
}

/**
 * Shares opened by one BUY / TRANSFER_IN. The `…Fixed` fields are fixed point (./fixed.ts);
 * the getters give the same figures as decimal.js values.
 */
export class Lot {
  /** Shares opened, split-adjusted. */
  quantityFixed: bigint;
  remainingFixed: bigint;
  /** What the opened shares cost (amount + fee), in the lot's currency; pooled under AVERAGE. */
  costFixed: bigint;
  /** The same in base currency, at the opening transaction's fxRate; pooled under AVERAGE. */
  costBaseFixed: bigint;
  /** What the remaining shares cost: the totals less what sales took from them, exactly. */
  remainingCostFixed: bigint;
  remainingCostBaseFixed: bigint;
  closedOn: string | null = null;

  constructor(
    /** Its place in opening order (0, 1, …). */
    readonly seq: number,
    /** The id of the transaction that opened it. */
    readonly id: string,
    readonly symbol: string,
    readonly openedOn: string,
    readonly currency: string,
    quantity: bigint,
    cost: bigint,
    costBase: bigint,
  ) {
    this.quantityFixed = quantity;
    this.remainingFixed = quantity;
    this.costFixed = cost;
    this.costBaseFixed = costBase;
    this.remainingCostFixed = cost;
    this.remainingCostBaseFixed = costBase;
  }

  get isOpen(): boolean {
    return this.remainingFixed !== 0n;
  }
  /** Quantity opened, split-adjusted. */
  get quantity(): Decimal {
    return toDecimal(this.quantityFixed);
  }
  get remainingQuantity(): Decimal {
    return toDecimal(this.remainingFixed);
  }
  /** In the lot's currency, split-adjusted (pooled under AVERAGE after a sale). */
  get costPerShareFixed(): bigint {
    return this.quantityFixed === 0n ? 0n : div(this.costFixed, this.quantityFixed);
  }
  get costPerShare(): Decimal {
    return toDecimal(this.costPerShareFixed);
  }
  /** In base currency. */
  get costPerShareBase(): Decimal {
    return toDecimal(this.quantityFixed === 0n ? 0n : div(this.costBaseFixed, this.quantityFixed));
  }
}

/** One lot part a SELL closed; amounts in base currency. */
export class RealizedGain {
  constructor(
    readonly sellId: string,
    readonly symbol: string,
    readonly lotId: string,
    readonly openedOn: string,
    readonly closedOn: string,
    readonly quantityFixed: bigint,
    readonly proceedsFixed: bigint,
    readonly costBasisFixed: bigint,
    readonly longTerm: boolean,
  ) {}

  get gainFixed(): bigint {
    return this.proceedsFixed - this.costBasisFixed;
  }
  get quantity(): Decimal {
    return toDecimal(this.quantityFixed);
  }
  get proceeds(): Decimal {
    return toDecimal(this.proceedsFixed);
  }
  get costBasis(): Decimal {
    return toDecimal(this.costBasisFixed);
  }
  get gain(): Decimal {
    return toDecimal(this.gainFixed);
  }
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
  /** Cash per major currency, fixed point (only meaningful when tracksCash). */
  cash: Map<string, bigint>;
  tracksCash: boolean;
  problems: LedgerProblem[];
}

export interface ReplayOptions {
  /** The method of SELLs that recorded none (the portfolio's current one). */
  method: CostBasisMethod;
  /**
   * What-if: close every SELL by `method`, ignoring the lots transactions name and the methods
   * they recorded. Off: a SELL with lotIds closes those lots, the others use the method they
   * recorded (else `method`).
   */
  ignoreLotIds?: boolean;
}

const fixed = (value: DecimalText | null | undefined): bigint =>
  typeof value === 'bigint' ? value : value == null ? 0n : toFixedPoint(value);

/** Days since the epoch of a YYYY-MM-DD (UTC). */
function dayNumber(ymd: string): number {
  return Math.round(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);
}

/** Whole days from `from` to `to` (YYYY-MM-DD, UTC). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Stable: transactions of one date keep the order given. */
export function inLedgerOrder<T extends { date: string }>(transactions: readonly T[]): T[] {
  return transactions
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (a.t.date < b.t.date ? -1 : a.t.date > b.t.date ? 1 : a.i - b.i))
    .map(({ t }) => t);
}

/** AVERAGE: per symbol, the open shares and what they cost (base currency, and the lots' own). */
interface Pool {
  quantity: bigint;
  base: bigint;
  local: bigint;
  currency: string;
  sameCurrency: boolean;
  /** A sale by AVERAGE left the lots' own remaining costs behind the pool's. */
  averaged?: boolean;
}

/** Replays the transactions (in ledger order: see inLedgerOrder). */
export function replay(transactions: readonly LedgerTransaction[], options: ReplayOptions): LedgerState {
  const state: LedgerState = { method: options.method, lots: [], realized: [], cash: new Map(), tracksCash: false, problems: [] };
  const method = options.method;
  // Each symbol's open lots in the order the method closes them (HIFO: highest cost first).
  const openBySymbol = new Map<string, Lot[]>();
  const heldOnce = new Set<string>();
  // Only a SELL that names its lots needs these (made at the first one: most ledgers have none):
  // the lots opened so far by id, and where each lot-opening transaction is, to tell "not opened
  // yet" from "no such lot".
  let lotById: Map<string, Lot> | null = null;
  let opening: Map<string, LedgerTransaction> | null = null;
  const units = new Map<string, { currency: string; factor: bigint }>();
  const addCash = (currency: string, amount: bigint) => {
    if (amount === 0n) return;
    let unit = units.get(currency);
    if (!unit) {
      const major = majorUnit(currency);
      unit = { currency: major.currency, factor: toFixedPoint(major.factor) };
      units.set(currency, unit);
    }
    state.cash.set(unit.currency, (state.cash.get(unit.currency) ?? 0n) + mul(amount, unit.factor));
  };
  const problem = (t: LedgerTransaction, field: string, message: string) => state.problems.push({ transactionId: t.id, field, message });
  const average = method === 'AVERAGE';
  const pools = new Map<string, Pool>();

  for (const t of transactions) {
    const amount = fixed(t.amount);
    const fee = fixed(t.fee);
    switch (t.type) {
      case 'BUY':
      case 'TRANSFER_IN': {
        const symbol = t.symbol!;
        const quantity = fixed(t.quantity);
        const cost = amount + fee;
        const lot = new Lot(state.lots.length, t.id, symbol, t.date, t.currency, quantity, cost, mul(cost, fixed(t.fxRate)));
        state.lots.push(lot);
        lotById?.set(lot.id, lot);
        let open = openBySymbol.get(symbol);
        if (!open) openBySymbol.set(symbol, (open = []));
        if (method === 'HIFO') open.splice(hifoPosition(open, lot), 0, lot);
        else open.push(lot);
        heldOnce.add(symbol);
        if (average) {
          const pool = pools.get(symbol) ?? { quantity: 0n, base: 0n, local: 0n, currency: lot.currency, sameCurrency: true };
          pool.quantity += quantity;
          pool.base += lot.costBaseFixed;
          pool.local += cost;
          pool.sameCurrency &&= pool.currency === lot.currency;
          pools.set(symbol, pool);
        }
        addCash(t.currency, t.type === 'BUY' ? -cost : -fee);
        break;
      }
      case 'SELL':
      case 'TRANSFER_OUT': {
        const symbol = t.symbol!;
        const open = openBySymbol.get(symbol) ?? [];
        const quantity = fixed(t.quantity);
        const named = !options.ignoreLotIds && (t.lotIds?.length ?? 0) > 0;
        if (named && !lotById) {
          lotById = new Map(state.lots.map((lot) => [lot.id, lot]));
          opening = new Map(transactions.filter(opensLot).map((o) => [o.id, o]));
        }
        // The method elected when this SELL was recorded; another than the replay's takes the slow path.
        const sellMethod = named || options.ignoreLotIds ? method : (t.costBasisMethod ?? method);
        const pool = average ? pools.get(symbol) : undefined;
        if (sellMethod !== method && pool?.averaged) {
          // A SELL by another method takes lots at the cost the pool gave them.
          spreadCost(open, pool.base, pool.sameCurrency ? pool.local : null, pool.quantity);
          pool.averaged = false;
        }
        const chosen = named
          ? pickNamed(t, quantity, lotById!, opening!, problem)
          : sellMethod === method
            ? take(open, quantity, method === 'LIFO')
            : take(inMethodOrder(open, sellMethod), quantity, sellMethod === 'LIFO');
        if (!chosen) {
          if (!named) {
            const held = open.reduce((sum, lot) => sum + lot.remainingFixed, 0n);
            problem(t, 'quantity', `is more than the ${formatFixed(held)} ${symbol} held on ${t.date}`);
          }
          break;
        }
        const proceedsBase = mul(amount - fee, fixed(t.fxRate));
        // Each part's share of the proceeds; the last part takes what is left, so they sum exactly.
        let proceedsLeft = proceedsBase;
        // AVERAGE: the shares leave the pool at its average cost, shared by the parts the same way.
        let pooledCost: bigint | null = null;
        // A SELL by AVERAGE in a replay by another method: the open lots' pool, spread back after.
        const adHoc = !average && sellMethod === 'AVERAGE' && t.type === 'SELL' ? poolOf(open) : null;
        if (adHoc) pooledCost = mulDiv(adHoc.base, quantity, adHoc.quantity);
        if (pool && pool.quantity !== 0n && sellMethod === 'AVERAGE') {
          pooledCost = mulDiv(pool.base, quantity, pool.quantity);
          const pooledLocal = mulDiv(pool.local, quantity, pool.quantity);
          pool.quantity -= quantity;
          pool.base = pool.quantity === 0n ? 0n : pool.base - pooledCost;
          pool.local = pool.quantity === 0n ? 0n : pool.local - pooledLocal;
          pool.averaged = true;
        }
        let pooledLeft = pooledCost ?? 0n;
        let closedAny = false;
        let takenBase = 0n;
        let takenLocal = 0n;
        for (let i = 0; i < chosen.length; i++) {
          const { lot, quantity: part } = chosen[i]!;
          const last = i === chosen.length - 1;
          const whole = part === lot.remainingFixed;
          const lotCostBase = whole ? lot.remainingCostBaseFixed : mulDiv(lot.remainingCostBaseFixed, part, lot.remainingFixed);
          const lotCost = whole ? lot.remainingCostFixed : mulDiv(lot.remainingCostFixed, part, lot.remainingFixed);
          if (t.type === 'SELL') {
            let costBasis = lotCostBase;
            if (pooledCost !== null) {
              costBasis = last ? pooledLeft : mulDiv(pooledCost, part, quantity);
              pooledLeft -= costBasis;
            }
            const proceeds = last ? proceedsLeft : mulDiv(proceedsBase, part, quantity);
            proceedsLeft -= proceeds;
            const longTerm = isLongTerm(lot.openedOn, t.date);
            state.realized.push(new RealizedGain(t.id, symbol, lot.id, lot.openedOn, t.date, part, proceeds, costBasis, longTerm));
          }
          takenBase += lotCostBase;
          takenLocal += lotCost;
          lot.remainingCostBaseFixed -= lotCostBase;
          lot.remainingCostFixed -= lotCost;
          lot.remainingFixed -= part;
          if (lot.remainingFixed === 0n) {
            lot.closedOn = t.date;
            closedAny = true;
          }
        }
        if (closedAny) dropClosed(open);
        if (pool && sellMethod !== 'AVERAGE') {
          // The lots carried the pool's average (spread above): the pool loses what they gave.
          pool.quantity -= quantity;
          pool.base = pool.quantity === 0n ? 0n : pool.base - takenBase;
          pool.local = pool.quantity === 0n ? 0n : pool.local - takenLocal;
        }
        if (adHoc)
          spreadCost(open, adHoc.base - pooledCost!, adHoc.sameCurrency ? adHoc.local - takenLocal : null, adHoc.quantity - quantity);
        addCash(t.currency, t.type === 'SELL' ? amount - fee : -fee);
        break;
      }
      case 'SPLIT': {
        const to = fixed(t.splitTo);
        const from = fixed(t.splitFrom);
        const pool = pools.get(t.symbol!);
        const open = openBySymbol.get(t.symbol!) ?? [];
        let held = 0n;
        for (const lot of open) {
          // To 8 places, like every stored quantity: 10 shares 1-for-3 are 3.33333333, sellable to zero.
          lot.quantityFixed = toQuantity(mulDiv(lot.quantityFixed, to, from));
          lot.remainingFixed = toQuantity(mulDiv(lot.remainingFixed, to, from));
          // A remainder below 0.00000001 (cash in lieu, at most) leaves no share to hold.
          if (lot.remainingFixed === 0n) lot.closedOn = t.date;
          held += lot.remainingFixed;
        }
        if (open.some((lot) => lot.remainingFixed === 0n)) dropClosed(open);
        if (pool) pool.quantity = held;
        addCash(t.currency, -fee);
        break;
      }
      case 'CONVERSION':
        addCash(t.currency, -(amount + fee));
        addCash(t.toCurrency!, fixed(t.toAmount));
        break;
      case 'DIVIDEND':
        if (!heldOnce.has(t.symbol!)) {
          problem(t, 'symbol', `${t.symbol} was never held on or before ${t.date}`);
          break;
        }
        addCash(t.currency, amount - fee);
        break;
      case 'INTEREST':
        addCash(t.currency, amount - fee);
        break;
      case 'DEPOSIT':
        state.tracksCash = true;
        addCash(t.currency, amount - fee);
        break;
      case 'WITHDRAWAL':
        state.tracksCash = true;
        addCash(t.currency, -(amount + fee));
        break;
      case 'FEE':
      case 'TAX':
        addCash(t.currency, -(amount + fee));
        break;
    }
  }
  if (average) {
    // The pooled cost is what every open lot carries; the open lots' shares of it sum to it exactly.
    for (const [symbol, pool] of pools) {
      if (pool.quantity === 0n) continue;
      const open = openBySymbol.get(symbol) ?? [];
      let baseLeft = pool.base;
      let localLeft = pool.local;
      open.forEach((lot, i) => {
        const last = i === open.length - 1;
        const base = last ? baseLeft : mulDiv(pool.base, lot.remainingFixed, pool.quantity);
        baseLeft -= base;
        lot.remainingCostBaseFixed = base;
        lot.costBaseFixed = mulDiv(pool.base, lot.quantityFixed, pool.quantity);
        if (pool.sameCurrency) {
          const local = last ? localLeft : mulDiv(pool.local, lot.remainingFixed, pool.quantity);
          localLeft -= local;
          lot.remainingCostFixed = local;
          lot.costFixed = mulDiv(pool.local, lot.quantityFixed, pool.quantity);
        }
      });
    }
  }
  return state;
}

/** A quantity rounded half-even to 8 decimal places. */
function toQuantity(value: bigint): bigint {
  return roundDiv(value, QUANTITY_QUANTUM) * QUANTITY_QUANTUM;
}

/** The open lots in the order `method` closes them (FIFO, LIFO: opening order; HIFO: highest cost first; AVERAGE: FIFO). */
function inMethodOrder(open: readonly Lot[], method: CostBasisMethod): Lot[] {
  const lots = [...open];
  if (method !== 'HIFO') return lots.sort((a, b) => a.seq - b.seq);
  // Highest remaining cost per share in base currency first, ties oldest first (compared without dividing).
  return lots.sort((a, b) => {
    const left = b.remainingCostBaseFixed * a.remainingFixed;
    const right = a.remainingCostBaseFixed * b.remainingFixed;
    return left < right ? -1 : left > right ? 1 : a.seq - b.seq;
  });
}

/** The open lots' pooled shares and cost. */
function poolOf(open: readonly Lot[]): Pool {
  const pool: Pool = { quantity: 0n, base: 0n, local: 0n, currency: open[0]?.currency ?? '', sameCurrency: true };
  for (const lot of open) {
    pool.quantity += lot.remainingFixed;
    pool.base += lot.remainingCostBaseFixed;
    pool.local += lot.remainingCostFixed;
    pool.sameCurrency &&= lot.currency === pool.currency;
  }
  return pool;
}

/** Gives the open lots their share (by remaining quantity) of a pooled cost; the shares sum to it exactly. */
function spreadCost(open: readonly Lot[], base: bigint, local: bigint | null, quantity: bigint): void {
  if (quantity === 0n) return;
  let baseLeft = base;
  let localLeft = local ?? 0n;
  open.forEach((lot, i) => {
    const last = i === open.length - 1;
    const shareBase = last ? baseLeft : mulDiv(base, lot.remainingFixed, quantity);
    baseLeft -= shareBase;
    lot.remainingCostBaseFixed = shareBase;
    if (local !== null) {
      const shareLocal = last ? localLeft : mulDiv(local, lot.remainingFixed, quantity);
      localLeft -= shareLocal;
      lot.remainingCostFixed = shareLocal;
    }
  });
}

function opensLot(t: LedgerTransaction): boolean {
  return t.type === 'BUY' || t.type === 'TRANSFER_IN';
}

/**
 * Where a lot goes in a HIFO list (highest cost per share in base currency first, what the gain
 * is measured in; ties oldest first): after every lot costing as much or more. Splits scale every
 * open lot of a symbol alike, so the order holds.
 */
function hifoPosition(open: readonly Lot[], lot: Lot): number {
  let lo = 0;
  let hi = open.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = open[mid]!;
    // other's cost per share ≥ lot's, compared without dividing.
    if (other.costBaseFixed * lot.quantityFixed >= lot.costBaseFixed * other.quantityFixed) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Removes closed lots from an open list, in place: by the method they leave from the front
 * (FIFO, HIFO, AVERAGE) or the back (LIFO), so that is cheap; lots named by a SELL anywhere.
 */
function dropClosed(open: Lot[]): void {
  let front = 0;
  while (front < open.length && open[front]!.remainingFixed === 0n) front++;
  if (front > 0) open.splice(0, front);
  let end = open.length;
  while (end > 0 && open[end - 1]!.remainingFixed === 0n) end--;
  open.length = end;
  if (open.some((lot) => lot.remainingFixed === 0n)) {
    const kept = open.filter((lot) => lot.remainingFixed !== 0n);
    open.length = 0;
    open.push(...kept);
  }
}

interface LotPart {
  lot: Lot;
  quantity: bigint;
}

/** `quantity` from the lots in order (or from the end: LIFO); null when not enough is held. */
function take(order: readonly Lot[], quantity: bigint, fromEnd = false): LotPart[] | null {
  const parts: LotPart[] = [];
  let left = quantity;
  for (let k = 0; k < order.length && left !== 0n; k++) {
    const lot = order[fromEnd ? order.length - 1 - k : k]!;
    const part = left < lot.remainingFixed ? left : lot.remainingFixed;
    if (part === 0n) continue;
    parts.push({ lot, quantity: part });
    left -= part;
  }
  return left === 0n ? parts : null;
}

/** Specific identification: the named lots, in the order named; problems reported here. */
function pickNamed(
  t: LedgerTransaction,
  quantity: bigint,
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
    } else if (lot.remainingFixed === 0n) {
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
    const held = lots.reduce((sum, lot) => sum + lot.remainingFixed, 0n);
    problem(t, 'quantity', `is more than the ${formatFixed(held)} ${t.symbol} left in the lots named`);
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
  /** Base currency: what the open shares cost, each lot at its own rate (exact). */
  costBasis: Decimal;
  /** Cost in `currency`. */
  costLocal: Decimal;
  lots: Lot[];
}

/** Open positions per symbol, in the order they were first opened. */
export function holdingsOf(state: LedgerState, baseCurrency: string): HoldingSummary[] {
  const bySymbol = new Map<string, Lot[]>();
  for (const lot of state.lots) {
    if (lot.remainingFixed === 0n) continue;
    const lots = bySymbol.get(lot.symbol) ?? [];
    lots.push(lot);
    bySymbol.set(lot.symbol, lots);
  }
  return [...bySymbol].map(([symbol, lots]) => {
    let quantity = 0n;
    let costBasis = 0n;
    let costLocal = 0n;
    for (const lot of lots) {
      quantity += lot.remainingFixed;
      costBasis += lot.remainingCostBaseFixed;
      costLocal += lot.remainingCostFixed;
    }
    const sameCurrency = lots.every((lot) => lot.currency === lots[0]!.currency);
    const currency = sameCurrency ? lots[0]!.currency : baseCurrency;
    if (!sameCurrency) costLocal = costBasis;
    return {
      symbol,
      quantity: toDecimal(quantity),
      currency,
      averageCost: toDecimal(div(costLocal, quantity)),
      costBasis: toDecimal(costBasis),
      costLocal: toDecimal(costLocal),
      lots,
    };
  });
}

export interface RealizedSummary {
  /** Without bounds, the state's own list (not a copy: do not change it). */
  items: readonly RealizedGain[];
  total: Decimal;
  shortTerm: Decimal;
  longTerm: Decimal;
}

/** Realized gains closed within [from, to] (inclusive; either bound may be open). */
export function realizedBetween(state: LedgerState, from: string | null, to: string | null): RealizedSummary {
  const items =
    from === null && to === null
      ? state.realized
      : state.realized.filter((r) => (from === null || r.closedOn >= from) && (to === null || r.closedOn <= to));
  let shortTerm = 0n;
  let longTerm = 0n;
  for (const item of items) {
    if (item.longTerm) longTerm += item.gainFixed;
    else shortTerm += item.gainFixed;
  }
  return { items, total: toDecimal(shortTerm + longTerm), shortTerm: toDecimal(shortTerm), longTerm: toDecimal(longTerm) };
}

/** Cash per major currency, largest code order; empty when the ledger does not track cash. */
export function cashBalancesOf(state: LedgerState): Array<{ currency: string; amount: Decimal }> {
  if (!state.tracksCash) return [];
  return [...state.cash].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, amount]) => ({ currency, amount: toDecimal(amount) }));
}
