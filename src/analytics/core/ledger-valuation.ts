/**
 * The daily valuation of a ledger of transactions (shared/contract/README.md, "Ledger" and
 * "Analytics conventions"), in the portfolio's base currency, as the return figures read it.
 *
 * Only what the figures need is replayed here, in floating point: the quantity held of each
 * symbol (BUY/TRANSFER_IN add, SELL/TRANSFER_OUT take away, SPLIT multiplies), cash per currency
 * and the day's flows. Which lots a SELL closes does not change any value, so there is no lot
 * matching (that, and the exact decimals, are the ledger's own: src/ledger/core).
 *
 * External flows (in base currency at each transaction's own rate; positive: money put in, an
 * inflow I_t; negative: money taken out, an outflow O_t):
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

/** Daily portfolio valuation; values, inflows and outflows are indexed like dates. */
export interface ValuationSeries {
  /** Valued days, ascending: every day a held symbol has a close, and every day with a transaction. */
  dates: string[];
  /** V_t: what is held at the end of day t (holdings at their last close, plus cash when tracked). */
  values: Float64Array;
  /** I_t: external money put in on day t (counted at the start of the day), ≥ 0. */
  inflows: Float64Array;
  /** O_t: external money taken out on day t (counted at its end), ≥ 0. */
  outflows: Float64Array;
  /**
   * V before dates[0]: what was held at the end of the day before the range (transactions dated
   * before range.from, at their last closes before it); 0 when nothing was.
   */
  startValue: number;
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

/** The rate on table day `day` (the table's first when the day precedes it); 1 without rates. */
function rateOn(rates: Float64Array | undefined, day: number): number {
  if (!rates || rates.length === 0) return 1;
  return rates[Math.min(Math.max(day, 0), rates.length - 1)] as number;
}

/** Σ quantity × close × rate of the day (a symbol without a close yet at its cost), plus cash. */
function valueOn(holdings: Holdings, day: number, fx: ReadonlyMap<string, Float64Array>): number {
  let value = 0;
  for (const state of holdings.symbols.values()) {
    if (state.quantity === 0) continue;
    if (Number.isNaN(state.close)) value += state.costValue;
    else value += state.quantity * state.close * (state.rates ? rateOn(state.rates, day) : 1);
  }
  for (const [currency, amount] of holdings.cash) value += amount * rateOn(fx.get(currency), day);
  return value;
}

/**
 * A close that can value a holding: a positive number. A close of 0 (or below) is taken as no
 * price that day, so the holding keeps its last positive close: a single 0 typed for a missing
 * price must not turn the chained return into −100 % for ever (nothing can be bought at 0).
 */
const isClose = (close: number) => close > 0;

/**
 * The daily valuation of the ledger over `range` (shared/contract/README.md, "Analytics
 * conventions"):
 *
 * - Valued days: from the first day with a transaction (or the range's first, when transactions
 *   precede it), every day of the range on which a symbol the ledger holds by range.to has a
 *   close, and every day with a transaction other than a split (a Saturday deposit is
 *   Saturday's), whether or not the price table has that date. V_t is in base currency: each
 *   symbol at its last close on or before t × the rate of its currency on the last table day on
 *   or before t (the service puts every transaction date in the table, so that is t's own rate),
 *   plus cash when tracked; before a symbol's first close ever, what is held of it counts at its
 *   cost.
 * - Each transaction is a flow of its own date: I_t sums the positive external flows (money
 *   put in), O_t the negative ones (money taken out), as amounts ≥ 0.
 * - startValue: what the transactions dated before range.from hold, at their last closes before
 *   it (V_{t−1} of the range's first day).
 */
export function buildLedgerValuationSeries(input: LedgerValuationInput): ValuationSeries & { positions: Positions } {
  const { events, prices, range, priceCurrency, fx } = input;
  const cashPortfolio = tracksCash(events);
  const { start, end } = dayRange(prices, range);

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
  // The table days a held symbol trades: every symbol the ledger opens by range.to.
  const traded = new Uint8Array(Math.max(end - start, 0));
  const seen = new Set<string>();
  for (const event of events) {
    if (event.date > range.to || event.symbol === null || !opensPosition(event.type) || seen.has(event.symbol)) continue;
    seen.add(event.symbol);
    const closes = closesOf(prices, event.symbol);
    if (closes) for (let day = start; day < end; day++) if (isClose(closes[day] as number)) traded[day - start] = 1;
  }

  let next = 0;
  while (next < events.length && (events[next] as LedgerEvent).date < range.from)
    apply(holdings, events[next++]!, cashPortfolio, newSymbol);
  for (const state of holdings.symbols.values()) carryForward(state, start - 1);
  const startValue = next > 0 ? valueOn(holdings, start - 1, fx) : 0;
  let started = next > 0;

  const dates: string[] = [];
  const values: number[] = [];
  const inflows: number[] = [];
  const outflows: number[] = [];
  let day = start; // next table day to visit
  for (;;) {
    // The next date to visit: the next table day or the next transaction's date, whichever is first.
    const tableDate = day < end ? (prices.dates[day] as string) : undefined;
    const eventDate =
      next < events.length && (events[next] as LedgerEvent).date <= range.to ? (events[next] as LedgerEvent).date : undefined;
    if (tableDate === undefined && eventDate === undefined) break;
    const onTable = tableDate !== undefined && (eventDate === undefined || tableDate <= eventDate);
    const date = onTable ? (tableDate as string) : (eventDate as string);
    const tableDay = onTable ? day++ : day - 1; // the last table day on or before `date`
    if (onTable) {
      // Closes first: a trade that day counts from the price paid to that close.
      for (const state of holdings.symbols.values()) {
        const close = state.closes ? (state.closes[tableDay] as number) : Number.NaN;
        if (isClose(close)) state.close = close;
      }
    }
    let inflow = 0;
    let outflow = 0;
    let transacted = false;
    while (next < events.length && (events[next] as LedgerEvent).date === date) {
      const event = events[next++]!;
      const fresh = event.symbol !== null && !holdings.symbols.has(event.symbol);
      apply(holdings, event, cashPortfolio, newSymbol);
      if (fresh && event.symbol !== null) carryForward(holdings.symbols.get(event.symbol), tableDay);
      const flow = externalFlow(event, cashPortfolio);
      if (flow > 0) inflow += flow;
      else outflow -= flow;
      if (event.type !== 'SPLIT' || flow !== 0) transacted = true;
      started = true;
    }
    if (!started || !(transacted || (onTable && traded[tableDay - start]))) continue;
    dates.push(date);
    values.push(valueOn(holdings, tableDay, fx));
    inflows.push(inflow);
    outflows.push(outflow);
  }
  const positions: Positions = new Map();
  for (const state of holdings.symbols.values()) if (state.quantity > 0) positions.set(state.symbol, state.quantity);
  return {
    dates,
    values: Float64Array.from(values),
    inflows: Float64Array.from(inflows),
    outflows: Float64Array.from(outflows),
    startValue,
    positions,
  };
}

/** A symbol first held on table day `day`: its last close on or before that day. */
function carryForward(state: SymbolState | undefined, day: number): void {
  if (state && Number.isNaN(state.close)) state.close = lastCloseOnOrBefore(state.closes, day);
}

/** The last positive close on or before table day `day`; NaN when there is none. */
function lastCloseOnOrBefore(closes: Float64Array | undefined, day: number): number {
  if (!closes) return Number.NaN;
  for (let d = Math.min(day, closes.length - 1); d >= 0; d--) if (isClose(closes[d] as number)) return closes[d] as number;
  return Number.NaN;
}
