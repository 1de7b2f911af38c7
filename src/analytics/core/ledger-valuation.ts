/**
 * The daily valuation of a ledger of transactions (shared/contract/README.md, "Ledger" and
 * "Analytics conventions"), in the portfolio's base currency, as the return figures read it.
 *
 * Only what the figures need is replayed here, in floating point: the quantity held of each
 * symbol (BUY/TRANSFER_IN add, SELL/TRANSFER_OUT take away, SPLIT multiplies), cash per currency
 * and the day's flows. Which lots a SELL closes does not change any value, so there is no lot
 * matching (that, and the exact decimals, are the ledger's own: src/ledger/core).
 *
 * Flows (F_t = inflows − outflows of the day, in base currency at each transaction's own rate):
 * - a cash portfolio (the ledger has any DEPOSIT or WITHDRAWAL) is worth its holdings plus its
 *   cash, and only DEPOSIT (+amount), WITHDRAWAL (−amount), TRANSFER_IN (+amount) and
 *   TRANSFER_OUT (−amount) cross its boundary; fees on them, and everything else, happen inside;
 * - a holdings portfolio is worth its holdings; BUY and TRANSFER_IN bring in what they cost
 *   (amount + fee), SELL, DIVIDEND, INTEREST and TRANSFER_OUT take out what they pay
 *   (amount − fee); FEE and TAX (amount + fee) and a SPLIT's fee are money put in that is gone,
 *   so they lower the return.
 */
import type { DateRange } from './dates.js';
import { closesOf, dayRange, type PriceTable } from './prices.js';

/** Daily portfolio valuation; values and flows are indexed like dates. */
export interface ValuationSeries {
  /** Valued days, ascending. */
  dates: string[];
  /** V_t: Σ quantity × close of the lots held on day t. */
  values: Float64Array;
  /** F_t: Σ cost of the purchases that count on day t. */
  flows: Float64Array;
  /**
   * Value on dates[0] of the lots bought before range.from (held at the start, so not flows):
   * the opening investment for a money-weighted return over the range.
   */
  openingValue: number;
}

export type LedgerEventType =
  | 'BUY'
  | 'SELL'
  | 'DIVIDEND'
  | 'INTEREST'
  | 'FEE'
  | 'TAX'
  | 'SPLIT'
  | 'DEPOSIT'
  | 'WITHDRAWAL'
  | 'TRANSFER_IN'
  | 'TRANSFER_OUT'
  | 'CONVERSION';

/** One transaction as the figures read it: numbers, already checked by the ledger. */
export interface LedgerEvent {
  type: LedgerEventType;
  /** YYYY-MM-DD */
  date: string;
  symbol: string | null;
  /** Units traded (0 when none). */
  quantity: number;
  /** Per unit, in `currency` (0 when none). */
  price: number;
  /** Cash moved before fee and tax, in `currency`. */
  amount: number;
  fee: number;
  /** The currency its cash moves in (a key of `fx`; any spelling, GBp included). */
  currency: string;
  /** Units of base currency per unit of `currency`, the transaction's own. */
  fxRate: number;
  /** SPLIT: splitTo / splitFrom; otherwise 1. */
  splitRatio: number;
  /** CONVERSION: what arrives (amount + fee leave `currency`), in `toCurrency`; not a flow. */
  toAmount?: number;
  toCurrency?: string;
}

export interface LedgerValuationInput {
  /** In ledger order (date, then as recorded); those dated after range.to are ignored. */
  events: readonly LedgerEvent[];
  prices: PriceTable;
  range: DateRange;
  /** The currency each symbol's closes are in; a symbol not named is priced in base currency. */
  priceCurrency: ReadonlyMap<string, string>;
  /**
   * Units of base currency per unit of a currency on each date of `prices.dates` (same
   * indexes); a currency not named is the base currency (rate 1).
   */
  fx: ReadonlyMap<string, Float64Array>;
}

/** The ledger's position at the end of the range: quantity per symbol still held. */
export type Positions = Map<string, number>;

const opensPosition = (type: LedgerEventType) => type === 'BUY' || type === 'TRANSFER_IN';

/** Whether the ledger tracks cash: any DEPOSIT or WITHDRAWAL, whatever its date. */
export function tracksCash(events: readonly LedgerEvent[]): boolean {
  return events.some((e) => e.type === 'DEPOSIT' || e.type === 'WITHDRAWAL');
}

/** F: the event's external flow in base currency (see the module comment). */
export function externalFlow(event: LedgerEvent, cashPortfolio: boolean): number {
  const { amount, fee, fxRate } = event;
  if (cashPortfolio) {
    switch (event.type) {
      case 'DEPOSIT':
      case 'TRANSFER_IN':
        return amount * fxRate;
      case 'WITHDRAWAL':
      case 'TRANSFER_OUT':
        return -amount * fxRate;
      default:
        return 0;
    }
  }
  switch (event.type) {
    case 'BUY':
    case 'TRANSFER_IN':
    case 'FEE':
    case 'TAX':
      return (amount + fee) * fxRate;
    case 'SPLIT':
      return fee * fxRate;
    case 'SELL':
    case 'DIVIDEND':
    case 'INTEREST':
    case 'TRANSFER_OUT':
      return -(amount - fee) * fxRate;
    default:
      return 0;
  }
}

/** The event's effect on cash in its currency (only counted when the ledger tracks cash). */
function cashChange(event: LedgerEvent): number {
  const { amount, fee } = event;
  switch (event.type) {
    case 'BUY':
    case 'FEE':
    case 'TAX':
    case 'WITHDRAWAL':
    case 'CONVERSION':
      return -(amount + fee);
    case 'SELL':
    case 'DIVIDEND':
    case 'INTEREST':
    case 'DEPOSIT':
      return amount - fee;
    default:
      return -fee; // SPLIT, TRANSFER_IN, TRANSFER_OUT
  }
}

/** One symbol while replaying: what is held and how to value it on a day. */
interface SymbolState {
  symbol: string;
  quantity: number;
  /** Base-currency value of what is held while the symbol has no close yet (its cost, pooled). */
  costValue: number;
  closes: Float64Array | undefined;
  /** Last close so far (NaN: none yet). */
  close: number;
  rates: Float64Array | undefined;
}

/** Quantities, costs and cash at one moment of the replay. */
interface Holdings {
  symbols: Map<string, SymbolState>;
  cash: Map<string, number>;
}

function apply(holdings: Holdings, event: LedgerEvent, cashPortfolio: boolean, newSymbol: (symbol: string) => SymbolState): void {
  if (cashPortfolio) {
    const change = cashChange(event);
    if (change !== 0) holdings.cash.set(event.currency, (holdings.cash.get(event.currency) ?? 0) + change);
    if (event.type === 'CONVERSION' && event.toCurrency !== undefined) {
      holdings.cash.set(event.toCurrency, (holdings.cash.get(event.toCurrency) ?? 0) + (event.toAmount ?? 0));
    }
  }
  const symbol = event.symbol;
  if (symbol === null) return;
  let state = holdings.symbols.get(symbol);
  if (opensPosition(event.type)) {
    if (!state) holdings.symbols.set(symbol, (state = newSymbol(symbol)));
    state.quantity += event.quantity;
    state.costValue += event.quantity * event.price * event.fxRate;
  } else if (!state) {
    return; // a ledger that holds never sells, splits or pays a dividend of what it never held
  } else if (event.type === 'SELL' || event.type === 'TRANSFER_OUT') {
    const left = state.quantity - event.quantity;
    state.costValue = state.quantity > 0 && left > 0 ? (state.costValue * left) / state.quantity : 0;
    state.quantity = left > 0 ? left : 0;
  } else if (event.type === 'SPLIT') {
    state.quantity *= event.splitRatio;
  }
}

/** Σ quantity × close × rate of the day (a symbol without a close yet at its cost), plus cash. */
function valueOn(holdings: Holdings, day: number, fx: ReadonlyMap<string, Float64Array>): number {
  let value = 0;
  for (const state of holdings.symbols.values()) {
    if (state.quantity === 0) continue;
    if (Number.isNaN(state.close)) value += state.costValue;
    else value += state.quantity * state.close * (state.rates ? (state.rates[day] as number) : 1);
  }
  for (const [currency, amount] of holdings.cash) {
    const rates = fx.get(currency);
    value += amount * (rates ? (rates[day] as number) : 1);
  }
  return value;
}

/**
 * The daily valuation of the ledger over `range`, as buildValuationSeries gives it for lots:
 *
 * - Valuation days: the days of the range on which a symbol the ledger holds by range.to has a
 *   close, from the first day with a transaction (or the range's first, when transactions
 *   precede it). V_t is in base currency: each symbol at its close (carried forward, also from
 *   before the range) × the day's rate of its currency, plus cash at the day's rates when
 *   tracked; before a symbol's first close ever, what is held of it counts at its cost.
 * - Transactions dated in the range are flows on the first valuation day on or after their date
 *   (a weekend trade counts on Monday); those before the range make the opening position, whose
 *   value on the first valuation day is `openingValue`; those after the last valuation day are
 *   left out.
 */
export function buildLedgerValuationSeries(input: LedgerValuationInput): ValuationSeries & { positions: Positions } {
  const { events, prices, range, priceCurrency, fx } = input;
  const cashPortfolio = tracksCash(events);
  const { start, end } = dayRange(prices, range);
  const dayCount = Math.max(end - start, 0);

  const newSymbol = (symbol: string): SymbolState => {
    const currency = priceCurrency.get(symbol);
    return {
      symbol,
      quantity: 0,
      costValue: 0,
      closes: closesOf(prices, symbol),
      close: Number.NaN,
      rates: currency === undefined ? undefined : fx.get(currency),
    };
  };
  const holdings: Holdings = { symbols: new Map(), cash: new Map() };
  // The days a held symbol trades: every symbol the ledger opens by range.to.
  const traded = new Uint8Array(dayCount);
  const seen = new Set<string>();
  for (const event of events) {
    if (event.date > range.to || event.symbol === null || !opensPosition(event.type) || seen.has(event.symbol)) continue;
    seen.add(event.symbol);
    const closes = closesOf(prices, event.symbol);
    if (closes) for (let day = 0; day < dayCount; day++) if (!Number.isNaN(closes[start + day] as number)) traded[day] = 1;
  }

  let next = 0;
  while (next < events.length && (events[next] as LedgerEvent).date < range.from)
    apply(holdings, events[next++]!, cashPortfolio, newSymbol);
  for (const state of holdings.symbols.values()) carryForward(state, start - 1);
  const opening: Holdings = {
    symbols: new Map([...holdings.symbols].map(([symbol, state]) => [symbol, { ...state }])),
    cash: new Map(holdings.cash),
  };
  let started = next > 0;

  const dates: string[] = [];
  const values: number[] = [];
  const flows: number[] = [];
  let openingValue = 0;
  let pendingFlow = 0;
  for (let day = 0; day < dayCount; day++) {
    const tableDay = start + day;
    const date = prices.dates[tableDay] as string;
    // Closes first: a trade on a day without a close waits for the next one (as carried forward).
    for (const state of holdings.symbols.values()) {
      const close = state.closes ? (state.closes[tableDay] as number) : Number.NaN;
      if (!Number.isNaN(close)) state.close = close;
    }
    while (next < events.length && (events[next] as LedgerEvent).date <= date) {
      const event = events[next++]!;
      const fresh = event.symbol !== null && !holdings.symbols.has(event.symbol);
      apply(holdings, event, cashPortfolio, newSymbol);
      if (fresh && event.symbol !== null) carryForward(holdings.symbols.get(event.symbol), tableDay);
      pendingFlow += externalFlow(event, cashPortfolio);
      started = true;
    }
    if (!started || !traded[day]) continue;
    if (dates.length === 0) {
      for (const state of opening.symbols.values()) state.close = lastCloseOnOrBefore(state.closes, tableDay);
      openingValue = valueOn(opening, tableDay, fx);
    }
    dates.push(date);
    values.push(valueOn(holdings, tableDay, fx));
    flows.push(pendingFlow);
    pendingFlow = 0;
  }
  // The position at range.to (trades after the last valuation day included).
  while (next < events.length && (events[next] as LedgerEvent).date <= range.to) apply(holdings, events[next++]!, cashPortfolio, newSymbol);
  const positions: Positions = new Map();
  for (const state of holdings.symbols.values()) if (state.quantity > 0) positions.set(state.symbol, state.quantity);
  return { dates, values: Float64Array.from(values), flows: Float64Array.from(flows), openingValue, positions };
}

/** A symbol first held on table day `day`: its last close on or before that day. */
function carryForward(state: SymbolState | undefined, day: number): void {
  if (state && Number.isNaN(state.close)) state.close = lastCloseOnOrBefore(state.closes, day);
}

/** The last close on or before table day `day`; NaN when there is none. */
function lastCloseOnOrBefore(closes: Float64Array | undefined, day: number): number {
  if (!closes) return Number.NaN;
  for (let d = Math.min(day, closes.length - 1); d >= 0; d--) if (!Number.isNaN(closes[d] as number)) return closes[d] as number;
  return Number.NaN;
}
