/**
 * Portfolio valuation from holdings and quotes: pure functions, exact decimals for money.
 *
 * - A holding's marketValue = quantity × price and unrealizedGain = marketValue − costBasis
 *   (costBasis = quantity × purchasePrice); both null when the holding has no quote.
 * - Totals value a holding without a quote at its purchase price (its cost), so it adds its cost
 *   to totalValue and nothing to unrealizedGain: an unknown or unpriced symbol does not make a
 *   portfolio look as if it had lost that money, and the valuation is still returned.
 * - unrealizedGainPercent is in percent (12.5 means +12.5 %), like Quote.changePercent; null when
 *   the total cost is 0. dayChange = Σ quantity × change over holdings whose quote has a change;
 *   null when none has. asOf is the newest quote timestamp used, or now without quotes.
 * - Values are summed as they are quoted, without currency conversion: allocation by CURRENCY
 *   shows the mix. With FX rates (the ledger's holdings) every figure is in the base currency.
 * - Cash balances (the ledger's, when it tracks cash) are holdings of type CASH keyed by their
 *   currency: in totalValue and allocation, not in totalCost, unrealizedGain or dayChange.
 */
import { Money } from '../platform/money.js';

// decimal.js rounds every result to `precision` significant digits (20 by default), which
// quantity(18,8) × price(18,8) can exceed; Money (platform/money.ts) has room for them.
export { Money };

/** Anything with an exact decimal text form: a string, decimal.js or Prisma's Decimal. */
export type DecimalLike = string | number | { toString(): string };

const money = (value: DecimalLike): Money => new Money(typeof value === 'number' ? value : value.toString());

export interface HoldingInput {
  id: string;
  symbol: string;
  /** AssetType. */
  type: string;
  sector: string | null;
  quantity: DecimalLike;
  purchasePrice: DecimalLike;
  /** The exact total cost when known (the ledger keeps it per lot); else quantity × purchasePrice. */
  costBasis?: DecimalLike;
  /**
   * A cash balance rather than a position: `quantity` units of this currency, no quote, worth its
   * amount at the day's rate; counted in totalValue and allocation, not in totalCost or gains.
   */
  cashCurrency?: string;
}

/** Whether a holding is a cash balance (no quote to look up). */
export const isCash = (holding: HoldingInput): boolean => holding.cashCurrency !== undefined;

export interface QuoteInput {
  price: string;
  change: string | null;
  currency: string;
  timestamp: Date;
}

export interface HoldingValuation {
  holding: HoldingInput;
  quote: QuoteInput | null;
  costBasis: Money;
  marketValue: Money | null;
  unrealizedGain: Money | null;
  /** What totals and allocation count: marketValue, or costBasis without a quote. */
  value: Money;
  /** The quote's currency, or the portfolio's base currency without a quote. */
  currency: string;
}

export interface PortfolioValuation {
  portfolioId: string;
  /** The currency of the totals: the portfolio's base currency (as quoted when no rates were given). */
  currency: string;
  totalValue: Money;
  totalCost: Money;
  unrealizedGain: Money;
  unrealizedGainPercent: number | null;
  dayChange: Money | null;
  asOf: Date;
  holdings: HoldingValuation[];
}

export const ALLOCATION_DIMENSIONS = ['TYPE', 'SECTOR', 'SYMBOL', 'CURRENCY'] as const;
export type AllocationDimension = (typeof ALLOCATION_DIMENSIONS)[number];
export const UNCLASSIFIED_SECTOR = 'Unclassified';

export interface AllocationSlice {
  key: string;
  value: Money;
  /** Share of the total value; the slices' weights sum to 1. */
  weight: number;
}

/**
 * One holding's figures. With `rate` (units of base currency per unit of the quote's currency),
 * marketValue is converted into the base currency, and purchasePrice is taken as already in it
 * (the ledger's cost at each transaction's own rate); without, both are as quoted.
 */
export function valueHolding(
  holding: HoldingInput,
  quote: QuoteInput | null,
  baseCurrency: string,
  rate?: DecimalLike | null,
): HoldingValuation {
  const quantity = money(holding.quantity);
  if (holding.cashCurrency !== undefined) {
    const value = quantity.times(rate == null ? 1 : money(rate));
    return { holding, quote: null, costBasis: value, marketValue: value, unrealizedGain: null, value, currency: holding.cashCurrency };
  }
  const costBasis = holding.costBasis !== undefined ? money(holding.costBasis) : quantity.times(money(holding.purchasePrice));
  const marketValue = quote ? quantity.times(money(quote.price)).times(rate == null ? 1 : money(rate)) : null;
  return {
    holding,
    quote,
    costBasis,
    marketValue,
    unrealizedGain: marketValue ? marketValue.minus(costBasis) : null,
    value: marketValue ?? costBasis,
    currency: quote?.currency ?? baseCurrency,
  };
}

export interface PortfolioInput {
  portfolioId: string;
  baseCurrency: string;
  holdings: readonly HoldingInput[];
  /** Quotes by symbol; a missing or null entry means the symbol has no quote. */
  quotes: ReadonlyMap<string, QuoteInput | null>;
  /**
   * Units of base currency per unit of each quote currency: when given, every total is in the
   * base currency (holdings' purchasePrice must then be in it too); a quote whose currency has
   * no rate counts at its cost, like a holding without a quote.
   */
  rates?: ReadonlyMap<string, DecimalLike>;
  now?: Date;
}

export function valuePortfolio(input: PortfolioInput): PortfolioValuation {
  const rates = input.rates;
  const holdings = input.holdings.map((h) => {
    if (h.cashCurrency !== undefined) return valueHolding(h, null, input.baseCurrency, rates?.get(h.cashCurrency));
    const quote = input.quotes.get(h.symbol) ?? null;
    if (!rates || !quote) return valueHolding(h, quote, input.baseCurrency);
    const rate = rates.get(quote.currency);
    return rate === undefined ? valueHolding(h, null, input.baseCurrency) : valueHolding(h, quote, input.baseCurrency, rate);
  });
  let totalValue = new Money(0);
  let totalCost = new Money(0);
  let dayChange: Money | null = null;
  let asOf: Date | null = null;
  for (const h of holdings) {
    totalValue = totalValue.plus(h.value);
    if (isCash(h.holding)) continue;
    totalCost = totalCost.plus(h.costBasis);
    if (h.quote?.change != null) {
      const rate = rates?.get(h.quote.currency);
      dayChange = (dayChange ?? new Money(0)).plus(
        money(h.holding.quantity)
          .times(money(h.quote.change))
          .times(rate === undefined ? 1 : money(rate)),
      );
    }
    if (h.quote && (!asOf || h.quote.timestamp > asOf)) asOf = h.quote.timestamp;
  }
  // Cash is worth what it costs: the gain is the positions'.
  let unrealizedGain = new Money(0);
  for (const h of holdings) if (!isCash(h.holding)) unrealizedGain = unrealizedGain.plus(h.value).minus(h.costBasis);
  return {
    portfolioId: input.portfolioId,
    currency: input.baseCurrency,
    totalValue,
    totalCost,
    unrealizedGain,
    unrealizedGainPercent: totalCost.isZero() ? null : unrealizedGain.div(totalCost).times(100).toNumber(),
    dayChange,
    asOf: asOf ?? input.now ?? new Date(),
    holdings,
  };
}

/** A holding's slice key per dimension (allocation here; rebalancing targets in src/analytics). */
export const KEY_OF: Record<AllocationDimension, (h: HoldingValuation) => string> = {
  TYPE: (h) => h.holding.type,
  SECTOR: (h) => h.holding.sector?.trim() || UNCLASSIFIED_SECTOR,
  SYMBOL: (h) => h.holding.symbol,
  CURRENCY: (h) => h.currency,
};

/**
 * The valuation split by one dimension, largest slice first (ties by key). Each weight is the
 * exact share converted to a float, except the largest slice's, which is 1 minus the others, so
 * the weights sum to 1 (within one rounding of the final addition) and the correction lands where
 * it is relatively smallest. Without any value (no holdings, or all worth 0) every weight is 0.
 */
export function allocate(valuation: PortfolioValuation, by: AllocationDimension): AllocationSlice[] {
  const values = new Map<string, Money>();
  for (const h of valuation.holdings) {
    const key = KEY_OF[by](h);
    values.set(key, (values.get(key) ?? new Money(0)).plus(h.value));
  }
  const slices = [...values]
    .map(([key, value]) => ({ key, value, weight: 0 }))
    .sort((a, b) => b.value.comparedTo(a.value) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const total = valuation.totalValue;
  if (slices.length === 0 || total.isZero()) return slices;
  let others = 0;
  for (const slice of slices.slice(1)) {
    slice.weight = slice.value.div(total).toNumber();
    others += slice.weight;
  }
  slices[0]!.weight = 1 - others;
  return slices;
}
